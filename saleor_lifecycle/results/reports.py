"""What each scenario earned, per step, and against its holdout.

Both groups are measured the same way: a customer converted if they placed a counted
order between entering the scenario and the attribution window after it ended (or the
end of the period). Revenue is net of refunds; discount cost is what our codes took off.
"""

import csv
import io
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum

from ..customers.models import Order
from ..scenarios.definitions import StepKind
from ..scenarios.models import Enrollment, Scenario, StepRun, StepRunStatus
from .models import Attribution
from .uplift import GroupOutcome, uplift_report


def step_rows(scenario: Scenario, since: datetime, until: datetime) -> list[dict]:
    """sent → delivered → opened → clicked → converted, revenue, discount cost and net, per send step.

    ``delivered`` counts what the ESP confirmed; with plain SMTP nothing confirms it.
    """
    runs = StepRun.objects.filter(enrollment__scenario=scenario, started_at__gte=since, started_at__lt=until)
    counts = {
        row["step_key"]: row
        for row in runs.values("step_key").annotate(
            sent=Count("id", filter=Q(status=StepRunStatus.SENT)),
            delivered=Count("id", filter=Q(delivered_at__isnull=False)),
            held_out=Count("id", filter=Q(status=StepRunStatus.HELD_OUT)),
            opened=Count("id", filter=Q(opened_at__isnull=False)),
            clicked=Count("id", filter=Q(clicked_at__isnull=False)),
        )
    }
    money = {
        row["step_run__step_key"]: row
        for row in Attribution.objects.filter(step_run__in=runs)
        .values("step_run__step_key")
        .annotate(converted=Count("id"), revenue=Sum("revenue"), discount=Sum("discount"))
    }
    rows = []
    for step in scenario.definition.steps:
        if step.kind != StepKind.SEND:
            continue
        count, earned = counts.get(step.key, {}), money.get(step.key, {})
        revenue, discount = earned.get("revenue") or Decimal(0), earned.get("discount") or Decimal(0)
        rows.append(
            {
                "scenario": scenario.key,
                "step": step.key,
                "sent": count.get("sent", 0),
                "held_out": count.get("held_out", 0),
                "delivered": count.get("delivered", 0),
                "opened": count.get("opened", 0),
                "clicked": count.get("clicked", 0),
                "converted": earned.get("converted", 0),
                "revenue": revenue,
                "discount_cost": discount,
                "net_revenue": revenue - discount,
            }
        )
    return rows


def group_outcomes(scenario: Scenario, since: datetime, until: datetime) -> tuple[GroupOutcome, GroupOutcome]:
    """Treatment and holdout of the customers who entered in [since, until)."""
    window = timedelta(days=scenario.attribution_window_days)
    enrollments = list(
        Enrollment.objects.filter(scenario=scenario, entered_at__gte=since, entered_at__lt=until).values_list(
            "customer_id", "entered_at", "finished_at", "held_out"
        )
    )
    orders = defaultdict(list)
    for customer_id, created, total, refunded in Order.objects.filter(
        customer_id__in={row[0] for row in enrollments}, counts=True, created__gte=since
    ).values_list("customer_id", "created", "total", "refunded"):
        orders[customer_id].append((created, float(total - refunded)))

    groups = {True: [0, 0, 0.0, 0.0], False: [0, 0, 0.0, 0.0]}  # customers, converted, revenue, revenue²
    for customer_id, entered_at, finished_at, held_out in enrollments:
        end = min((finished_at or until) + window, until)
        revenue = sum(amount for created, amount in orders[customer_id] if entered_at <= created <= end)
        bought = any(entered_at <= created <= end for created, _ in orders[customer_id])
        group = groups[held_out]
        group[0] += 1
        group[1] += bought
        group[2] += revenue
        group[3] += revenue * revenue
    discount = Attribution.objects.filter(
        scenario=scenario, step_run__enrollment__entered_at__gte=since, step_run__enrollment__entered_at__lt=until
    ).aggregate(total=Sum("discount"))["total"] or Decimal(0)
    treatment = GroupOutcome(*groups[False][:2], groups[False][2], groups[False][3], float(discount))
    holdout = GroupOutcome(*groups[True][:2], groups[True][2], groups[True][3])
    return treatment, holdout


def scenario_report(scenario: Scenario, since: datetime, until: datetime) -> dict:
    treatment, holdout = group_outcomes(scenario, since, until)
    # No holdout (0) plans no split: the report takes the one observed, if any.
    planned_share = scenario.holdout_share if 0 < scenario.holdout_share < 1 else None
    return {
        "scenario": scenario.key,
        "name": scenario.definition.name,
        "since": since,
        "until": until,
        "steps": step_rows(scenario, since, until),
        # Saleor's order total is already net of the voucher: discounts are in the revenue.
        "uplift": uplift_report(treatment, holdout, holdout_share=planned_share, discounts_in_revenue=True),
    }


CSV_COLUMNS = [
    "scenario", "step", "sent", "held_out", "delivered", "opened", "clicked", "converted", "revenue", "discount_cost",
    "net_revenue",
]


def to_csv(reports: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for report in reports:
        writer.writerows(report["steps"])
    return out.getvalue()
