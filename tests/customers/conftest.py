from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from saleor_lifecycle.events import types
from saleor_lifecycle.saleor_app.models import Installation

START = datetime(2026, 1, 1, 12, tzinfo=UTC)


@pytest.fixture
def shop(db) -> Installation:
    installation = Installation(saleor_api_url="https://shop.example.com/graphql/", saleor_domain="shop.example.com")
    installation.token = "app-token"
    installation.save()
    return installation


def make_order(
    number: int,
    *,
    created: datetime,
    user_id: str | None = "VXNlcjox",
    email: str = "ada@example.com",
    status: str = "UNFULFILLED",
    total: str = "100.00",
    refunded: str = "0",
    updated_at: datetime | None = None,
    voucher_code: str | None = None,
) -> types.Order:
    return types.Order(
        id=f"order-{number}",
        number=str(number),
        created=created,
        updated_at=updated_at or created,
        status=status,
        channel="default-channel",
        currency="USD",
        user_id=user_id,
        email=email,
        language_code="EN",
        checkout_id=None,
        voucher_code=voucher_code,
        total=Decimal(total),
        subtotal=Decimal(total),
        refunded=Decimal(refunded),
        lines=(
            types.OrderLine(
                id=f"line-{number}",
                product_name="Mug",
                variant_name="Blue",
                sku="MUG",
                quantity=1,
                unit_price=Decimal(total),
                thumbnail_url=None,
                variant_id="variant-1",
                product_id="product-1",
                product_slug="mug",
                category_id="category-1",
            ),
        ),
    )


def days(n: float) -> timedelta:
    return timedelta(days=n)
