"""Our own event types: what domain code receives instead of Saleor's raw dicts.

Parsers in ``parsers.py`` turn a webhook body into one of these at the edge; the raw
payload stays on the event (``raw``) and on the stored delivery for debugging.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True)
class OrderLine:
    id: str
    product_name: str
    variant_name: str
    sku: str | None
    quantity: int
    unit_price: Decimal
    thumbnail_url: str | None
    variant_id: str | None
    product_id: str | None
    product_slug: str | None
    category_id: str | None


@dataclass(frozen=True)
class Order:
    id: str
    number: str
    created: datetime
    updated_at: datetime
    #: Saleor's OrderStatus, e.g. "UNFULFILLED", "CANCELED"
    status: str
    channel: str
    currency: str
    user_id: str | None
    email: str | None
    language_code: str | None
    checkout_id: str | None
    voucher_code: str | None
    total: Decimal
    subtotal: Decimal
    refunded: Decimal
    lines: tuple[OrderLine, ...]
    #: before vouchers and promotions: total - this is what discounts cost the shop
    undiscounted_total: Decimal | None = None


@dataclass(frozen=True)
class CheckoutLine:
    id: str
    quantity: int
    total: Decimal
    variant_id: str | None
    variant_name: str | None
    product_id: str | None
    product_name: str | None
    product_slug: str | None
    thumbnail_url: str | None
    category_id: str | None


@dataclass(frozen=True)
class Checkout:
    id: str
    token: str
    created: datetime
    updated_at: datetime
    last_change: datetime
    email: str | None
    user_id: str | None
    channel: str
    currency: str
    language_code: str | None
    total: Decimal
    lines: tuple[CheckoutLine, ...]


@dataclass(frozen=True)
class Customer:
    id: str
    email: str | None
    first_name: str
    last_name: str
    is_active: bool
    language_code: str | None
    date_joined: datetime | None
    updated_at: datetime | None
    metadata: dict[str, str]


@dataclass(frozen=True)
class LifecycleEvent:
    """Base of every event: which Saleor event it was, when Saleor issued it, the raw body."""

    #: Saleor's async event name, e.g. "ORDER_CREATED"
    event_type: str
    issued_at: datetime | None
    saleor_version: str | None
    raw: dict = field(repr=False, compare=False)


@dataclass(frozen=True)
class OrderEvent(LifecycleEvent):
    order: Order


@dataclass(frozen=True)
class CheckoutEvent(LifecycleEvent):
    checkout: Checkout


@dataclass(frozen=True)
class CustomerEvent(LifecycleEvent):
    customer: Customer


@dataclass(frozen=True)
class AppDeletedEvent(LifecycleEvent):
    app_id: str | None
