"""Who enters which scenario, and the shop's copies of the built-in library."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from ..core import rows
from ..core.cache import PerProcess
from ..customers.models import Customer
from ..results.uplift import holdout_assignment
from ..saleor_app.models import Installation
from .definitions import ScenarioDefinition, TriggerKind, parse_definition
from .library import BUILT_IN
from .models import Checkout, Enrollment, EnrollmentStatus, Scenario, ScenarioVersion


def install_library(installation: Installation) -> list[Scenario]:
    """Give the shop its own copy of every built-in scenario, disabled until it says so."""
    scenarios = []
    for data in BUILT_IN:
        scenario, created = Scenario.objects.get_or_create(installation=installation, key=data["key"])
        if created or scenario.current_version is None:
            save_version(scenario, data)
        scenarios.append(scenario)
    return scenarios


def save_version(scenario: Scenario, data: dict) -> ScenarioVersion:
    """Validate and store a new version; running enrollments stay on theirs."""
    definition = parse_definition(data)  # raises DefinitionError
    if definition.key != scenario.key:
        raise ValueError(f"the definition's key {definition.key!r} is not {scenario.key!r}")
    with transaction.atomic():
        last = scenario.versions.order_by("-number").values_list("number", flat=True).first() or 0
        version = ScenarioVersion.objects.create(scenario=scenario, number=last + 1, definition=data)
        scenario.current_version = version
        scenario.save(update_fields=["current_version"])
    return version


def enabled_scenarios(installation: Installation) -> list[tuple[Scenario, ScenarioDefinition]]:
    """The shop's enabled scenarios with their current definitions.

    Asked on every stage change, order and checkout: kept a few seconds per process
    (``core.cache``; saving a scenario here forgets its shop's entry). Read the scenarios,
    never save them.
    """
    return cached_scenarios.get(installation.pk)


def _load_enabled_scenarios(installation_id: int) -> list[tuple[Scenario, ScenarioDefinition]]:
    scenarios = [
        scenario
        for scenario in rows.select(Scenario, "installation_id = %s AND enabled ORDER BY id", [installation_id])
        if scenario.current_version_id is not None
    ]
    if scenarios:
        ids = [scenario.current_version_id for scenario in scenarios]
        placeholders = ", ".join(["%s"] * len(ids))
        versions = {version.pk: version for version in rows.select(ScenarioVersion, f"id IN ({placeholders})", ids)}
        for scenario in scenarios:
            scenario.current_version = versions[scenario.current_version_id]
    return [(scenario, scenario.definition) for scenario in scenarios]


cached_scenarios = PerProcess(_load_enabled_scenarios, ttl=5.0)


@receiver([post_save, post_delete], sender=Scenario, dispatch_uid="forget-cached-scenarios")
def _forget_cached_scenarios(sender, instance: Scenario, **kwargs) -> None:
    cached_scenarios.forget(instance.installation_id)


def enroll(
    scenario: Scenario,
    customer: Customer,
    *,
    entry_key: str,
    now: datetime,
    checkout: Checkout | None = None,
) -> Enrollment | None:
    """Start the customer on the scenario's current version, or say why not (None).

    One lifecycle scenario per customer at a time: a higher-priority one already running
    keeps them; a lower-priority one gives way. Cart scenarios run alongside.
    """
    if not scenario.enabled or customer.erased_at or not customer.email:
        return None
    definition = scenario.definition
    with transaction.atomic():
        if not definition.runs_alongside:
            running = (
                Enrollment.objects.select_for_update(of=("self",))
                .filter(customer=customer, status=EnrollmentStatus.ACTIVE)
                .select_related("version", "scenario")
            )
            for other in running:
                other_definition = other.version.parsed
                if other_definition.runs_alongside or other.scenario_id == scenario.pk:
                    continue
                if other_definition.priority >= definition.priority:
                    return None
                other.status = EnrollmentStatus.EXITED
                other.exit_reason = f"gave way to {scenario.key}"
                other.finished_at = now
                other.next_run_at = None
                other.save(update_fields=["status", "exit_reason", "finished_at", "next_run_at"])
        try:
            with transaction.atomic():
                return Enrollment.objects.create(
                    held_out=holdout_assignment(scenario.key, str(customer.pk), scenario.holdout_share),
                    installation=scenario.installation,
                    scenario=scenario,
                    version=scenario.current_version,
                    customer=customer,
                    checkout=checkout,
                    entry_key=entry_key,
                    step_key=definition.first_step,
                    next_run_at=now,
                    entered_at=now,
                )
        except IntegrityError:
            return None  # already entered for this cause, or already running this scenario


def exit_enrollments(
    customer: Customer, reason: str, now: datetime, *, exit_when: str, ordered_at: datetime | None = None
) -> int:
    """Stop the customer's active enrollments whose scenario exits on ``exit_when``
    (for an order: only those that began before it)."""
    stopped = 0
    running = Enrollment.objects.filter(customer=customer, status=EnrollmentStatus.ACTIVE).select_related("version")
    if ordered_at is not None:
        running = running.filter(entered_at__lt=ordered_at)
    for enrollment in running:
        if exit_when in enrollment.version.parsed.exit_when:
            stopped += Enrollment.objects.filter(pk=enrollment.pk, status=EnrollmentStatus.ACTIVE).update(
                status=EnrollmentStatus.EXITED, exit_reason=reason, finished_at=now, next_run_at=None
            )
    return stopped


def enroll_first_order_anniversaries(installation: Installation, now: datetime) -> int:
    """Customers whose first order was on this day in an earlier year."""
    scenarios = [
        scenario for scenario, definition in enabled_scenarios(installation)
        if definition.trigger.kind == TriggerKind.FIRST_ORDER_ANNIVERSARY
    ]
    if not scenarios:
        return 0
    customers = Customer.objects.filter(
        installation=installation,
        first_order_at__month=now.month,
        first_order_at__day=now.day,
        first_order_at__year__lt=now.year,
    )
    entered = 0
    for customer in customers.iterator():
        for scenario in scenarios:
            entered += enroll(scenario, customer, entry_key=f"anniversary:{now.year}", now=now) is not None
    return entered


def enroll_segment(scenario: Scenario, customers, now: datetime) -> int:
    """Staff put a segment into a scenario by hand (trigger ``manual``)."""
    entered = 0
    for customer in customers.iterator():
        entered += enroll(scenario, customer, entry_key=f"manual:{now:%Y%m%d%H%M}", now=now) is not None
    return entered
