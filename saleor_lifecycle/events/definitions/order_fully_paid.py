from ..parsers import order_event
from . import WebhookDefinition

definition = WebhookDefinition("ORDER_FULLY_PAID", "subscriptions/order_fully_paid", order_event)
