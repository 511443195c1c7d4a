"""The GraphQL types, named in the shop's words. Resolvers only read what they are given."""

import graphene
from django.utils import timezone
from graphene import relay
from graphene.utils.str_converters import to_camel_case

from ..customers.explain import explain_stage
from ..customers.models import RFMSegment
from ..customers.stages import Stage
from . import customers as customer_reads
from .actions import ErrorCode
from .customers import CustomerSortField
from .models import StorefrontAccess
from .next_best_action import BY_STAGE, next_best_action
from .offers import offers_for

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

    @staticmethod
    def resolve_recency(customer, info):
        return customer.recency_score

    @staticmethod
    def resolve_frequency(customer, info):
        return customer.frequency_score

    @staticmethod
    def resolve_monetary(customer, info):
        return customer.monetary_score

    @staticmethod
    def resolve_segment(customer, info):
        return customer.rfm_segment or None


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
    offers = graphene.List(graphene.NonNull(Offer), required=True)
    next_best_action = graphene.String(required=True, description=_NEXT_BEST_ACTION_DOC)

    @staticmethod
    def resolve_id(customer, info):
        return customer_reads.customer_global_id(customer)

    @staticmethod
    def resolve_next_stage_at(customer, info):
        return customer.stage_due_at

    @staticmethod
    def resolve_rfm(customer, info):
        return customer

    @staticmethod
    def resolve_history(customer, info):
        return customer.transitions.all()

    @staticmethod
    def resolve_explain(customer, info):
        return explain_stage(customer)

    @staticmethod
    def resolve_offers(customer, info):
        return offers_for(customer, timezone.now())

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
