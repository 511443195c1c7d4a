"""Staff read what each scenario earned (tables and CSV) and how customers flowed between stages."""

import csv
import io
from datetime import timedelta

import pytest
import time_machine

from saleor_lifecycle.customers import actions
from saleor_lifecycle.customers.models import Customer
from saleor_lifecycle.results.attribution import do_attribute_order
from saleor_lifecycle.scenarios.models import Enrollment, Scenario, StepRun, StepRunStatus

from ..customers.conftest import make_order
from .conftest import NOW, buy, register_customer

REPORTS = """
query($since: DateTime, $until: DateTime) {
  scenarioReports(since: $since, until: $until) {
    scenario { key name } since until
    steps { step sent heldOut delivered opened clicked converted revenue discountCost netRevenue }
    uplift {
      treatment { customers converted conversionRate revenue revenuePerCustomer discountCost }
      holdout { customers converted conversionRate }
      conversionTreatment conversionHoldout
      absoluteUplift { estimate low high significant }
      relativeUplift { estimate low high significant }
      revenuePerCustomerUplift { estimate low high }
      incrementalRevenue { estimate low high }
      enoughData customersNeeded minimumDetectableEffect confidence verdict
    }
  }
}
"""
CSV = "query($since: DateTime, $until: DateTime) { scenarioReportsCsv(since: $since, until: $until) }"
FLOWS = "query($days: Int) { stageFlows(days: $days) { fromStage toStage count } }"
PERIOD = {"since": (NOW - timedelta(days=1)).isoformat(), "until": (NOW + timedelta(days=30)).isoformat()}


@pytest.fixture
def reactivation_results(installation):
    """40 customers through the reactivation check-in: 30 got it, 10 held out; 8 ordered."""
    scenario = Scenario.objects.get(installation=installation, key="reactivation")
    for number in range(40):
        customer = Customer.objects.create(installation=installation, email=f"c{number}@x.com", stage_since=NOW)
        held_out = number % 4 == 0
        enrollment = Enrollment.objects.create(
            installation=installation, scenario=scenario, version=scenario.current_version, customer=customer,
            entry_key="t", entered_at=NOW, held_out=held_out, step_key=None, status="completed", finished_at=NOW,
        )
        StepRun.objects.create(
            enrollment=enrollment, customer=customer, step_key="reactivation_checkin", started_at=NOW, sent_at=NOW,
            status=StepRunStatus.HELD_OUT if held_out else StepRunStatus.SENT,
            delivered_at=None if held_out else NOW, opened_at=None if number % 3 else NOW,
        )
        if number % 5 == 1:  # 6 treated and 2 held-out customers come back within the window
            order = make_order(number, created=NOW + timedelta(days=2), user_id=None, email=f"c{number}@x.com")
            do_attribute_order(actions.do_apply_order(installation, order, now=NOW + timedelta(days=2)), NOW + timedelta(days=2))
    return scenario


def test_it_reports_each_scenarios_funnel_and_uplift(graphql, staff_token, reactivation_results):
    answer = graphql(REPORTS, PERIOD, token=staff_token)

    assert answer.errors == []
    reports = {report["scenario"]["key"]: report for report in answer.data["scenarioReports"]}
    assert len(reports) == 7
    report = reports["reactivation"]
    assert report["scenario"]["name"] == "Reactivation in five steps"
    assert report["steps"][0] == {
        "step": "reactivation_checkin", "sent": 30, "heldOut": 10, "delivered": 30, "opened": 14, "clicked": 0,
        "converted": 6, "revenue": 600.0, "discountCost": 0.0, "netRevenue": 600.0,
    }
    uplift = report["uplift"]
    assert uplift["treatment"] | {"revenuePerCustomer": None} == {
        "customers": 30, "converted": 6, "conversionRate": 0.2, "revenue": 600.0, "revenuePerCustomer": None,
        "discountCost": 0.0,
    }
    assert uplift["holdout"] == {"customers": 10, "converted": 2, "conversionRate": 0.2}
    interval = uplift["absoluteUplift"]
    assert interval["low"] < interval["estimate"] < interval["high"] and interval["significant"] is False
    assert uplift["confidence"] == 0.95
    assert "not enough data" in uplift["verdict"].lower()


def test_a_scenario_without_data_has_null_rates_not_errors(graphql, staff_token, installation):
    Scenario.objects.filter(installation=installation, key="welcome").update(holdout_share=0)

    answer = graphql(REPORTS, token=staff_token)

    assert answer.errors == []
    welcome = next(r for r in answer.data["scenarioReports"] if r["scenario"]["key"] == "welcome")
    assert welcome["uplift"]["conversionTreatment"] is None
    assert welcome["uplift"]["absoluteUplift"]["estimate"] is None
    assert welcome["uplift"]["relativeUplift"] is None
    assert [row["sent"] for row in welcome["steps"]] == [0, 0]


@time_machine.travel(NOW, tick=False)
def test_it_reports_the_last_30_days_by_default(graphql, fake_saleor, installation):
    token = fake_saleor.issue_thirdparty_token(user_permissions=["MANAGE_USERS"])

    report = graphql(REPORTS, token=token).data["scenarioReports"][0]

    assert (report["since"], report["until"]) == ((NOW - timedelta(days=30)).isoformat(), NOW.isoformat())


def test_it_offers_the_step_table_as_csv(graphql, staff_token, reactivation_results):
    answer = graphql(CSV, PERIOD, token=staff_token)

    rows = list(csv.DictReader(io.StringIO(answer.data["scenarioReportsCsv"])))
    checkin = next(row for row in rows if row["step"] == "reactivation_checkin")
    assert checkin | {"revenue": None, "discount_cost": None, "net_revenue": None} == {
        "scenario": "reactivation", "step": "reactivation_checkin", "sent": "30", "held_out": "10", "delivered": "30",
        "opened": "14", "clicked": "0", "converted": "6", "revenue": None, "discount_cost": None, "net_revenue": None,
    }
    assert float(checkin["net_revenue"]) == 600
    assert {row["scenario"] for row in rows} == {
        "abandoned_cart", "first_purchase", "reactivation", "retention", "sunset", "welcome", "welcome_back",
    }


@pytest.mark.parametrize(
    "period, message",
    [
        ({"since": "2026-03-02T00:00:00+00:00", "until": "2026-03-01T00:00:00+00:00"},
         "Argument `since` must be before `until`."),
        ({"since": "0001-01-01T00:00:00+00:00"}, "Argument `since` must be between 1970 and 2200."),
        ({"since": "2000-01-01T00:00:00+00:00", "until": "2026-01-01T00:00:00+00:00"}, "A report spans at most 5 years."),
    ],
)
def test_it_refuses_a_period_it_cannot_report(graphql, staff_token, installation, period, message):
    answer = graphql(REPORTS, period, token=staff_token)

    assert [error["message"] for error in answer.errors] == [message]
    assert answer.errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_it_counts_the_moves_between_stages_in_the_last_days(graphql, fake_saleor, installation):
    with time_machine.travel(NOW, tick=False):
        ada = fake_saleor.add_customer(email="ada@example.com")
        grace = fake_saleor.add_customer(email="grace@example.com")
        linus = fake_saleor.add_customer(email="linus@example.com")
        register_customer(installation, ada, days_ago=10)
        register_customer(installation, grace, days_ago=200)
        register_customer(installation, linus, days_ago=5)
        buy(installation, grace, 1, days_ago=5)
        buy(installation, linus, 2, days_ago=3)
        token = fake_saleor.issue_thirdparty_token(user_permissions=["MANAGE_USERS"])

        month = graphql(FLOWS, token=token).data["stageFlows"]
        year = graphql(FLOWS, {"days": 365}, token=token).data["stageFlows"]
        refused = graphql(FLOWS, {"days": 0}, token=token)

    assert month == [
        {"fromStage": None, "toStage": "PROSPECT", "count": 2},
        {"fromStage": "PROSPECT", "toStage": "NEW", "count": 2},
    ]
    assert year[0] == {"fromStage": None, "toStage": "PROSPECT", "count": 3}
    assert refused.errors[0]["message"] == "Argument `days` must be between 1 and 730."


def test_staff_without_manage_users_get_no_results(graphql, fake_saleor, installation):
    token = fake_saleor.issue_thirdparty_token(user_permissions=["MANAGE_ORDERS"])

    for query in (REPORTS, CSV, FLOWS):
        assert graphql(query, token=token).error_codes == ["PermissionDenied"]
