"""Saleor bodies become our typed events; malformed ones say exactly what is wrong."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from saleor_lifecycle.events import types
from saleor_lifecycle.events.parsers import PayloadError, checkout_event, customer_event, order_event

from .payloads import checkout_body, customer_body, order_body


def test_it_parses_an_order():
    event = order_event("ORDER_CREATED", order_body(voucherCode="WB-ABCDEFGHJK", checkoutId="Q2hlY2tvdXQ6MQ=="))

    assert isinstance(event, types.OrderEvent)
    assert event.issued_at == datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    order = event.order
    assert order.number == "1001"
    assert order.total == Decimal("129.90")
    assert order.currency == "USD"
    assert order.email == "ada@example.com"
    assert order.voucher_code == "WB-ABCDEFGHJK"
    assert order.checkout_id == "Q2hlY2tvdXQ6MQ=="
    assert order.lines[0].product_id == "UHJvZHVjdDox"
    assert order.lines[0].category_id == "Q2F0ZWdvcnk6MQ=="
    assert order.lines[0].unit_price == Decimal("64.95")


def test_it_parses_a_guest_order_without_user():
    event = order_event("ORDER_CREATED", order_body(user=None, userEmail="guest@example.com"))
    assert event.order.user_id is None
    assert event.order.email == "guest@example.com"


def test_it_parses_a_checkout_and_a_customer():
    checkout = checkout_event("CHECKOUT_UPDATED", checkout_body()).checkout
    assert checkout.email == "ada@example.com"
    assert checkout.lines[0].thumbnail_url == "https://shop.example.com/thumbnails/mug.png"

    customer = customer_event("CUSTOMER_CREATED", customer_body(metadata=[{"key": "consent", "value": "yes"}])).customer
    assert customer.first_name == "Ada"
    assert customer.metadata == {"consent": "yes"}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ([], "event: expected an object, got list"),
        ({"issuedAt": None}, "event.order: missing"),
        (order_body(created="yesterday"), "event.order.created: expected an ISO 8601 datetime, got 'yesterday'"),
        (order_body(created="2026-11-20T10:00:00"), "event.order.created: datetime has no time zone"),
        (order_body(total={"gross": {"amount": "lots"}}), "event.order.total.gross.amount: expected a number"),
        (order_body(lines=[{"id": "x"}]), "event.order.lines[0].productName: missing"),
    ],
)
def test_it_names_what_is_wrong_in_a_malformed_body(body, reason):
    with pytest.raises(PayloadError, match=reason.replace("[", r"\[").replace("]", r"\]")):
        order_event("ORDER_CREATED", body)
