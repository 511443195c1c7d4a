"""Every document the app sends to Saleor must be valid against Saleor 3.24's schema."""

import pytest
from graphql import OperationType, parse, validate

from saleor_lifecycle.events.registry import WEBHOOKS
from saleor_lifecycle.saleor_client.documents import all_documents, load_document

DOCUMENTS = all_documents()


def test_it_finds_the_documents():
    assert "queries/app" in DOCUMENTS
    assert {f"subscriptions/{event.lower()}" for event in WEBHOOKS} <= set(DOCUMENTS)


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_it_validates_against_the_saleor_schema(saleor_schema, name):
    errors = validate(saleor_schema, parse(DOCUMENTS[name]))
    assert not errors, [error.message for error in errors]


@pytest.mark.parametrize("event", sorted(WEBHOOKS))
def test_each_subscription_selects_its_own_event_type(event):
    document = parse(WEBHOOKS[event].query)
    operation = document.definitions[0]
    assert operation.operation == OperationType.SUBSCRIPTION
    type_name = "".join(part.capitalize() for part in event.split("_"))
    assert f"... on {type_name} " in WEBHOOKS[event].query
    assert "issuedAt" in WEBHOOKS[event].query  # makes every body unique: the idempotency key


def test_it_appends_fragments_once():
    document = load_document("subscriptions/order_created")
    assert document.count("fragment LifecycleOrder on Order") == 1
