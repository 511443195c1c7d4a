from ..parsers import customer_event
from . import WebhookDefinition

definition = WebhookDefinition("CUSTOMER_UPDATED", "subscriptions/customer_updated", customer_event)
