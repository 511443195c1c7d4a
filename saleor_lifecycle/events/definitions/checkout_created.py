from ..parsers import checkout_event
from . import WebhookDefinition

definition = WebhookDefinition("CHECKOUT_CREATED", "subscriptions/checkout_created", checkout_event)
