from ..parsers import order_event
from . import WebhookDefinition

definition = WebhookDefinition("ORDER_REFUNDED", "subscriptions/order_refunded", order_event)
