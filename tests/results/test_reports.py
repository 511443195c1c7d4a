"""The results report: per step, against the holdout, as a command with CSV export."""

import csv
from datetime import timedelta

from django.core.management import call_command

from saleor_lifecycle.customers import actions
from saleor_lifecycle.customers.models import Customer
from saleor_lifecycle.results.attribution import do_attribute_order
from saleor_lifecycle.results.reports import scenario_report
from saleor_lifecycle.scenarios.models import Enrollment, Scenario, StepRun, StepRunStatus

from ..customers.conftest import make_order
from ..scenarios.conftest import NOW


def test_it_reports_each_step_and_the_uplift_against_the_holdout(installation, tmp_path, capsys):
    scenario = Scenario.objects.get(installation=installation, key="reactivation")
    for number in range(40):
        customer = Customer.objects.create(installation=installation, email=f"c{number}@x.com", stage_since=NOW)
        held_out = number % 4 == 0
        enrollment = Enrollment.objects.create(
            installation=installation, scenario=scenario, version=scenario.current_version, customer=customer,
            entry_key="t", entered_at=NOW, held_out=held_out, step_key=None, status="completed", finished_at=NOW,
        )
        StepRun.objects.create(
            enrollment=enrollment, customer=customer, step_key="reactivation_checkin", started_at=NOW,
            sent_at=NOW, status=StepRunStatus.HELD_OUT if held_out else StepRunStatus.SENT,
            opened_at=None if number % 3 else NOW,
        )
        if number % 5 == 1:  # 8 come back within the window: 6 treated, 2 held out (16, 36)
            order = make_order(number, created=NOW + timedelta(days=2), user_id=None, email=f"c{number}@x.com")
            row = actions.do_apply_order(installation, order, now=NOW + timedelta(days=2))
            do_attribute_order(row, NOW + timedelta(days=2))  # as the order event's receiver does

    report = scenario_report(scenario, NOW - timedelta(days=1), NOW + timedelta(days=30))
    checkin = report["steps"][0]
    assert (checkin["step"], checkin["sent"], checkin["held_out"]) == ("reactivation_checkin", 30, 10)
    assert checkin["converted"] == 6 and checkin["revenue"] == 600  # held-out orders are not attributed
    uplift = report["uplift"]
    assert (uplift.treatment.customers, uplift.treatment.converted) == (30, 6)
    assert (uplift.holdout.customers, uplift.holdout.converted) == (10, 2)
    assert "not enough data" in uplift.verdict.lower()

    call_command("results", "--scenario", "reactivation", "--since", "2026-03-01", "--until", "2026-04-01", "--csv", str(tmp_path / "r.csv"))
    assert "reactivation_checkin" in capsys.readouterr().out
    rows = list(csv.DictReader((tmp_path / "r.csv").open()))
    assert rows[0]["step"] == "reactivation_checkin" and rows[0]["converted"] == "6"
