from ..parsers import customer_event
from . import WebhookDefinition

definition = WebhookDefinition("CUSTOMER_CREATED", "subscriptions/customer_created", customer_event)
