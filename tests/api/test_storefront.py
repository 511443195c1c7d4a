"""A customer's storefront reads their own lifecycle with their Saleor access token."""

import pytest
import time_machine

from saleor_lifecycle.customers import actions
from saleor_lifecycle.customers.models import Customer

from .conftest import NOW, buy

ME = "{ me { stage stageSince offers { code kind value expiresAt } nextBestAction } }"


@pytest.fixture
def ada(fake_saleor, installation):
    user = fake_saleor.add_customer(email="ada@example.com", firstName="Ada")
    buy(installation, user, 1, days_ago=80)
    buy(installation, user, 2, days_ago=60)
    actions.advance_due_stages(NOW)
    return user


@pytest.fixture
def grace(fake_saleor, installation):
    user = fake_saleor.add_customer(email="grace@example.com", firstName="Grace")
    buy(installation, user, 3, days_ago=3)
    return user


@time_machine.travel(NOW, tick=False)
def test_it_shows_a_customer_their_own_stage(graphql, fake_saleor, installation, ada, grace):
    fake_saleor.clock = lambda: NOW
    answer = graphql(ME, token=fake_saleor.issue_access_token(ada))

    assert answer.status == 200, answer.body
    me = answer.data["me"]
    customer = Customer.objects.get(saleor_user_id=ada["id"])
    assert me["stage"] == "AT_RISK"
    assert me["stageSince"] == customer.stage_since.isoformat()
    assert me["nextBestAction"] == "retention_offer"
    assert me["offers"] == []


@time_machine.travel(NOW, tick=False)
def test_it_shows_each_customer_only_their_own_data(graphql, fake_saleor, installation, ada, grace):
    fake_saleor.clock = lambda: NOW
    answer = graphql(ME, token=fake_saleor.issue_access_token(grace))

    assert answer.data["me"]["stage"] == "NEW"
    assert answer.data["me"]["nextBestAction"] == "second_order_nudge"


@time_machine.travel(NOW, tick=False)
def test_it_refuses_a_customer_the_shops_customer_list(graphql, fake_saleor, installation, ada, grace):
    fake_saleor.clock = lambda: NOW
    token = fake_saleor.issue_access_token(grace)

    answer = graphql(
        "{ customers(first: 10) { edges { node { email } } } stageCounts { stage count } }", token=token
    )

    assert answer.data is None
    assert answer.error_codes == ["PermissionDenied", "PermissionDenied"]
    assert "MANAGE_USERS" in answer.errors[0]["message"]
    assert "ada@example.com" not in str(answer.body)


@time_machine.travel(NOW, tick=False)
def test_it_refuses_a_customer_another_customers_profile(graphql, fake_saleor, installation, ada, grace):
    fake_saleor.clock = lambda: NOW
    answer = graphql(
        "query($id: ID) { customer(saleorUserId: $id) { email stage } }",
        {"id": ada["id"]},
        token=fake_saleor.issue_access_token(grace),
    )

    assert answer.data == {"customer": None}
    assert answer.error_codes == ["PermissionDenied"]


def test_it_treats_a_customer_the_app_has_not_seen_yet_as_a_prospect(graphql, fake_saleor, installation):
    newcomer = fake_saleor.add_customer(email="new@example.com")

    answer = graphql(ME, token=fake_saleor.issue_access_token(newcomer))

    assert answer.data["me"] == {
        "stage": "PROSPECT",
        "stageSince": None,
        "offers": [],
        "nextBestAction": "first_order_offer",
    }
    assert not Customer.objects.exists()


def test_it_answers_null_me_without_a_token(graphql, installation):
    answer = graphql(ME)

    assert answer.status == 200
    assert answer.data == {"me": None}


def test_it_answers_null_me_for_the_dashboard(graphql, fake_saleor, staff_token):
    assert graphql(ME, token=staff_token).data == {"me": None}


@pytest.mark.parametrize(
    ("stage", "action"),
    [
        ("prospect", "first_order_offer"),
        ("new", "second_order_nudge"),
        ("returning", "loyalty_reward"),
        ("at_risk", "retention_offer"),
        ("lapsed", "welcome_back"),
        ("sunset", "none"),
    ],
)
def test_it_derives_the_next_best_action_from_the_stage(graphql, fake_saleor, installation, stage, action):
    user = fake_saleor.add_customer()
    Customer.objects.create(installation=installation, saleor_user_id=user["id"], stage=stage, stage_since=NOW)

    answer = graphql(ME, token=fake_saleor.issue_access_token(user))

    assert answer.data["me"]["stage"] == stage.upper()
    assert answer.data["me"]["nextBestAction"] == action
