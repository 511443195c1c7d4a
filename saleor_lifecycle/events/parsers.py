"""Saleor webhook bodies -> our event types, with a clear reason when a body is malformed.

A body is the value of the subscription's ``event`` field (see graphql/subscriptions/).
Every accessor names the path it failed on, so a malformed delivery says exactly what
was wrong ("order.created: expected an ISO 8601 datetime, got 'yesterday'").
"""

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from . import types


class PayloadError(ValueError):
    """The delivery's body is not what the subscription asks Saleor for."""


class _Node:
    """Typed, path-aware reads from one JSON object of the payload."""

    def __init__(self, value: Any, path: str):
        if not isinstance(value, dict):
            raise PayloadError(f"{path}: expected an object, got {type(value).__name__}")
        self.value = value
        self.path = path

    def _get(self, key: str, required: bool) -> Any:
        value = self.value.get(key)
        if value is None and required:
            raise PayloadError(f"{self.path}.{key}: missing")
        return value

    def node(self, key: str) -> "_Node":
        return _Node(self._get(key, True), f"{self.path}.{key}")

    def optional_node(self, key: str) -> "_Node | None":
        value = self._get(key, False)
        return None if value is None else _Node(value, f"{self.path}.{key}")

    def nodes(self, key: str) -> list["_Node"]:
        value = self._get(key, False) or []
        if not isinstance(value, list):
            raise PayloadError(f"{self.path}.{key}: expected a list")
        return [_Node(item, f"{self.path}.{key}[{index}]") for index, item in enumerate(value)]

    def text(self, key: str, *, required: bool = True) -> str | None:
        value = self._get(key, required)
        if value is not None and not isinstance(value, str):
            raise PayloadError(f"{self.path}.{key}: expected a string, got {value!r}")
        return value

    def integer(self, key: str) -> int:
        value = self._get(key, True)
        if isinstance(value, bool) or not isinstance(value, int):
            raise PayloadError(f"{self.path}.{key}: expected an integer, got {value!r}")
        return value

    def flag(self, key: str) -> bool:
        value = self._get(key, True)
        if not isinstance(value, bool):
            raise PayloadError(f"{self.path}.{key}: expected true or false, got {value!r}")
        return value

    def timestamp(self, key: str, *, required: bool = True) -> datetime | None:
        value = self.text(key, required=required)
        if value is None:
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise PayloadError(
                f"{self.path}.{key}: expected an ISO 8601 datetime, got {value!r}"
            ) from None
        if parsed.tzinfo is None:
            raise PayloadError(f"{self.path}.{key}: datetime has no time zone: {value!r}")
        return parsed

    def money(self, *keys: str) -> Decimal:
        """``money("total", "gross")`` reads ``total.gross.amount`` as a Decimal."""
        node = self
        for key in keys:
            node = node.node(key)
        value = node._get("amount", True)
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise PayloadError(f"{node.path}.amount: expected a number, got {value!r}")
        try:
            return Decimal(str(value))
        except InvalidOperation:
            raise PayloadError(f"{node.path}.amount: expected a number, got {value!r}") from None

    def optional_id(self, key: str) -> str | None:
        child = self.optional_node(key)
        return None if child is None else child.text("id")

    def optional_url(self, key: str) -> str | None:
        child = self.optional_node(key)
        return None if child is None else child.text("url", required=False)


def _event(body: Any) -> _Node:
    return _Node(body, "event")


def _base(event_type: str, event: _Node) -> dict:
    return {
        "event_type": event_type,
        "issued_at": event.timestamp("issuedAt", required=False),
        "saleor_version": event.text("version", required=False),
        "raw": event.value,
    }


def _order_line(line: _Node) -> types.OrderLine:
    variant = line.optional_node("variant")
    product = variant.optional_node("product") if variant else None
    return types.OrderLine(
        id=line.text("id"),
        product_name=line.text("productName"),
        variant_name=line.text("variantName", required=False) or "",
        sku=line.text("productSku", required=False),
        quantity=line.integer("quantity"),
        unit_price=line.money("unitPrice", "gross"),
        thumbnail_url=line.optional_url("thumbnail"),
        variant_id=variant.text("id") if variant else None,
        product_id=product.text("id") if product else None,
        product_slug=product.text("slug", required=False) if product else None,
        category_id=product.optional_id("category") if product else None,
    )


def parse_order(order: _Node) -> types.Order:
    channel = order.node("channel")
    user = order.optional_node("user")
    refunded = order.optional_node("totalRefunded")
    return types.Order(
        id=order.text("id"),
        number=order.text("number"),
        created=order.timestamp("created"),
        updated_at=order.timestamp("updatedAt"),
        status=order.text("status"),
        channel=channel.text("slug"),
        currency=channel.text("currencyCode"),
        user_id=user.text("id") if user else None,
        email=order.text("userEmail", required=False) or (user.text("email", required=False) if user else None),
        language_code=order.text("languageCodeEnum", required=False),
        checkout_id=order.text("checkoutId", required=False),
        voucher_code=order.text("voucherCode", required=False),
        total=order.money("total", "gross"),
        subtotal=order.money("subtotal", "gross"),
        refunded=refunded.money() if refunded else Decimal(0),
        lines=tuple(_order_line(line) for line in order.nodes("lines")),
        undiscounted_total=order.money("undiscountedTotal", "gross") if order.value.get("undiscountedTotal") else None,
    )


def _checkout_line(line: _Node) -> types.CheckoutLine:
    variant = line.optional_node("variant")
    product = variant.optional_node("product") if variant else None
    return types.CheckoutLine(
        id=line.text("id"),
        quantity=line.integer("quantity"),
        total=line.money("totalPrice", "gross"),
        variant_id=variant.text("id") if variant else None,
        variant_name=variant.text("name", required=False) if variant else None,
        product_id=product.text("id") if product else None,
        product_name=product.text("name", required=False) if product else None,
        product_slug=product.text("slug", required=False) if product else None,
        thumbnail_url=product.optional_url("thumbnail") if product else None,
        category_id=product.optional_id("category") if product else None,
    )


def parse_checkout(checkout: _Node) -> types.Checkout:
    channel = checkout.node("channel")
    user = checkout.optional_node("user")
    return types.Checkout(
        id=checkout.text("id"),
        token=checkout.text("token"),
        created=checkout.timestamp("created"),
        updated_at=checkout.timestamp("updatedAt"),
        last_change=checkout.timestamp("lastChange", required=False) or checkout.timestamp("updatedAt"),
        email=checkout.text("email", required=False) or (user.text("email", required=False) if user else None),
        user_id=user.text("id") if user else None,
        channel=channel.text("slug"),
        currency=channel.text("currencyCode"),
        language_code=checkout.text("languageCode", required=False),
        total=checkout.money("totalPrice", "gross"),
        lines=tuple(_checkout_line(line) for line in checkout.nodes("lines")),
    )


def parse_customer(user: _Node) -> types.Customer:
    metadata = {item.text("key"): item.text("value") for item in user.nodes("metadata")}
    return types.Customer(
        id=user.text("id"),
        email=user.text("email", required=False),
        first_name=user.text("firstName", required=False) or "",
        last_name=user.text("lastName", required=False) or "",
        is_active=user.flag("isActive") if user.value.get("isActive") is not None else True,
        language_code=user.text("languageCode", required=False),
        date_joined=user.timestamp("dateJoined", required=False),
        updated_at=user.timestamp("updatedAt", required=False),
        metadata=metadata,
    )


def order_from(value: Any) -> types.Order:
    """An order object as our documents select it (e.g. a backfill page's node)."""
    return parse_order(_Node(value, "order"))


def customer_from(value: Any) -> types.Customer:
    return parse_customer(_Node(value, "user"))


Parser = Callable[[str, Any], types.LifecycleEvent]


def order_event(event_type: str, body: Any) -> types.OrderEvent:
    event = _event(body)
    return types.OrderEvent(**_base(event_type, event), order=parse_order(event.node("order")))


def checkout_event(event_type: str, body: Any) -> types.CheckoutEvent:
    event = _event(body)
    return types.CheckoutEvent(
        **_base(event_type, event), checkout=parse_checkout(event.node("checkout"))
    )


def customer_event(event_type: str, body: Any) -> types.CustomerEvent:
    event = _event(body)
    return types.CustomerEvent(**_base(event_type, event), customer=parse_customer(event.node("user")))


def app_deleted_event(event_type: str, body: Any) -> types.AppDeletedEvent:
    event = _event(body)
    return types.AppDeletedEvent(**_base(event_type, event), app_id=event.optional_id("app"))
