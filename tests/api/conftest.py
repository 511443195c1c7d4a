"""Calling /graphql/ as a storefront, the dashboard or the app, with the fake Saleor's tokens."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from saleor_lifecycle.customers import actions
from saleor_lifecycle.events import types
from tests.conftest import register
from tests.customers.conftest import make_order

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


@dataclass
class Answer:
    """What /graphql/ answered: the HTTP status and the GraphQL response."""

    status: int
    body: dict
    headers: Any

    @property
    def data(self):
        return self.body.get("data")

    @property
    def errors(self) -> list[dict]:
        return self.body.get("errors") or []

    @property
    def error_codes(self) -> list[str]:
        return [error.get("extensions", {}).get("exception", {}).get("code") for error in self.errors]


@pytest.fixture
def graphql(client):
    """``graphql(query, variables, token=...)`` POSTs to /graphql/ and returns an Answer."""

    def call(query: str, variables: dict | None = None, *, token: str | None = None, headers: dict | None = None):
        all_headers = dict(headers or {})
        if token is not None:
            all_headers["Authorization"] = f"Bearer {token}"
        response = client.post(
            "/graphql/",
            data={"query": query, "variables": variables or {}},
            content_type="application/json",
            headers=all_headers,
        )
        body = response.json() if response["Content-Type"].startswith("application/json") else {}
        return Answer(response.status_code, body, response.headers)

    return call


@pytest.fixture
def staff_token(fake_saleor, installation):
    """The dashboard's token for a staff user with MANAGE_USERS."""
    return fake_saleor.issue_thirdparty_token(user_permissions=["MANAGE_USERS", "MANAGE_ORDERS"])


@pytest.fixture
def other_shop(db, client, queued):
    """A second Saleor with the app installed: its customers must never show in the first."""
    from saleor_lifecycle.saleor_app.models import Installation
    from saleor_lifecycle.testing.fake_saleor import FakeSaleor

    with FakeSaleor() as fake:
        response = register(client, fake)
        assert response.status_code == 200, response.content
        fake.installation = Installation.objects.get(saleor_api_url=fake.api_url)
        yield fake


def register_customer(installation, user: dict, *, days_ago: float = 200):
    """Project a fake Saleor customer into the app, as CUSTOMER_CREATED does."""
    joined = NOW - timedelta(days=days_ago)
    customer = types.Customer(
        id=user["id"],
        email=user["email"],
        first_name=user["firstName"],
        last_name=user["lastName"],
        is_active=True,
        language_code="EN",
        date_joined=joined,
        updated_at=joined,
        metadata={},
    )
    return actions.do_apply_customer(installation, customer, now=joined)


def buy(installation, user: dict | None, number: int, *, days_ago: float, total: str = "100.00", email=None):
    """Project an order of ``user`` (a fake Saleor customer; None for a guest) into the app."""
    created = NOW - timedelta(days=days_ago)
    order = make_order(
        number,
        created=created,
        user_id=user["id"] if user else None,
        email=email or (user["email"] if user else f"guest{number}@example.com"),
        total=total,
    )
    return actions.do_apply_order(installation, order, now=created)
