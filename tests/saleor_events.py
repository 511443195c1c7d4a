"""Webhook bodies for every registered event, rendered by the fake Saleor.

The fake executes our real subscription documents against Saleor 3.24's schema, so a
body here is what that Saleor would send for these objects.
"""

from saleor_lifecycle.events.registry import WEBHOOKS
from saleor_lifecycle.testing.fake_saleor import FakeSaleor, global_id, money, taxed_money


def checkout(fake: FakeSaleor, **fields) -> dict:
    channel = fake.default_channel
    return {
        "id": global_id("Checkout", "0b5f6f0e-8a0e-4c55-9d53-6d5f6f0e8a0e"),
        "token": "0b5f6f0e-8a0e-4c55-9d53-6d5f6f0e8a0e",
        "created": "2026-11-20T09:00:00+00:00",
        "updatedAt": "2026-11-20T09:30:00+00:00",
        "lastChange": "2026-11-20T09:30:00+00:00",
        "email": "ada@example.com",
        "user": None,
        "channel": channel,
        "languageCode": "EN",
        "totalPrice": taxed_money(64.95, channel["currencyCode"]),
        "lines": [
            {
                "id": global_id("CheckoutLine", 1),
                "quantity": 1,
                "totalPrice": taxed_money(64.95, channel["currencyCode"]),
                "variant": {
                    "id": global_id("ProductVariant", 1),
                    "name": "Blue",
                    "product": {
                        "id": global_id("Product", 1),
                        "name": "Mug",
                        "slug": "mug",
                        "thumbnail": {"url": "https://shop.example.com/mug.png", "alt": "Mug"},
                        "category": {"id": global_id("Category", 1)},
                    },
                },
            }
        ],
        **fields,
    }


def event_objects(fake: FakeSaleor, event: str) -> dict:
    """The object an event of this type is about, as the fake's root value fields."""
    kind = event.split("_")[0]
    if kind == "ORDER":
        customer = fake.add_customer(email="ada@example.com", firstName="Ada")
        return {"order": fake.add_order(user=customer, totalRefunded=money(0))}
    if kind == "CHECKOUT":
        return {"checkout": checkout(fake)}
    if kind == "CUSTOMER":
        return {"user": fake.add_customer(email="ada@example.com", firstName="Ada")}
    return {"app": fake.app}


def render(fake: FakeSaleor, event: str, **fields) -> dict:
    """The body Saleor would deliver for ``event`` (issuedAt makes each one unique)."""
    objects = {**event_objects(fake, event), **fields}
    return fake.render_event(WEBHOOKS[event].query, fake.make_event(event, **objects))
