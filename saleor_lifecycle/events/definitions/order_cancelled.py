from ..parsers import order_event
from . import WebhookDefinition

definition = WebhookDefinition("ORDER_CANCELLED", "subscriptions/order_cancelled", order_event)
