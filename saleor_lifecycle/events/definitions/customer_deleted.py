from ..parsers import customer_event
from . import WebhookDefinition

definition = WebhookDefinition("CUSTOMER_DELETED", "subscriptions/customer_deleted", customer_event)
