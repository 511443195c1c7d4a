"""Storefronts call the API from their customers' browsers: CORS per shop, preflights answered."""

import pytest

from saleor_lifecycle.api.models import StorefrontAccess
from saleor_lifecycle.customers.models import Customer

from .conftest import NOW

STOREFRONT = "https://shop.example.com"
ME = "{ me { stage } }"


@pytest.fixture
def storefront(installation):
    StorefrontAccess.objects.create(installation=installation, allowed_origins=[STOREFRONT])


def preflight(client, origin):
    return client.options(
        "/graphql/",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )


def test_it_answers_a_preflight_from_a_shops_storefront(client, storefront):
    response = preflight(client, STOREFRONT)

    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == STOREFRONT
    assert "POST" in response["Access-Control-Allow-Methods"]
    assert "Authorization" in response["Access-Control-Allow-Headers"]
    assert "Origin" in response["Vary"]
    assert "Access-Control-Allow-Credentials" not in response


def test_it_gives_an_unknown_origin_no_cors_headers(client, storefront):
    response = preflight(client, "https://evil.example.com")

    assert response.status_code == 204
    assert "Access-Control-Allow-Origin" not in response


def test_it_lets_the_storefront_read_its_customers_answer(graphql, fake_saleor, installation, storefront):
    user = fake_saleor.add_customer()
    Customer.objects.create(installation=installation, saleor_user_id=user["id"], stage="new", stage_since=NOW)

    answer = graphql(ME, token=fake_saleor.issue_access_token(user), headers={"Origin": STOREFRONT})

    assert answer.data == {"me": {"stage": "NEW"}}
    assert answer.headers["Access-Control-Allow-Origin"] == STOREFRONT


def test_it_does_not_let_another_shops_storefront_read_the_answer(graphql, fake_saleor, installation, other_shop):
    StorefrontAccess.objects.create(installation=other_shop.installation, allowed_origins=["https://other.example.com"])
    user = fake_saleor.add_customer()

    answer = graphql(ME, token=fake_saleor.issue_access_token(user), headers={"Origin": "https://other.example.com"})

    assert answer.status == 200
    assert "Access-Control-Allow-Origin" not in answer.headers


def test_it_lets_a_storefront_read_why_its_token_was_refused(graphql, storefront):
    answer = graphql(ME, token="expired.or.forged", headers={"Origin": STOREFRONT})

    assert answer.status == 401
    assert answer.headers["Access-Control-Allow-Origin"] == STOREFRONT


def test_it_leaves_other_paths_alone(client, storefront):
    response = client.get("/api/manifest", headers={"Origin": STOREFRONT})

    assert response["Access-Control-Allow-Origin"] == "*"  # the manifest's own rule
