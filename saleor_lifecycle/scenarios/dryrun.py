"""Before enabling a scenario: how many would enter; for a customer: what happens next."""

from datetime import datetime, timedelta

from django.db.models import Q

from ..customers.models import Customer, StageTransition
from ..customers.stages import Stage
from ..saleor_app.models import Installation
from .contact import next_allowed
from .definitions import ScenarioDefinition, StepKind, TriggerKind
from .models import Checkout, CheckoutStatus, ContactPolicy, EnrollmentStatus, Scenario

#: the stage that follows each stage if nothing happens
NEXT_STAGE = {
    Stage.NEW: Stage.AT_RISK,
    Stage.RETURNING: Stage.AT_RISK,
    Stage.AT_RISK: Stage.LAPSED,
    Stage.LAPSED: Stage.SUNSET,
}


def _daily_rate(installation: Installation, condition: Q, now: datetime, days: int = 28) -> float:
    recent = StageTransition.objects.filter(
        condition, customer__installation=installation, at__gte=now - timedelta(days=days), at__lte=now
    ).exclude(reason="backfill")
    return recent.count() / days


def most_sends(definition: ScenarioDefinition) -> int:
    """The most emails one entrant can get: send steps on the longest way through.

    Links only point forward, so walking the steps backwards sees every successor first.
    """
    best: dict[str, int] = {}
    for step in reversed(definition.steps):
        if step.kind == StepKind.EXIT:
            following = []
        elif step.kind == StepKind.BRANCH:
            following = [step.then, step.otherwise]
        else:
            following = [definition.following(step)]
        best[step.key] = (step.kind == StepKind.SEND) + max((best.get(key, 0) for key in following if key), default=0)
    return best[definition.first_step]


def simulate_entries(scenario: Scenario, now: datetime, days: int = 7) -> dict:
    """How many customers would enter in the next ``days`` days, and on what basis.

    Time-driven stages are counted exactly from each customer's ``stage_due_at``; events
    nobody can foresee (orders, carts) are projected from the last four weeks' rate.
    Besides the entries: their rate per day, how many the holdout keeps from any email,
    and the most emails the others would get over the whole scenario (each going
    through the longest way; ordering or leaving the stage cuts it short).
    """
    installation, definition = scenario.installation, scenario.definition
    trigger = definition.trigger
    reachable = Customer.objects.filter(installation=installation, erased_at__isnull=True).exclude(email="")
    horizon = now + timedelta(days=days)
    if trigger.kind == TriggerKind.STAGE_ENTERED:
        coming_from = [stage for stage, following in NEXT_STAGE.items() if following == trigger.stage]
        expected = reachable.filter(stage__in=coming_from, stage_due_at__lte=horizon).count()
        basis = f"customers whose stage becomes {trigger.stage} by {horizon:%Y-%m-%d}"
        if not coming_from:  # prospects and the like enter by events
            expected = round(_daily_rate(installation, Q(to_stage=trigger.stage), now) * days)
            basis = f"the last 28 days' rate of customers entering {trigger.stage}"
    elif trigger.kind == TriggerKind.CART_ABANDONED:
        waiting = Checkout.objects.filter(installation=installation, status=CheckoutStatus.ACTIVE).exclude(email="").count()
        month = Checkout.objects.filter(installation=installation, abandoned_at__gte=now - timedelta(days=28)).count()
        expected = waiting + round(month / 28 * days)
        basis = "open checkouts now plus the last 28 days' abandonment rate"
    elif trigger.kind == TriggerKind.FIRST_ORDER:
        expected = round(_daily_rate(installation, Q(from_stage=Stage.PROSPECT, to_stage=Stage.NEW), now) * days)
        basis = "the last 28 days' rate of first orders"
    elif trigger.kind == TriggerKind.CAME_BACK:
        came_back = Q(from_stage__in=[Stage.LAPSED, Stage.SUNSET], to_stage__in=[Stage.NEW, Stage.RETURNING])
        expected = round(_daily_rate(installation, came_back, now) * days)
        basis = "the last 28 days' rate of lapsed customers ordering again"
    elif trigger.kind == TriggerKind.FIRST_ORDER_ANNIVERSARY:
        expected = sum(
            1
            for first in reachable.filter(first_order_at__lt=now - timedelta(days=300)).values_list("first_order_at", flat=True)
            if any((now + timedelta(days=offset)).strftime("%m-%d") == first.strftime("%m-%d") for offset in range(days))
        )
        basis = "first-order anniversaries in the window"
    else:
        expected, basis = 0, "entered by staff"
    held_out = round(expected * scenario.holdout_share)
    sends = most_sends(definition)
    return {
        "scenario": scenario.key,
        "days": days,
        "expected_entries": expected,
        "per_day": expected / days if days > 0 else 0.0,
        "held_out": held_out,
        "sends_per_entry": sends,
        "emails_expected": (expected - held_out) * sends,
        "basis": basis,
    }


def explain_customer_scenarios(customer: Customer, now: datetime) -> list[dict]:
    """Each active enrollment: the next step, when it is planned, what could defer or stop it."""
    policy = ContactPolicy.for_installation(customer.installation)
    allowed = next_allowed(customer, now, policy)
    plans = []
    enrollments = customer.enrollments.filter(status=EnrollmentStatus.ACTIVE).select_related("scenario", "version")
    for enrollment in enrollments:
        definition: ScenarioDefinition = enrollment.version.parsed
        step = definition.step(enrollment.step_key)
        planned = enrollment.next_run_at
        rules = [f"stops when: {', '.join(sorted(definition.exit_when))}"]
        if step is not None and step.kind == StepKind.SEND and step.marketing and planned and allowed > planned:
            rules.append(f"deferred to {allowed:%Y-%m-%d %H:%M %Z} by the frequency budget or quiet hours")
        plans.append(
            {
                "scenario": enrollment.scenario.key,
                "version": enrollment.version.number,
                "next_step": step.key if step else None,
                "kind": step.kind if step else None,
                "planned_at": planned,
                "rules": rules,
            }
        )
    return plans

