"""Webhook bodies shaped like our subscriptions (graphql/subscriptions/), for parser tests.

Whole-pipeline tests render bodies through the fake Saleor instead, which executes the
real subscription documents against Saleor's schema.
"""


def order_body(**order) -> dict:
    return {
        "issuedAt": "2026-11-20T10:00:00+00:00",
        "version": "3.24.0",
        "order": {
            "id": "T3JkZXI6MQ==",
            "number": "1001",
            "created": "2026-11-20T09:59:00+00:00",
            "updatedAt": "2026-11-20T10:00:00+00:00",
            "status": "UNFULFILLED",
            "channel": {"slug": "default-channel", "currencyCode": "USD"},
            "user": {"id": "VXNlcjox", "email": "ada@example.com"},
            "userEmail": "ada@example.com",
            "languageCodeEnum": "EN",
            "checkoutId": None,
            "voucherCode": None,
            "total": {"gross": {"amount": 129.9, "currency": "USD"}},
            "subtotal": {"gross": {"amount": 129.9}},
            "totalRefunded": {"amount": 0},
            "lines": [
                {
                    "id": "T3JkZXJMaW5lOjE=",
                    "productName": "Mug",
                    "variantName": "Blue",
                    "productSku": "MUG-BLUE",
                    "quantity": 2,
                    "unitPrice": {"gross": {"amount": 64.95}},
                    "thumbnail": {"url": "https://shop.example.com/thumbnails/mug.png"},
                    "variant": {
                        "id": "UHJvZHVjdFZhcmlhbnQ6MQ==",
                        "product": {"id": "UHJvZHVjdDox", "slug": "mug", "category": {"id": "Q2F0ZWdvcnk6MQ=="}},
                    },
                }
            ],
            **order,
        },
    }


def checkout_body(**checkout) -> dict:
    return {
        "issuedAt": "2026-11-20T10:00:00+00:00",
        "version": "3.24.0",
        "checkout": {
            "id": "Q2hlY2tvdXQ6MQ==",
            "token": "0b5f6f0e-8a0e-4c55-9d53-6d5f6f0e8a0e",
            "created": "2026-11-20T09:00:00+00:00",
            "updatedAt": "2026-11-20T09:30:00+00:00",
            "lastChange": "2026-11-20T09:30:00+00:00",
            "email": "ada@example.com",
            "user": None,
            "channel": {"slug": "default-channel", "currencyCode": "USD"},
            "languageCode": "EN",
            "totalPrice": {"gross": {"amount": 64.95, "currency": "USD"}},
            "lines": [
                {
                    "id": "Q2hlY2tvdXRMaW5lOjE=",
                    "quantity": 1,
                    "totalPrice": {"gross": {"amount": 64.95}},
                    "variant": {
                        "id": "UHJvZHVjdFZhcmlhbnQ6MQ==",
                        "name": "Blue",
                        "product": {
                            "id": "UHJvZHVjdDox",
                            "name": "Mug",
                            "slug": "mug",
                            "thumbnail": {"url": "https://shop.example.com/thumbnails/mug.png"},
                            "category": {"id": "Q2F0ZWdvcnk6MQ=="},
                        },
                    },
                }
            ],
            **checkout,
        },
    }


def customer_body(**user) -> dict:
    return {
        "issuedAt": "2026-11-20T10:00:00+00:00",
        "version": "3.24.0",
        "user": {
            "id": "VXNlcjox",
            "email": "ada@example.com",
            "firstName": "Ada",
            "lastName": "Lovelace",
            "isActive": True,
            "languageCode": "EN",
            "dateJoined": "2026-01-02T12:00:00+00:00",
            "updatedAt": "2026-11-20T10:00:00+00:00",
            "metadata": [],
            **user,
        },
    }
