"""Staff read the shop's scenarios with a dry run and change their timing and offers."""

from datetime import timedelta

import pytest
import time_machine

from saleor_lifecycle.customers import actions
from saleor_lifecycle.scenarios import engine
from saleor_lifecycle.scenarios.models import Enrollment, Scenario

from ..customers.conftest import make_order
from .conftest import NOW, register_customer

SCENARIO = """
query($key: String!, $days: Int) {
  scenario(key: $key) {
    key name enabled priority runsAlongside holdoutShare attributionWindowDays exitWhen version activeEnrollments
    trigger { kind stage }
    steps {
      key kind next delayHours untilLocalTime template marketing condition then otherwise
      offer { kind value validDays minOrderValue }
    }
    dryRun(days: $days) { days expectedEntries perDay heldOut sendsPerEntry emailsExpected basis }
  }
}
"""
UPDATE = """
mutation($key: String!, $input: ScenarioInput!) {
  scenarioUpdate(key: $key, input: $input) {
    scenario { key enabled holdoutShare version steps { key delayHours untilLocalTime offer { kind value validDays } } }
    errors { field code message }
  }
}
"""


def step(scenario: dict, key: str) -> dict:
    return next(item for item in scenario["steps"] if item["key"] == key)


@pytest.fixture
def discounts_token(fake_saleor, installation):
    """A staff user who may manage customers and discounts."""
    return fake_saleor.issue_thirdparty_token(user_permissions=["MANAGE_USERS", "MANAGE_DISCOUNTS"])


def test_it_lists_the_shops_scenarios(graphql, staff_token, installation):
    answer = graphql("{ scenarios { key enabled version activeEnrollments } }", token=staff_token)

    assert answer.errors == []
    assert [item["key"] for item in answer.data["scenarios"]] == [
        "abandoned_cart", "first_purchase", "reactivation", "retention", "sunset", "welcome", "welcome_back",
    ]
    assert {(item["enabled"], item["version"], item["activeEnrollments"]) for item in answer.data["scenarios"]} == {
        (False, 1, 0)
    }


def test_it_shows_a_scenarios_definition_and_settings(graphql, staff_token, installation):
    welcome = graphql(SCENARIO, {"key": "welcome"}, token=staff_token).data["scenario"]

    assert {key: welcome[key] for key in ("name", "priority", "runsAlongside", "holdoutShare", "exitWhen")} == {
        "name": "Welcome series",
        "priority": 10,
        "runsAlongside": False,
        "holdoutShare": 0.1,
        "exitWhen": ["bounced", "ordered", "unsubscribed"],
    }
    assert welcome["trigger"] == {"kind": "STAGE_ENTERED", "stage": "PROSPECT"}
    assert welcome["steps"] == [
        {"key": "welcome_hello", "kind": "SEND", "next": "wait_2_days", "delayHours": None, "untilLocalTime": None,
         "template": "welcome_hello", "marketing": True, "condition": None, "then": None, "otherwise": None,
         "offer": None},
        {"key": "wait_2_days", "kind": "WAIT", "next": "welcome_first_order_coupon", "delayHours": 48.0,
         "untilLocalTime": None, "template": None, "marketing": True, "condition": None, "then": None,
         "otherwise": None, "offer": None},
        {"key": "welcome_first_order_coupon", "kind": "SEND", "next": None, "delayHours": None, "untilLocalTime": None,
         "template": "welcome_first_order_coupon", "marketing": True, "condition": None, "then": None,
         "otherwise": None, "offer": {"kind": "PERCENTAGE", "value": 10.0, "validDays": 14.0, "minOrderValue": None}},
    ]
    reactivation = graphql(SCENARIO, {"key": "reactivation"}, token=staff_token).data["scenario"]
    assert step(reactivation, "opened_free_shipping") | {"key": None} == {
        "key": None, "kind": "BRANCH", "next": None, "delayHours": None, "untilLocalTime": None, "template": None,
        "marketing": True, "condition": "OPENED", "then": "wait_before_discount",
        "otherwise": "reactivation_code_expires", "offer": None,
    }
    assert graphql(SCENARIO, {"key": "nope"}, token=staff_token).data == {"scenario": None}


def test_the_dry_run_counts_entries_and_the_emails_they_would_get(graphql, staff_token, installation):
    with time_machine.travel(NOW, tick=False):
        for number, days_ago in enumerate([40, 45, 90, 10]):
            order = make_order(number, created=NOW - timedelta(days=days_ago), user_id=f"u{number}", email=f"c{number}@x.com")
            actions.do_apply_order(installation, order, now=NOW)
        retention = graphql(SCENARIO, {"key": "retention", "days": 7}, token=staff_token).data["scenario"]
        reactivation = graphql(SCENARIO, {"key": "reactivation"}, token=staff_token).data["scenario"]
        too_far = graphql(SCENARIO, {"key": "retention", "days": 365}, token=staff_token)

    # One customer's silence reaches the at-risk threshold this week (see tests/scenarios).
    assert retention["dryRun"] == {
        "days": 7,
        "expectedEntries": 1,
        "perDay": pytest.approx(1 / 7),
        "heldOut": 0,
        "sendsPerEntry": 2,
        "emailsExpected": 2,
        "basis": retention["dryRun"]["basis"],
    }
    assert "at_risk" in retention["dryRun"]["basis"]
    # Check-in, free shipping, then the reminder, the discount and the last day for those who did not open.
    assert reactivation["dryRun"]["sendsPerEntry"] == 5
    assert too_far.errors[0]["message"] == "Argument `days` must be between 1 and 90."


def test_a_change_of_timing_makes_a_new_version_that_new_entrants_follow(
    graphql, staff_token, fake_saleor, installation, enable, services, sender
):
    enable("welcome")

    answer = graphql(UPDATE, {"key": "welcome", "input": {"steps": [{"key": "wait_2_days", "delayHours": 72}]}},
                     token=staff_token)

    assert answer.data["scenarioUpdate"]["errors"] == []
    updated = answer.data["scenarioUpdate"]["scenario"]
    assert updated["version"] == 2
    assert step(updated, "wait_2_days")["delayHours"] == 72.0
    assert Scenario.objects.get(installation=installation, key="welcome").versions.count() == 2
    with time_machine.travel(NOW, tick=False):
        register_customer(installation, fake_saleor.add_customer(email="ada@example.com"), days_ago=0)
        engine.run_due(NOW, services=services)
    enrollment = Enrollment.objects.get()
    assert (enrollment.version.number, enrollment.next_run_at) == (2, NOW + timedelta(hours=72))
    assert len(sender.sent) == 1


def test_settings_alone_make_no_new_version(graphql, staff_token, installation):
    answer = graphql(UPDATE, {"key": "welcome", "input": {"enabled": True, "holdoutShare": 0.2,
                                                           "steps": [{"key": "wait_2_days", "delayHours": 48}]}},
                     token=staff_token)

    assert answer.data["scenarioUpdate"]["scenario"] | {"steps": None} == {
        "key": "welcome", "enabled": True, "holdoutShare": 0.2, "version": 1, "steps": None,
    }


@pytest.mark.parametrize(
    "patch, field, code, message",
    [
        ({"key": "wait_2_days", "delayHours": -5}, "steps[1].delayHours", "INVALID",
         "Step 'wait_2_days': a duration must be positive"),
        ({"key": "wait_2_days", "delayHours": 1e12}, "steps[1].delayHours", "INVALID",
         "Step 'wait_2_days': a duration must be at most 730 days"),
        ({"key": "wait_2_days", "untilLocalTime": "25:00"}, "steps[1].untilLocalTime", "INVALID",
         "Step 'wait_2_days': expected a time of day like \"10:00\""),
        ({"key": "welcome_hello", "delayHours": 5}, "steps[1].delayHours", "INVALID",
         "Step 'welcome_hello' is a send; only a wait step has this."),
        ({"key": "welcome_hello", "template": "no_such_email"}, "steps[1].template", "INVALID",
         "No email template 'no_such_email'."),
        ({"key": "no_such_step", "delayHours": 5}, "steps[1].key", "NOT_FOUND", "The scenario has no step 'no_such_step'."),
    ],
)
def test_it_refuses_an_invalid_step_with_a_typed_error_at_its_place(
    graphql, staff_token, installation, patch, field, code, message
):
    steps = [{"key": "welcome_first_order_coupon", "template": "welcome_first_order_coupon"}, patch]

    answer = graphql(UPDATE, {"key": "welcome", "input": {"steps": steps}}, token=staff_token)

    assert answer.data["scenarioUpdate"] == {"scenario": None, "errors": [{"field": field, "code": code, "message": message}]}
    assert Scenario.objects.get(installation=installation, key="welcome").current_version.number == 1


def test_it_refuses_out_of_range_settings_and_unknown_scenarios(graphql, staff_token, installation):
    answer = graphql(UPDATE, {"key": "welcome", "input": {"holdoutShare": 0.9, "attributionWindowDays": 0}},
                     token=staff_token)
    unknown = graphql(UPDATE, {"key": "nope", "input": {"enabled": True}}, token=staff_token)

    assert answer.data["scenarioUpdate"]["errors"] == [
        {"field": "holdoutShare", "code": "INVALID", "message": "Must be between 0 and 0.5."},
        {"field": "attributionWindowDays", "code": "INVALID", "message": "Must be between 0.5 and 90."},
    ]
    assert Scenario.objects.get(installation=installation, key="welcome").holdout_share == 0.1
    assert unknown.data["scenarioUpdate"]["errors"] == [
        {"field": "key", "code": "NOT_FOUND", "message": "The shop has no scenario 'nope'."}
    ]


def test_an_offer_change_needs_manage_discounts(graphql, staff_token, discounts_token, installation):
    change = {"key": "welcome", "input": {"steps": [
        {"key": "welcome_first_order_coupon", "offer": {"kind": "PERCENTAGE", "value": 20, "validDays": 7}}
    ]}}

    refused = graphql(UPDATE, change, token=staff_token)

    assert refused.error_codes == ["PermissionDenied"]
    assert "MANAGE_DISCOUNTS" in refused.errors[0]["message"]
    assert Scenario.objects.get(installation=installation, key="welcome").current_version.number == 1

    accepted = graphql(UPDATE, change, token=discounts_token).data["scenarioUpdate"]

    assert accepted["errors"] == []
    assert step(accepted["scenario"], "welcome_first_order_coupon")["offer"] == {
        "kind": "PERCENTAGE", "value": 20.0, "validDays": 7.0
    }
    assert accepted["scenario"]["version"] == 2


def test_an_invalid_offer_is_a_typed_error(graphql, discounts_token, installation):
    change = {"key": "welcome", "input": {"steps": [
        {"key": "welcome_first_order_coupon", "offer": {"kind": "PERCENTAGE", "value": 150}}
    ]}}

    answer = graphql(UPDATE, change, token=discounts_token)

    assert answer.data["scenarioUpdate"]["errors"] == [{
        "field": "steps[0].offer", "code": "INVALID",
        "message": "Step 'welcome_first_order_coupon': a percentage offer cannot exceed 100",
    }]


def test_staff_without_manage_users_see_and_change_no_scenarios(graphql, fake_saleor, installation):
    token = fake_saleor.issue_thirdparty_token(user_permissions=["MANAGE_ORDERS", "MANAGE_DISCOUNTS"])

    read = graphql("{ scenarios { key } }", token=token)
    change = graphql(UPDATE, {"key": "welcome", "input": {"enabled": True}}, token=token)

    assert read.error_codes == ["PermissionDenied"] and read.data is None
    assert change.error_codes == ["PermissionDenied"]
    assert not Scenario.objects.get(installation=installation, key="welcome").enabled


def test_each_shop_sees_and_changes_only_its_own_scenarios(graphql, staff_token, installation, other_shop):
    theirs = other_shop.issue_thirdparty_token(user_permissions=["MANAGE_USERS"])

    graphql(UPDATE, {"key": "welcome", "input": {"enabled": True}}, token=theirs)

    ours = graphql(SCENARIO, {"key": "welcome"}, token=staff_token).data["scenario"]
    assert ours["enabled"] is False
    assert Scenario.objects.get(installation=other_shop.installation, key="welcome").enabled


def test_a_dry_run_under_every_customer_is_refused_as_too_costly(graphql, staff_token, installation):
    query = """{ customers(first: 100) { edges { node { enrollments { scenario { dryRun { expectedEntries } } } } } } }"""

    answer = graphql(query, token=staff_token)

    assert answer.error_codes == ["QueryCostError"]
