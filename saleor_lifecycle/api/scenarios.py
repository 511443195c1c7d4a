"""Scenarios for staff: read them with a dry run, change their timing and offers, and the
shop's contact policy (frequency budget, quiet hours).

Reading needs MANAGE_USERS; ``scenarioUpdate`` too, plus MANAGE_DISCOUNTS when it
changes an offer; the contact policy is a setting (MANAGE_USERS or MANAGE_APPS). The
changes are the scenarios app's actions (``scenarios/actions.py``).
"""

import graphene
from django.db.models import Count, Q
from django.utils import timezone

from ..core.validation import ErrorCode, FieldProblem, InvalidInput
from ..saleor_app.models import Installation
from ..scenarios.actions import do_update_contact_policy, do_update_scenario
from ..scenarios.definitions import Condition, StepKind, TriggerKind
from ..scenarios.definitions import OfferKind as OfferKinds
from ..scenarios.dryrun import simulate_entries
from ..scenarios.enrollment import install_library
from ..scenarios.library import BUILT_IN
from ..scenarios.models import ContactPolicy as ContactPolicyModel
from ..scenarios.models import EnrollmentStatus
from ..scenarios.models import Scenario as ScenarioModel
from .customers import clean_text
from .errors import BadUserInput
from .permissions import (
    MANAGE_LIFECYCLE_SETTINGS,
    MANAGE_SCENARIO_OFFERS,
    MANAGE_SCENARIOS,
    READ_SCENARIOS,
    require,
)
from .types import LifecycleError, LifecycleStage

#: The dry run looks at most this far ahead (its basis is the last four weeks).
DEFAULT_DRY_RUN_DAYS = 7
MAX_DRY_RUN_DAYS = 90


def _enum(name: str, descriptions: dict[str, str], about: str) -> type[graphene.Enum]:
    return graphene.Enum(
        name,
        [(value.upper(), value) for value in descriptions],
        description=lambda member: descriptions[member.value] if member else about,
    )


ScenarioTriggerKind = _enum(
    "ScenarioTriggerKind",
    {
        TriggerKind.STAGE_ENTERED: "The customer entered a stage (see `stage`).",
        TriggerKind.CART_ABANDONED: "A checkout with an email and lines went idle without an order.",
        TriggerKind.FIRST_ORDER: "The customer's first counted order.",
        TriggerKind.ORDER_FULFILLED: "An order was fulfilled.",
        TriggerKind.FIRST_ORDER_ANNIVERSARY: "The yearly anniversary of the first order.",
        TriggerKind.CAME_BACK: "A lapsed or sunset customer ordered again.",
        TriggerKind.MANUAL: "Staff enrolled customers by hand.",
    },
    "What makes a customer enter a scenario.",
)
ScenarioStepKind = _enum(
    "ScenarioStepKind",
    {
        StepKind.WAIT: "Wait a duration, optionally until a local time of day.",
        StepKind.SEND: "Send an email, optionally with a voucher code.",
        StepKind.BRANCH: "Go to `then` if the condition holds since the last email, else to `otherwise`.",
        StepKind.EXIT: "Leave the scenario.",
    },
    "What a scenario step does.",
)
StepCondition = _enum(
    "StepCondition",
    {
        Condition.OPENED: "Opened the last email of the scenario.",
        Condition.CLICKED: "Clicked a link in the last email of the scenario.",
        Condition.PURCHASED: "Ordered since the last email of the scenario.",
    },
    "What a branch step tests.",
)
OfferKind = _enum(
    "OfferKind",
    {
        OfferKinds.FREE_SHIPPING: "Free shipping.",
        OfferKinds.PERCENTAGE: "A percentage off the order (`value` percent).",
        OfferKinds.FIXED_AMOUNT: "An amount off the order (`value` in the channel's currency).",
        OfferKinds.GIFT: "A gift product (needs products chosen by the shop; not issued automatically).",
    },
    "What a voucher code gives.",
)

# The definition's constants are the enums' values; a new one must be described above.
assert {m.value for m in ScenarioTriggerKind} == TriggerKind.ALL
assert {m.value for m in ScenarioStepKind} == StepKind.ALL
assert {m.value for m in StepCondition} == Condition.ALL
assert {m.value for m in OfferKind} == OfferKinds.ALL


def _time(value) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


# --- reading ------------------------------------------------------------------------------------


class ScenarioTrigger(graphene.ObjectType):
    kind = ScenarioTriggerKind(required=True)
    stage = LifecycleStage(description="The stage entered, for STAGE_ENTERED.")


class ScenarioOffer(graphene.ObjectType):
    """The voucher code a send step creates for each customer (single use)."""

    kind = OfferKind(required=True)
    value = graphene.Float(required=True, description="Percent or amount; 0 for free shipping.")
    valid_days = graphene.Float(required=True, description="Days the code stays valid after it is sent.")
    min_order_value = graphene.Float(description="The order must be worth at least this much.")


class ScenarioStep(graphene.ObjectType):
    key = graphene.String(required=True)
    kind = ScenarioStepKind(required=True)
    next = graphene.String(description="The step that follows a wait or send; null: the scenario ends.")
    delay_hours = graphene.Float(description="A wait's duration, in hours.")
    until_local_time = graphene.String(description='A wait then lasts until this time of day ("10:00", shop time).')
    template = graphene.String(description="A send's email template (see emailTemplates).")
    offer = graphene.Field(ScenarioOffer, description="A send's voucher code.")
    marketing = graphene.Boolean(required=True, description="A send counts against the frequency budget.")
    condition = StepCondition(description="A branch's test.")
    then = graphene.String(description="A branch's step when the condition holds.")
    otherwise = graphene.String(description="A branch's step when it does not.")


class ScenarioDryRun(graphene.ObjectType):
    """Who would enter in the next days if the scenario were on (scenarios.dryrun)."""

    days = graphene.Int(required=True)
    expected_entries = graphene.Int(required=True, description="Customers expected to enter in the period.")
    per_day = graphene.Float(required=True, description="Expected entries a day.")
    held_out = graphene.Int(required=True, description="Of them, in the holdout (nothing sent).")
    sends_per_entry = graphene.Int(required=True, description="The most emails one customer can get from it.")
    emails_expected = graphene.Int(
        required=True, description="At most this many emails to them over the scenario (fewer as customers order)."
    )
    basis = graphene.String(required=True, description="How the entries were estimated.")


class Scenario(graphene.ObjectType):
    """One of the shop's scenarios, as its current version defines it."""

    key = graphene.String(required=True)
    name = graphene.String(required=True)
    enabled = graphene.Boolean(required=True)
    priority = graphene.Int(required=True, description="Higher wins when a customer qualifies for two.")
    runs_alongside = graphene.Boolean(
        required=True, description="Runs beside the customer's lifecycle scenario (carts) instead of competing."
    )
    holdout_share = graphene.Float(
        required=True, description="Share of entrants held out (nothing sent) to measure the uplift."
    )
    attribution_window_days = graphene.Float(
        required=True, description="An order this many days after an email counts as converted by it."
    )
    trigger = graphene.Field(ScenarioTrigger, required=True)
    exit_when = graphene.List(
        graphene.NonNull(graphene.String),
        required=True,
        description="What stops a customer's way through it: ordered, stage_left, unsubscribed, bounced.",
    )
    steps = graphene.List(graphene.NonNull(ScenarioStep), required=True)
    version = graphene.Int(required=True, description="The current version's number; each change makes a new one.")
    version_created_at = graphene.DateTime(required=True)
    active_enrollments = graphene.Int(required=True, description="Customers on their way through it now.")
    dry_run = graphene.Field(
        ScenarioDryRun,
        required=True,
        days=graphene.Int(
            default_value=DEFAULT_DRY_RUN_DAYS, description=f"1 to {MAX_DRY_RUN_DAYS}; null: {DEFAULT_DRY_RUN_DAYS}."
        ),
        description="How many would enter in the next days, and the emails they would get.",
    )

    @staticmethod
    def resolve_name(scenario, info):
        return scenario.definition.name

    @staticmethod
    def resolve_priority(scenario, info):
        return scenario.definition.priority

    @staticmethod
    def resolve_runs_alongside(scenario, info):
        return scenario.definition.runs_alongside

    @staticmethod
    def resolve_trigger(scenario, info):
        return scenario.definition.trigger

    @staticmethod
    def resolve_exit_when(scenario, info):
        return sorted(scenario.definition.exit_when)

    @staticmethod
    def resolve_steps(scenario, info):
        definition = scenario.definition
        return [
            {
                "key": step.key,
                "kind": step.kind,
                "next": definition.following(step) if step.kind in (StepKind.WAIT, StepKind.SEND) else None,
                "delay_hours": step.delay.total_seconds() / 3600 if step.delay is not None else None,
                "until_local_time": _time(step.until_local_time),
                "template": step.template,
                "offer": step.offer,
                "marketing": step.marketing,
                "condition": step.condition,
                "then": step.then,
                "otherwise": step.otherwise,
            }
            for step in definition.steps
        ]

    @staticmethod
    def resolve_version(scenario, info):
        return scenario.current_version.number

    @staticmethod
    def resolve_version_created_at(scenario, info):
        return scenario.current_version.created_at

    @staticmethod
    def resolve_active_enrollments(scenario, info):
        counted = getattr(scenario, "active_enrollments", None)
        if counted is not None:
            return counted
        return scenario.enrollments.filter(status=EnrollmentStatus.ACTIVE).count()

    @staticmethod
    def resolve_dry_run(scenario, info, days=DEFAULT_DRY_RUN_DAYS):
        days = DEFAULT_DRY_RUN_DAYS if days is None else days
        if not 1 <= days <= MAX_DRY_RUN_DAYS:
            raise BadUserInput(f"Argument `days` must be between 1 and {MAX_DRY_RUN_DAYS}.")
        return simulate_entries(scenario, timezone.now(), days)


def shop_scenarios(installation: Installation):
    """The shop's scenarios with their current version and active count, by key.

    A shop installed before a built-in scenario existed gets its copy here (disabled),
    as the ``scenarios`` command does.
    """
    scenarios = ScenarioModel.objects.filter(installation=installation)
    if {data["key"] for data in BUILT_IN} - set(scenarios.values_list("key", flat=True)):
        install_library(installation)
    return (
        scenarios.filter(current_version__isnull=False)
        .select_related("current_version")
        .annotate(active_enrollments=Count("enrollments", filter=Q(enrollments__status=EnrollmentStatus.ACTIVE)))
        .order_by("key")
    )


class ContactPolicy(graphene.ObjectType):
    """How hard the shop may press a customer: at most one marketing email every
    minHoursBetween hours, maxPerWeek in any 7 days, none in the quiet hours. A step that
    would break them waits for the next allowed moment."""

    min_hours_between = graphene.Float(required=True)
    max_per_week = graphene.Int(required=True)
    quiet_start = graphene.String(required=True, description='Quiet hours start ("21:00", in timeZone).')
    quiet_end = graphene.String(required=True, description='Quiet hours end ("08:00"); equal to quietStart: none.')
    time_zone = graphene.String(required=True, description='The shop\'s time zone ("Europe/Warsaw").')
    cart_idle_minutes = graphene.Int(
        required=True, description="A checkout idle this long (with an email and lines, no order) is abandoned."
    )

    @staticmethod
    def resolve_quiet_start(policy, info):
        return _time(policy.quiet_start)

    @staticmethod
    def resolve_quiet_end(policy, info):
        return _time(policy.quiet_end)


class ScenarioQueries(graphene.ObjectType):
    scenarios = graphene.List(
        graphene.NonNull(Scenario), required=True, description="The shop's scenarios, by key. Requires MANAGE_USERS."
    )
    scenario = graphene.Field(
        Scenario, key=graphene.String(required=True), description="One scenario by key. Requires MANAGE_USERS."
    )
    contact_policy = graphene.Field(
        ContactPolicy, required=True, description="Frequency budget and quiet hours. Requires MANAGE_USERS or MANAGE_APPS."
    )

    @staticmethod
    def resolve_scenarios(root, info):
        viewer = require(info.context.viewer, READ_SCENARIOS)
        return shop_scenarios(viewer.installation)

    @staticmethod
    def resolve_scenario(root, info, key):
        viewer = require(info.context.viewer, READ_SCENARIOS)
        return shop_scenarios(viewer.installation).filter(key=clean_text(key, argument="key", max_length=64)).first()

    @staticmethod
    def resolve_contact_policy(root, info):
        viewer = require(info.context.viewer, MANAGE_LIFECYCLE_SETTINGS)
        return ContactPolicyModel.for_installation(viewer.installation)


# --- changing -----------------------------------------------------------------------------------


class ScenarioOfferInput(graphene.InputObjectType):
    kind = OfferKind(required=True)
    value = graphene.Float(description="Percent (up to 100) or amount; needed for PERCENTAGE and FIXED_AMOUNT.")
    valid_days = graphene.Float(description="Default 7, at most 365.")
    min_order_value = graphene.Float()


class ScenarioStepInput(graphene.InputObjectType):
    """Changes one existing step, named by key; only the fields sent change."""

    key = graphene.String(required=True)
    delay_hours = graphene.Float(description="A wait's duration (null removes it when untilLocalTime is set).")
    until_local_time = graphene.String(description='A wait\'s time of day, "HH:MM"; null removes it.')
    template = graphene.String(description="A send's email template.")
    offer = ScenarioOfferInput(description="A send's voucher code; null sends none. Requires MANAGE_DISCOUNTS.")


class ScenarioInput(graphene.InputObjectType):
    """Only the fields sent change. A change to `steps` makes a new version; customers on
    their way finish on the version they started."""

    enabled = graphene.Boolean()
    holdout_share = graphene.Float(description="0 to 0.5.")
    attribution_window_days = graphene.Float(description="0.5 to 90.")
    steps = graphene.List(graphene.NonNull(ScenarioStepInput))


def offer_data(offer) -> dict | None:
    """A ScenarioOfferInput as the definition's offer JSON."""
    if offer is None:
        return None
    data = {name: value for name, value in dict(offer).items() if value is not None}
    data["kind"] = data["kind"].value if hasattr(data["kind"], "value") else data["kind"]
    return data


class ScenarioUpdate(graphene.Mutation):
    """Change a scenario's switch, holdout, attribution window, or its steps' timing,
    templates and offers. Requires MANAGE_USERS, and MANAGE_DISCOUNTS to change an offer."""

    class Arguments:
        key = graphene.String(required=True)
        input = ScenarioInput(required=True)

    scenario = graphene.Field(Scenario)
    errors = graphene.List(graphene.NonNull(LifecycleError), required=True)

    @staticmethod
    def mutate(root, info, key, input):
        viewer = require(info.context.viewer, MANAGE_SCENARIOS)
        steps = []
        for patch in input.get("steps") or []:
            patch = dict(patch)
            if "offer" in patch:
                patch["offer"] = offer_data(patch["offer"])
            steps.append(patch)
        if any("offer" in patch for patch in steps):
            require(viewer, MANAGE_SCENARIO_OFFERS)
        key = clean_text(key, argument="key", max_length=64)
        scenario = shop_scenarios(viewer.installation).filter(key=key).first()
        if scenario is None:
            problem = FieldProblem("key", ErrorCode.NOT_FOUND, f"The shop has no scenario {key!r}.")
            return ScenarioUpdate(errors=[LifecycleError.from_problem(problem)])
        changes = {name: value for name, value in input.items() if name != "steps"}
        try:
            do_update_scenario(scenario, changes, steps)
        except InvalidInput as exc:
            return ScenarioUpdate(errors=[LifecycleError.from_problem(p) for p in exc.problems])
        return ScenarioUpdate(scenario=shop_scenarios(viewer.installation).get(pk=scenario.pk), errors=[])


class ContactPolicyInput(graphene.InputObjectType):
    """Only the fields sent change."""

    min_hours_between = graphene.Float(description="0 to 720.")
    max_per_week = graphene.Int(description="1 to 50.")
    quiet_start = graphene.String(description='"HH:MM".')
    quiet_end = graphene.String(description='"HH:MM".')
    time_zone = graphene.String(description='An IANA time zone, e.g. "Europe/Warsaw".')
    cart_idle_minutes = graphene.Int(description="5 to 10080 (a week).")


class UpdateContactPolicy(graphene.Mutation):
    """Change the shop's frequency budget, quiet hours and cart idle time."""

    class Arguments:
        input = ContactPolicyInput(required=True)

    contact_policy = graphene.Field(ContactPolicy)
    errors = graphene.List(graphene.NonNull(LifecycleError), required=True)

    @staticmethod
    def mutate(root, info, input):
        viewer = require(info.context.viewer, MANAGE_LIFECYCLE_SETTINGS)
        try:
            policy = do_update_contact_policy(viewer.installation, dict(input))
        except InvalidInput as exc:
            return UpdateContactPolicy(errors=[LifecycleError.from_problem(p) for p in exc.problems])
        return UpdateContactPolicy(contact_policy=policy, errors=[])


class ScenarioMutations(graphene.ObjectType):
    scenario_update = ScenarioUpdate.Field()
    update_contact_policy = UpdateContactPolicy.Field()
