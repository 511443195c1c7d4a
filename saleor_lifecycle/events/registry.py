"""Every Saleor event the app subscribes to. The manifest, URLs and choices derive from it."""

from .definitions import (
    WebhookDefinition,
    app_deleted,
    checkout_created,
    checkout_updated,
    customer_created,
    customer_deleted,
    customer_updated,
    order_cancelled,
    order_created,
    order_fully_paid,
    order_refunded,
    order_updated,
)

WEBHOOKS: dict[str, WebhookDefinition] = {
    module.definition.event: module.definition
    for module in (
        order_created,
        order_updated,
        order_fully_paid,
        order_cancelled,
        order_refunded,
        checkout_created,
        checkout_updated,
        customer_created,
        customer_updated,
        customer_deleted,
        app_deleted,
    )
}

BY_SLUG: dict[str, WebhookDefinition] = {d.slug: d for d in WEBHOOKS.values()}

EVENT_CHOICES = [(event, event.replace("_", " ").capitalize()) for event in WEBHOOKS]
