from ..parsers import order_event
from . import WebhookDefinition

definition = WebhookDefinition("ORDER_CREATED", "subscriptions/order_created", order_event)
