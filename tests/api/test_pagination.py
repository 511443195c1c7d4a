"""Paging through customers in any order visits every matching customer exactly once."""

from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saleor_lifecycle.customers.models import Customer

from .conftest import NOW

LIST = """
query($stage: LifecycleStage, $sortBy: CustomerSortingInput, $first: Int, $after: String, $last: Int, $before: String) {
  customers(stage: $stage, sortBy: $sortBy, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { node { email } }
  }
}
"""


@pytest.fixture
def crowd(installation):
    """Customers with many ties and missing orders, the hard cases for keyset paging."""
    Customer.objects.bulk_create(
        Customer(
            installation=installation,
            email=f"c{i:02}@example.com",
            stage=["new", "returning", "prospect"][i % 3],
            stage_since=NOW - timedelta(days=i % 4),
            orders_count=0 if i % 3 == 2 else i % 4,
            total_spent=Decimal(10 * (i % 5)),
            first_order_at=None if i % 3 == 2 else NOW - timedelta(days=100 + i % 6),
            last_order_at=None if i % 3 == 2 else NOW - timedelta(days=i % 6),
        )
        for i in range(23)
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    field=st.sampled_from(["EMAIL", "STAGE_SINCE", "ORDERS_COUNT", "TOTAL_SPENT", "FIRST_ORDER_AT", "LAST_ORDER_AT"]),
    direction=st.sampled_from(["ASC", "DESC"]),
    stage=st.sampled_from([None, "NEW", "PROSPECT"]),
    size=st.integers(min_value=1, max_value=7),
    backwards=st.booleans(),
)
def test_it_visits_every_customer_once_in_any_order(graphql, fake_saleor, crowd, field, direction, stage, size, backwards):
    sort_by = {"field": field, "direction": direction}
    whole = graphql(LIST, {"sortBy": sort_by, "stage": stage, "first": 100}, token=fake_saleor.app_token)
    expected = [edge["node"]["email"] for edge in whole.data["customers"]["edges"]]

    seen, cursor = [], None
    for _ in range(30):
        if backwards:
            variables = {"last": size, "before": cursor}
        else:
            variables = {"first": size, "after": cursor}
        page = graphql(LIST, {"sortBy": sort_by, "stage": stage, **variables}, token=fake_saleor.app_token)
        connection = page.data["customers"]
        emails = [edge["node"]["email"] for edge in connection["edges"]]
        assert len(emails) <= size
        seen = emails + seen if backwards else seen + emails
        more = connection["pageInfo"]["hasPreviousPage" if backwards else "hasNextPage"]
        if not more:
            break
        cursor = connection["pageInfo"]["startCursor" if backwards else "endCursor"]

    assert seen == expected
    assert len(set(seen)) == len(seen) == whole.data["customers"]["totalCount"]
