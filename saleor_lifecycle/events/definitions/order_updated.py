from ..parsers import order_event
from . import WebhookDefinition

definition = WebhookDefinition("ORDER_UPDATED", "subscriptions/order_updated", order_event)
