"""Results for staff: what each scenario earned (per step, and against its holdout), as
tables or CSV, and how customers flowed between stages. Requires MANAGE_USERS.

The numbers are ``results.reports``'s; intervals the statistics leave open (an empty
group) are null here, since GraphQL has no NaN or infinity.
"""

import math
from datetime import UTC, datetime, timedelta

import graphene
from django.utils import timezone

from ..results.reports import scenario_report, to_csv
from .customers import stage_flows
from .errors import BadUserInput
from .permissions import READ_RESULTS, require
from .scenarios import shop_scenarios
from .types import LifecycleStage

DEFAULT_REPORT_DAYS = 30
#: Reports span at most this long (longer ones read every enrollment of years).
MAX_REPORT_SPAN = timedelta(days=5 * 366)
#: Dates outside these are typing mistakes, and the windows after them overflow.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
DEFAULT_FLOW_DAYS = 30
MAX_FLOW_DAYS = 730


def finite_float(attribute: str, **kwargs) -> graphene.Float:
    """A Float read from ``attribute``, null where that number has no value (NaN for an
    empty group, an infinite bound for an open interval): GraphQL carries neither."""

    def resolve(parent, info) -> float | None:
        value = float(getattr(parent, attribute))
        return value if math.isfinite(value) else None

    return graphene.Float(resolver=resolve, **kwargs)


class ConfidenceInterval(graphene.ObjectType):
    """An estimate with its 95 % interval; null bounds: unbounded, null estimate: no data."""

    estimate = finite_float("estimate")
    low = finite_float("low")
    high = finite_float("high")
    significant = graphene.Boolean(required=True, description="The interval excludes no effect (0).")


class GroupOutcome(graphene.ObjectType):
    """What a group (those who got the scenario, or its holdout) did in the period."""

    customers = graphene.Int(required=True)
    converted = graphene.Int(required=True, description="Of them, who ordered within the attribution window.")
    conversion_rate = finite_float("conversion_rate", description="converted / customers; null for an empty group.")
    revenue = graphene.Float(required=True, description="Net of refunds.")
    revenue_per_customer = finite_float("revenue_per_customer", description="Null for an empty group.")
    discount_cost = graphene.Float(required=True, description="What the scenario's codes took off.")


class Uplift(graphene.ObjectType):
    """The scenario's effect, measured against its holdout, with 95 % intervals."""

    treatment = graphene.Field(GroupOutcome, required=True)
    holdout = graphene.Field(GroupOutcome, required=True)
    conversion_treatment = finite_float("conversion_treatment")
    conversion_holdout = finite_float("conversion_holdout")
    absolute_uplift = graphene.Field(
        ConfidenceInterval, required=True, description="Difference in conversion rates (0.031 = 3.1 points)."
    )
    relative_uplift = graphene.Field(
        ConfidenceInterval, description="Ratio of the rates minus one; null while no held-out customer converted."
    )
    revenue_per_customer_uplift = graphene.Field(ConfidenceInterval, required=True)
    incremental_revenue = graphene.Field(
        ConfidenceInterval, required=True, description="Extra revenue from those who got it, net of discounts."
    )
    enough_data = graphene.Boolean(required=True, description="Both groups are large enough to tell.")
    customers_needed = graphene.Int(required=True, description="More customers needed until then (0: enough).")
    minimum_detectable_effect = graphene.Float(required=True)
    confidence = graphene.Float(required=True)
    verdict = graphene.String(required=True, description="The result in plain words.")


class ScenarioStepReport(graphene.ObjectType):
    """One send step's funnel in the period."""

    step = graphene.String(required=True)
    sent = graphene.Int(required=True)
    held_out = graphene.Int(required=True, description="Would have been sent to held-out customers.")
    delivered = graphene.Int(required=True, description="Confirmed by the ESP (0 with plain SMTP).")
    opened = graphene.Int(required=True)
    clicked = graphene.Int(required=True)
    converted = graphene.Int(required=True, description="Orders attributed to the step (code or window).")
    revenue = graphene.Float(required=True)
    discount_cost = graphene.Float(required=True)
    net_revenue = graphene.Float(required=True)


class ScenarioReport(graphene.ObjectType):
    """A scenario's results for customers who entered it in the period."""

    scenario = graphene.Field("saleor_lifecycle.api.scenarios.Scenario", required=True)
    since = graphene.DateTime(required=True)
    until = graphene.DateTime(required=True)
    steps = graphene.List(graphene.NonNull(ScenarioStepReport), required=True)
    uplift = graphene.Field(Uplift, required=True)


class StageFlow(graphene.ObjectType):
    from_stage = LifecycleStage(description="Null: entered the lifecycle (registered, or first seen ordering).")
    to_stage = LifecycleStage(required=True)
    count = graphene.Int(required=True, description="Moves in the period (a customer may move more than once).")


def report_period(since: datetime | None, until: datetime | None, now: datetime) -> tuple[datetime, datetime]:
    """[since, until): by default the last 30 days; naive times are UTC."""
    since, until = (value.replace(tzinfo=UTC) if value and value.tzinfo is None else value for value in (since, until))
    for name, value in (("since", since), ("until", until)):
        if value is not None and not EARLIEST <= value < LATEST:
            raise BadUserInput(f"Argument `{name}` must be between {EARLIEST:%Y} and {LATEST:%Y}.")
    until = until or now
    since = since or until - timedelta(days=DEFAULT_REPORT_DAYS)
    if since >= until:
        raise BadUserInput("Argument `since` must be before `until`.")
    if until - since > MAX_REPORT_SPAN:
        raise BadUserInput("A report spans at most 5 years.")
    return since, until


def scenario_reports(installation, since, until) -> list[dict]:
    return [scenario_report(scenario, since, until) | {"scenario": scenario} for scenario in shop_scenarios(installation)]


_PERIOD = {
    "since": graphene.DateTime(description="Customers who entered since (default: 30 days before until)."),
    "until": graphene.DateTime(description="...and before (default: now)."),
}


class ResultQueries(graphene.ObjectType):
    scenario_reports = graphene.List(
        graphene.NonNull(ScenarioReport),
        required=True,
        description="Each scenario's funnel and uplift for customers who entered in the period. Requires MANAGE_USERS.",
        **_PERIOD,
    )
    scenario_reports_csv = graphene.String(
        required=True,
        description="The per-step table of scenarioReports as CSV (a header, then a row per scenario and step). "
        "Requires MANAGE_USERS.",
        **_PERIOD,
    )
    stage_flows = graphene.List(
        graphene.NonNull(StageFlow),
        required=True,
        days=graphene.Int(
            default_value=DEFAULT_FLOW_DAYS, description=f"1 to {MAX_FLOW_DAYS}; null: {DEFAULT_FLOW_DAYS}."
        ),
        description="How many customers moved between stages in the last days. Requires MANAGE_USERS.",
    )

    @staticmethod
    def resolve_scenario_reports(root, info, since=None, until=None):
        viewer = require(info.context.viewer, READ_RESULTS)
        return scenario_reports(viewer.installation, *report_period(since, until, timezone.now()))

    @staticmethod
    def resolve_scenario_reports_csv(root, info, since=None, until=None):
        viewer = require(info.context.viewer, READ_RESULTS)
        return to_csv(scenario_reports(viewer.installation, *report_period(since, until, timezone.now())))

    @staticmethod
    def resolve_stage_flows(root, info, days=DEFAULT_FLOW_DAYS):
        viewer = require(info.context.viewer, READ_RESULTS)
        days = DEFAULT_FLOW_DAYS if days is None else days
        if not 1 <= days <= MAX_FLOW_DAYS:
            raise BadUserInput(f"Argument `days` must be between 1 and {MAX_FLOW_DAYS}.")
        since = timezone.now() - timedelta(days=days)
        return [
            StageFlow(from_stage=from_stage, to_stage=to_stage, count=count)
            for from_stage, to_stage, count in stage_flows(viewer.installation, since)
        ]
