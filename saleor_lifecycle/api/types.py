"""The GraphQL types, named in the shop's words. Resolvers only read what they are given."""

import graphene
from django.utils import timezone
from graphene import relay
from graphene.utils.str_converters import to_camel_case

from ..core.validation import ErrorCode
from ..customers.explain import explain_stage
from ..customers.models import CustomerRFM, RFMSegment
from ..customers.stages import Stage
from ..scenarios.models import EnrollmentStatus as EnrollmentStatusChoices
from ..scenarios.models import StepRunStatus
from . import customers as customer_reads
from .customers import CustomerSortField
from .models import StorefrontAccess
from .next_best_action import BY_STAGE, next_best_action
from .offers import OfferStatus as OfferStatusChoices
from .offers import issued_offers, offers_for

#: The scenario type lives with the scenarios' part of the API (it needs this module's types).
SCENARIO = "saleor_lifecycle.api.scenarios.Scenario"

# --- enums, derived from the domain's tables ------------------------------------------------

_STAGE_LABELS = dict(Stage.CHOICES)

LifecycleStage = graphene.Enum(
    "LifecycleStage",
    [(value.upper(), value) for value in Stage.ALL],
    description=lambda member: (
        _STAGE_LABELS[member.value] if member else "Where a customer is in their life with the shop."
    ),
)

RfmSegment = graphene.Enum(
    "RfmSegment",
    [(segment.name, segment.value) for segment in RFMSegment],
    description=lambda member: (
        RFMSegment(member.value).label
        if member
        else "RFM segment: a name for the customer's recency and frequency scores."
    ),
)

_SORT_DESCRIPTIONS = dict(CustomerSortField.CHOICES)

CustomerSortFieldEnum = graphene.Enum(
    "CustomerSortField",
    [(value.upper(), value) for value, _ in CustomerSortField.CHOICES],
    description=lambda member: _SORT_DESCRIPTIONS[member.value] if member else "What customers are sorted by (then by id).",
)


class OrderDirection(graphene.Enum):
    ASC = "asc"
    DESC = "desc"

    @property
    def description(self):
        return {"asc": "Ascending: A to Z, oldest first.", "desc": "Descending: Z to A, newest first."}[self.value]


LifecycleErrorCode = graphene.Enum(
    "LifecycleErrorCode",
    [(value.upper(), value) for value in ErrorCode.ALL],
    description=lambda member: None if member else "Why a mutation refused a value.",
)

_OFFER_STATUSES = dict(OfferStatusChoices.CHOICES)

OfferStatus = graphene.Enum(
    "OfferStatus",
    [(value.upper(), value) for value in _OFFER_STATUSES],
    description=lambda member: _OFFER_STATUSES[member.value] if member else "What became of a voucher code.",
)

EnrollmentStatus = graphene.Enum(
    "EnrollmentStatus",
    [(value.upper(), value) for value in EnrollmentStatusChoices.values],
    description=lambda member: (
        EnrollmentStatusChoices(member.value).label if member else "Where a customer's way through a scenario stands."
    ),
)

_MESSAGE_STATUSES = {
    StepRunStatus.QUEUED: "About to be sent.",
    StepRunStatus.SENDING: "Being sent now.",
    StepRunStatus.SENT: "Sent.",
    StepRunStatus.RETRYING: "Sending failed for now; tried again later.",
    StepRunStatus.FAILED: "Refused for good (bad address, bad template); the scenario went on.",
    StepRunStatus.UNCERTAIN: "The worker sending it stopped: maybe sent, never sent again.",
    StepRunStatus.SKIPPED: "Not sent on purpose (no consent, no address, messages paused): see reason.",
    StepRunStatus.HELD_OUT: "In the holdout: nothing sent; this is when it would have been.",
}

MessageStatus = graphene.Enum(
    "MessageStatus",
    [(value.upper(), value) for value in StepRunStatus.values],
    description=lambda member: _MESSAGE_STATUSES[member.value] if member else "What happened to a scenario step's email.",
)

_NEXT_BEST_ACTION_DOC = "What to do next for this customer, from their stage: " + ", ".join(
    f"{stage} → {action}" for stage, action in BY_STAGE.items()
) + "."


class CustomerSortingInput(graphene.InputObjectType):
    field = CustomerSortFieldEnum(required=True)
    direction = OrderDirection(required=True)


# --- storefront -----------------------------------------------------------------------------


class Offer(graphene.ObjectType):
    """A voucher code issued to the customer, usable at checkout until it expires."""

    code = graphene.String(required=True)
    kind = graphene.String(required=True, description="free_shipping, percentage, fixed_amount or gift.")
    value = graphene.Float(required=True, description="Percent, or an amount in the channel's currency.")
    expires_at = graphene.DateTime(required=True)
    status = OfferStatus(required=True, description="Always ACTIVE in `me`, which lists only usable codes.")
    used = graphene.Boolean(required=True, description="An order used the code.")
    issued_at = graphene.DateTime(required=True, description="When the scenario step made it.")


class StorefrontCustomer(graphene.ObjectType):
    """The signed-in customer's own lifecycle, as their storefront may show it."""

    stage = LifecycleStage(required=True)
    stage_since = graphene.DateTime(description="When they entered the stage (null: not seen by the app yet).")
    offers = graphene.List(graphene.NonNull(Offer), required=True, description="Usable offers, soonest to expire first.")
    next_best_action = graphene.String(required=True, description=_NEXT_BEST_ACTION_DOC)

    @staticmethod
    def resolve_offers(customer, info):
        return offers_for(customer, timezone.now())

    @staticmethod
    def resolve_next_best_action(customer, info):
        return next_best_action(customer.stage)


# --- staff: customers -----------------------------------------------------------------------


class StageCount(graphene.ObjectType):
    stage = LifecycleStage(required=True)
    count = graphene.Int(required=True)


class SegmentCount(graphene.ObjectType):
    segment = RfmSegment(required=True)
    count = graphene.Int(required=True)


class RfmScores(graphene.ObjectType):
    """Recency, frequency and monetary quintiles (1-5, 5 best) among the shop's buyers."""

    recency = graphene.Int()
    frequency = graphene.Int()
    monetary = graphene.Int()
    segment = RfmSegment()

    # Resolved on a ``CustomerRFM``: an unsaved, empty one until the customer is scored.
    @staticmethod
    def resolve_segment(scores, info):
        return scores.segment or None


class StageTransition(graphene.ObjectType):
    """One change of stage in the customer's history."""

    from_stage = LifecycleStage(description="Null for the first stage they entered.")
    to_stage = LifecycleStage(required=True)
    at = graphene.DateTime(required=True, description="When it happened in the customer's life.")
    reason = graphene.String(required=True)

    @staticmethod
    def resolve_from_stage(transition, info):
        return transition.from_stage or None


class StageFacts(graphene.ObjectType):
    orders_counted = graphene.Int(required=True)
    orders_not_counted = graphene.Int(required=True, description="Cancelled, draft, expired or fully refunded.")
    first_order_at = graphene.DateTime()
    last_order_at = graphene.DateTime()
    total_spent = graphene.Float(required=True)
    unsubscribed_at = graphene.DateTime()


class StageRule(graphene.ObjectType):
    reorder_interval_days = graphene.Float(required=True)
    interval_source = graphene.String(required=True, description="override, computed or default.")
    at_risk_after_days = graphene.Float(required=True)
    lapsed_after_days = graphene.Float(required=True)
    sunset_after_days = graphene.Float(required=True)


class StageThresholds(graphene.ObjectType):
    """When the customer becomes at risk, lapsed and sunset if they do not order (null: no order yet)."""

    at_risk_at = graphene.DateTime()
    lapsed_at = graphene.DateTime()
    sunset_at = graphene.DateTime()


class NextStage(graphene.ObjectType):
    stage = LifecycleStage()
    at = graphene.DateTime()


class StageExplanation(graphene.ObjectType):
    """Why the customer is in their stage: the facts, the shop's rule, and what happens next."""

    reason = graphene.String(required=True)
    up_to_date = graphene.Boolean(
        required=True, description="False when the stored stage lags the rules (the next tick moves it)."
    )
    facts = graphene.Field(StageFacts, required=True)
    rule = graphene.Field(StageRule, required=True)
    thresholds = graphene.Field(StageThresholds, required=True)
    next_stage = graphene.Field(NextStage, required=True, description="The next change if nothing happens.")

    @staticmethod
    def resolve_next_stage(explanation, info):
        return explanation["next"]


class Enrollment(graphene.ObjectType):
    """The customer's way through one scenario: where they are and when the next step runs."""

    scenario = graphene.Field(SCENARIO, required=True)
    version = graphene.Int(required=True, description="The scenario version they run (they finish on it).")
    status = EnrollmentStatus(required=True)
    current_step = graphene.String(description="The key of the step that runs next; null at the end.")
    next_run_at = graphene.DateTime(description="When it runs (while a worker runs it: the end of its lease).")
    held_out = graphene.Boolean(required=True, description="In the holdout: the steps pass, nothing is sent.")
    entered_at = graphene.DateTime(required=True)
    finished_at = graphene.DateTime()
    exit_reason = graphene.String(required=True, description="Why it ended (completed, ordered, ...); empty while active.")

    @staticmethod
    def resolve_version(enrollment, info):
        return enrollment.version.number

    @staticmethod
    def resolve_current_step(enrollment, info):
        return enrollment.step_key if enrollment.status == EnrollmentStatusChoices.ACTIVE else None


class CustomerMessage(graphene.ObjectType):
    """One scenario step's email to the customer: sent, skipped, held out or failed."""

    scenario = graphene.Field(SCENARIO, required=True)
    step = graphene.String(required=True, description="The step's key.")
    template = graphene.String(required=True, description="The email template's key.")
    status = MessageStatus(required=True)
    reason = graphene.String(required=True, description="Why it was not sent (skipped, failed); empty otherwise.")
    marketing = graphene.Boolean(required=True, description="Counts against the frequency budget.")
    started_at = graphene.DateTime(required=True, description="When the step ran.")
    sent_at = graphene.DateTime()
    delivered_at = graphene.DateTime(description="When the ESP confirmed delivery (not with plain SMTP).")
    opened_at = graphene.DateTime()
    clicked_at = graphene.DateTime()
    bounced_at = graphene.DateTime()

    @staticmethod
    def resolve_scenario(run, info):
        return run.enrollment.scenario

    @staticmethod
    def resolve_step(run, info):
        return run.step_key

    @staticmethod
    def resolve_reason(run, info):
        return run.error


class PlannedStep(graphene.ObjectType):
    """The next step a scenario will run for the customer."""

    scenario = graphene.Field(SCENARIO, required=True)
    step = graphene.String(required=True, description="The step's key.")
    kind = graphene.String(required=True, description="wait, send, branch or exit.")
    at = graphene.DateTime(required=True, description="When it is planned.")
    notes = graphene.List(
        graphene.NonNull(graphene.String),
        required=True,
        description="What stops or defers it: exit conditions, the frequency budget, quiet hours, a pause.",
    )


class Customer(graphene.ObjectType):
    """A shop's customer as the lifecycle sees them: registered (with a Saleor user) or a guest."""

    id = graphene.ID(required=True, description="This API's id (not Saleor's user id).")
    saleor_user_id = graphene.ID(description="The Saleor user's id; null for guests.")
    email = graphene.String(required=True)
    first_name = graphene.String(required=True)
    last_name = graphene.String(required=True)
    stage = LifecycleStage(required=True)
    stage_since = graphene.DateTime(required=True)
    next_stage_at = graphene.DateTime(description="When the stage changes if nothing happens.")
    orders_count = graphene.Int(required=True, description="Orders that count (not cancelled or fully refunded).")
    total_spent = graphene.Float(required=True, description="Spent on orders that count, less refunds.")
    first_order_at = graphene.DateTime()
    last_order_at = graphene.DateTime()
    unsubscribed_at = graphene.DateTime(description="Unsubscribed for good (sunset until they come back).")
    rfm = graphene.Field(RfmScores, required=True)
    history = graphene.List(graphene.NonNull(StageTransition), required=True, description="Oldest first.")
    explain = graphene.Field(StageExplanation, required=True)
    offers = graphene.List(
        graphene.NonNull(Offer), required=True, description="Every code the customer was sent, newest first."
    )
    next_best_action = graphene.String(required=True, description=_NEXT_BEST_ACTION_DOC)
    p_alive = graphene.Float(
        description="Predicted probability (0-1) they are still a customer; null until the shop's models are fitted."
    )
    clv = graphene.Float(description="Predicted value of their orders over the shop's CLV horizon (12 months by default).")
    expected_next_order_at = graphene.DateTime(description="When their next order is expected (predicted).")
    enrollments = graphene.List(
        graphene.NonNull(Enrollment),
        required=True,
        description=f"Their scenarios, newest first (at most {customer_reads.MAX_ENROLLMENTS}).",
    )
    messages = graphene.List(
        graphene.NonNull(CustomerMessage),
        required=True,
        description=f"Scenario emails to them, newest first (at most {customer_reads.MAX_MESSAGES}).",
    )
    next_planned_step = graphene.Field(
        PlannedStep, description="The earliest step their active scenarios will run; null when none is planned."
    )
    messages_paused = graphene.Boolean(
        required=True, description="Staff paused their emails: nothing is sent (see customerSetMessagesPaused)."
    )
    messages_paused_at = graphene.DateTime(description="When their emails were paused.")

    @staticmethod
    def resolve_id(customer, info):
        return customer_reads.customer_global_id(customer)

    @staticmethod
    def resolve_next_stage_at(customer, info):
        return customer.stage_due_at

    @staticmethod
    def resolve_rfm(customer, info):
        return customer.rfm_scores or CustomerRFM(customer=customer)

    @staticmethod
    def resolve_history(customer, info):
        return customer.transitions.all()

    @staticmethod
    def resolve_explain(customer, info):
        return explain_stage(customer)

    @staticmethod
    def resolve_offers(customer, info):
        return issued_offers(customer, timezone.now())

    @staticmethod
    def resolve_clv(customer, info):
        return float(customer.clv) if customer.clv is not None else None

    @staticmethod
    def resolve_enrollments(customer, info):
        return customer_reads.customer_enrollments(customer)

    @staticmethod
    def resolve_messages(customer, info):
        return customer_reads.customer_messages(customer)

    @staticmethod
    def resolve_next_planned_step(customer, info):
        return customer_reads.next_planned_step(customer, timezone.now())

    @staticmethod
    def resolve_messages_paused(customer, info):
        return customer.messages_paused_at is not None

    @staticmethod
    def resolve_next_best_action(customer, info):
        return next_best_action(customer.stage)


class CustomerConnection(relay.Connection):
    class Meta:
        node = Customer

    total_count = graphene.Int(required=True, description="Customers matching the filters, on all pages.")

    @staticmethod
    def resolve_total_count(connection, info):
        return connection.matching.count()


# --- staff: settings ------------------------------------------------------------------------


class LifecycleSettings(graphene.ObjectType):
    """The shop's lifecycle thresholds (see the README's stage table) and storefront origins."""

    reorder_interval_days = graphene.Float(required=True, description="The interval in use.")
    interval_source = graphene.String(required=True, description="override, computed or default.")
    reorder_interval_override_days = graphene.Float(description="The shop's own interval; wins when set.")
    computed_reorder_interval_days = graphene.Float(description="Median days between a customer's orders.")
    computed_from_pairs = graphene.Int(required=True)
    computed_at = graphene.DateTime()
    min_pairs_for_computed_interval = graphene.Int(required=True)
    default_reorder_interval_days = graphene.Float(required=True)
    at_risk_factor = graphene.Float(required=True)
    lapsed_factor = graphene.Float(required=True)
    lapsed_max_days = graphene.Float(required=True)
    sunset_after_lapsed_days = graphene.Float(required=True)
    write_saleor_metadata = graphene.Boolean(required=True)
    storefront_origins = graphene.List(
        graphene.NonNull(graphene.String), required=True, description="Origins whose browsers may call this API (CORS)."
    )

    @staticmethod
    def resolve_reorder_interval_days(settings, info):
        return settings.stage_config().reorder_interval_days

    @staticmethod
    def resolve_interval_source(settings, info):
        return settings.stage_config().interval_source

    @staticmethod
    def resolve_storefront_origins(settings, info):
        return StorefrontAccess.for_installation(settings.installation).allowed_origins


class LifecycleSettingsInput(graphene.InputObjectType):
    """Only the fields sent change."""

    reorder_interval_override_days = graphene.Float(description="Null clears it: the computed interval applies.")
    default_reorder_interval_days = graphene.Float()
    at_risk_factor = graphene.Float()
    lapsed_factor = graphene.Float()
    lapsed_max_days = graphene.Float()
    sunset_after_lapsed_days = graphene.Float()
    write_saleor_metadata = graphene.Boolean()
    storefront_origins = graphene.List(graphene.NonNull(graphene.String), description="Replaces the list.")


class LifecycleError(graphene.ObjectType):
    field = graphene.String(description="The input field, or null for the whole input.")
    message = graphene.String(required=True)
    code = LifecycleErrorCode(required=True)

    @classmethod
    def from_problem(cls, problem) -> "LifecycleError":
        return cls(field=to_camel_case(problem.field), message=problem.message, code=problem.code)
