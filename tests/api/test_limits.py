"""One request cannot scan a shop: pages are capped, and deep or costly queries are refused unrun."""

import pytest
from graphql import get_introspection_query

from saleor_lifecycle.customers.models import Customer

from .conftest import NOW


@pytest.fixture
def customers(installation):
    Customer.objects.bulk_create(
        Customer(installation=installation, email=f"c{i:03}@example.com", stage="new", stage_since=NOW)
        for i in range(120)
    )


def assert_refused_unrun(answer, code):
    assert answer.status == 400
    assert "data" not in answer.body
    assert answer.error_codes == [code]


def test_it_caps_a_page_at_100_customers(graphql, fake_saleor, customers):
    answer = graphql("{ customers(first: 101) { edges { node { email } } } }", token=fake_saleor.app_token)

    assert answer.data == {"customers": None}
    assert answer.errors[0]["message"] == (
        "Requesting 101 records on the `customers` connection exceeds the `first` limit of 100 records."
    )
    assert answer.errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_it_requires_a_page_size(graphql, fake_saleor, customers):
    answer = graphql("{ customers { totalCount } }", token=fake_saleor.app_token)

    assert answer.data == {"customers": None}
    assert "You must provide a `first` or `last` value" in answer.errors[0]["message"]


def test_it_serves_a_full_page(graphql, fake_saleor, customers):
    answer = graphql("{ customers(first: 100) { totalCount edges { node { email } } } }", token=fake_saleor.app_token)

    assert answer.data["customers"]["totalCount"] == 120
    assert len(answer.data["customers"]["edges"]) == 100


def test_it_answers_queries_within_the_depth_limit(graphql, fake_saleor, customers):
    query = "{ customers(first: 1) { edges { node { " + "... on Customer { " * 3 + "rfm { segment } " + "} " * 3
    query += "explain { facts { ordersCounted } nextStage { stage } } } } } }"

    answer = graphql(query, token=fake_saleor.app_token)

    assert answer.status == 200
    assert answer.data["customers"]["edges"][0]["node"]["explain"]["nextStage"] == {"stage": None}


def test_it_refuses_more_depth_than_allowed(graphql, fake_saleor, installation, settings):
    settings.API_MAX_QUERY_DEPTH = 4
    query = "{ customers(first: 1) { edges { node { explain { nextStage { stage } } } } } }"

    answer = graphql(query, token=fake_saleor.app_token)

    assert_refused_unrun(answer, "QueryCostError")
    assert answer.errors[0]["message"] == "The query is nested 6 levels deep; at most 4 are allowed."


def test_it_refuses_a_query_that_would_cost_too_much(graphql, fake_saleor, customers):
    page = "customers(first: 100) { edges { node { email explain { reason } } } }"
    query = "{ " + " ".join(f"p{i}: {page}" for i in range(5)) + " }"

    answer = graphql(query, token=fake_saleor.app_token)

    assert_refused_unrun(answer, "QueryCostError")
    assert answer.errors[0]["message"].startswith("The query exceeds the maximum cost of 5000. Actual cost is ")


def test_it_costs_pages_by_their_variables(graphql, fake_saleor, customers):
    query = "query($n: Int) { a: customers(first: $n) { edges { node { explain { reason } } } } }"

    assert graphql(query, {"n": 5}, token=fake_saleor.app_token).status == 200
    assert_refused_unrun(graphql(query, {"n": 1000}, token=fake_saleor.app_token), "QueryCostError")


def test_it_costs_a_fragment_bomb_without_expanding_it(graphql, fake_saleor, installation):
    fragments = ["fragment F0 on Customer { email }"]
    fragments += [f"fragment F{i} on Customer {{ a: ...F{i - 1} b: email ...F{i - 1} }}" for i in range(1, 40)]
    query = "{ customers(first: 1) { edges { node { ...F39 } } } } " + " ".join(fragments)

    answer = graphql(query, token=fake_saleor.app_token)

    assert answer.status == 400
    assert "data" not in answer.body


def test_it_survives_a_fragment_cycle(graphql, fake_saleor, installation):
    query = "{ customers(first: 1) { edges { node { ...A } } } } fragment A on Customer { email ...B } fragment B on Customer { ...A }"

    answer = graphql(query, token=fake_saleor.app_token)

    assert answer.status == 400
    assert "Cannot spread fragment" in answer.errors[0]["message"]


def test_it_answers_the_standard_introspection_query(graphql, installation):
    answer = graphql(get_introspection_query(descriptions=True))

    assert answer.status == 200
    assert answer.data["__schema"]["queryType"]["name"] == "Query"


def test_it_refuses_introspection_that_multiplies(graphql, installation):
    query = "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }"

    answer = graphql(query)

    # graphql-core >= 3.2.4 refuses it too (MaxIntrospectionDepthRule); ours holds on any 3.2.
    assert answer.status == 400
    assert "data" not in answer.body
    assert answer.errors[0]["message"] == "Introspection nests 4 lists; at most 3 are allowed."


def test_it_refuses_an_oversized_document(graphql, installation):
    query = "{ " + " ".join(f"a{i}: __typename" for i in range(3000)) + " }"

    answer = graphql(query)

    assert answer.status == 400
    assert "Document contains more than 5000 tokens" in answer.errors[0]["message"]
