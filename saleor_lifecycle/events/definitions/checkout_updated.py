from ..parsers import checkout_event
from . import WebhookDefinition

definition = WebhookDefinition("CHECKOUT_UPDATED", "subscriptions/checkout_updated", checkout_event)
