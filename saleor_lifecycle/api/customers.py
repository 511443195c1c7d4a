"""Reading a shop's customers for the API: counts, filtered and sorted lists, one profile.

Everything here is scoped to one installation; erased customers (CUSTOMER_DELETED) are
left out: their stage is frozen and nothing identifies them any more.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import Count, DateTimeField, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from graphql_relay import from_global_id, to_global_id

from ..customers.models import Customer, RFMSegment, StageTransition
from ..customers.stages import Stage
from ..saleor_app.models import Installation
from ..scenarios.definitions import StepKind
from ..scenarios.dryrun import explain_customer_scenarios
from ..scenarios.models import Enrollment, Scenario, StepRun
from .errors import BadUserInput
from .pagination import Ordering, parse_amount, parse_datetime, parse_int, parse_text

#: The global id type of customers in this API (not Saleor's ``User``).
CUSTOMER_TYPE = "Customer"
#: Longest search text; more is not a name or an email.
MAX_SEARCH = 100
#: Customers without an order sort as if they last ordered at the epoch (oldest first).
NEVER = datetime(1970, 1, 1, tzinfo=UTC)
#: A profile shows this many of the customer's scenarios and emails, newest first.
MAX_ENROLLMENTS = 50
MAX_MESSAGES = 100


class CustomerSortField:
    EMAIL = "email"
    STAGE_SINCE = "stage_since"
    ORDERS_COUNT = "orders_count"
    TOTAL_SPENT = "total_spent"
    FIRST_ORDER_AT = "first_order_at"
    LAST_ORDER_AT = "last_order_at"

    CHOICES = [
        (EMAIL, "Their email, A to Z."),
        (STAGE_SINCE, "When they entered their current stage."),
        (ORDERS_COUNT, "How many orders that count."),
        (TOTAL_SPENT, "What they spent on orders that count, less refunds."),
        (FIRST_ORDER_AT, "Their first order; customers who never ordered come first."),
        (LAST_ORDER_AT, "Their last order; customers who never ordered come first."),
    ]


_PARSERS = {
    CustomerSortField.EMAIL: parse_text,
    CustomerSortField.STAGE_SINCE: parse_datetime,
    CustomerSortField.ORDERS_COUNT: parse_int,
    CustomerSortField.TOTAL_SPENT: parse_amount,
    CustomerSortField.FIRST_ORDER_AT: parse_datetime,
    CustomerSortField.LAST_ORDER_AT: parse_datetime,
}
_NULLABLE = {CustomerSortField.FIRST_ORDER_AT, CustomerSortField.LAST_ORDER_AT}


def customer_ordering(field: str = CustomerSortField.EMAIL, *, descending: bool = False) -> Ordering:
    name = f"{field}:{'desc' if descending else 'asc'}"
    if field in _NULLABLE:
        key = Coalesce(field, Value(NEVER, output_field=DateTimeField()))
        return Ordering(name=name, key=key, parse=_PARSERS[field], descending=descending)
    return Ordering.by(field, _PARSERS[field], name=name, descending=descending)


def shop_customers(installation: Installation) -> QuerySet:
    return Customer.objects.filter(installation=installation, erased_at__isnull=True)


def stage_counts(installation: Installation) -> list[tuple[str, int]]:
    """How many customers are in each stage, every stage listed (in lifecycle order)."""
    counts = dict(shop_customers(installation).values_list("stage").annotate(n=Count("id")).order_by())
    return [(stage, counts.get(stage, 0)) for stage in Stage.ALL]


def segment_counts(installation: Installation) -> list[tuple[str, int]]:
    """How many customers are in each RFM segment, every segment listed (unscored left out)."""
    counts = dict(
        shop_customers(installation).filter(rfm__isnull=False).values_list("rfm__segment").annotate(n=Count("id")).order_by()
    )
    return [(segment.value, counts.get(segment.value, 0)) for segment in RFMSegment]


def clean_text(value: str, *, argument: str, max_length: int) -> str:
    if len(value) > max_length:
        raise BadUserInput(f"Argument `{argument}` is longer than {max_length} characters.")
    if "\x00" in value:
        raise BadUserInput(f"Argument `{argument}` contains a NUL character.")
    return value.strip()


def find_customers(
    installation: Installation, *, stage: str | None = None, segment: str | None = None, search: str | None = None
) -> QuerySet:
    """A shop's customers in ``stage`` and ``segment`` whose email or name has every word of ``search``."""
    customers = shop_customers(installation).select_related("rfm")
    if stage:
        customers = customers.filter(stage=stage)
    if segment:
        customers = customers.filter(rfm__segment=segment)
    for word in clean_text(search or "", argument="search", max_length=MAX_SEARCH).split():
        customers = customers.filter(
            Q(email__icontains=word) | Q(first_name__icontains=word) | Q(last_name__icontains=word)
        )
    return customers


def customer_global_id(customer: Customer) -> str:
    return to_global_id(CUSTOMER_TYPE, customer.pk)


def find_customer(
    installation: Installation, *, id: str | None = None, saleor_user_id: str | None = None, email: str | None = None
) -> Customer | None:
    """One customer by this API's id, their Saleor user id or their email; None if not in this shop."""
    given = [name for name, value in (("id", id), ("saleorUserId", saleor_user_id), ("email", email)) if value is not None]
    if len(given) != 1:
        raise BadUserInput("Provide exactly one of `id`, `saleorUserId` or `email`.")
    customers = shop_customers(installation)
    if id is not None:
        type_name, pk = from_global_id(clean_text(id, argument="id", max_length=200))
        if type_name != CUSTOMER_TYPE or not re.fullmatch(r"[0-9]{1,18}", pk):
            raise BadUserInput(f"Couldn't resolve id: {id}.")
        return customers.filter(pk=int(pk)).first()
    if saleor_user_id is not None:
        return customers.filter(saleor_user_id=clean_text(saleor_user_id, argument="saleorUserId", max_length=255)).first()
    return customers.filter(email=clean_text(email, argument="email", max_length=320).lower()).first()


def storefront_customer(installation: Installation, user_id: str) -> Customer:
    """The customer behind a storefront token.

    Saleor vouches for the user, so a user the app has not seen yet (CUSTOMER_CREATED
    still on its way) is what the rules make of them: a prospect. That customer is not
    stored; ``stage_since`` is unknown (None).
    """
    customer = shop_customers(installation).filter(saleor_user_id=user_id).first()
    if customer is None:
        customer = Customer(installation=installation, saleor_user_id=user_id, stage=Stage.PROSPECT, stage_since=None)
    return customer


# --- one customer's scenarios ------------------------------------------------------------------


def customer_enrollments(customer: Customer) -> list[Enrollment]:
    rows = customer.enrollments.select_related("scenario__current_version", "version").order_by("-entered_at", "-pk")
    return list(rows[:MAX_ENROLLMENTS])


def customer_messages(customer: Customer) -> list[StepRun]:
    rows = customer.step_runs.select_related("enrollment__scenario__current_version").order_by("-started_at", "-pk")
    return list(rows[:MAX_MESSAGES])


@dataclass(frozen=True)
class PlannedStep:
    scenario: Scenario
    step: str
    kind: str
    at: datetime
    notes: list[str]


def next_planned_step(customer: Customer, now: datetime) -> PlannedStep | None:
    """The earliest step the customer's active enrollments will run (``explain_customer_scenarios``)."""
    plans = [plan for plan in explain_customer_scenarios(customer, now) if plan["planned_at"] and plan["next_step"]]
    if not plans:
        return None
    plan = min(plans, key=lambda plan: plan["planned_at"])
    scenario = Scenario.objects.select_related("current_version").get(
        installation_id=customer.installation_id, key=plan["scenario"]
    )
    notes = list(plan["rules"])
    if customer.messages_paused_at and plan["kind"] == StepKind.SEND:
        notes.append("messages paused: the email will be skipped")
    return PlannedStep(scenario=scenario, step=plan["next_step"], kind=plan["kind"], at=plan["planned_at"], notes=notes)


# --- the shop's flows between stages -----------------------------------------------------------


def stage_flows(installation: Installation, since: datetime) -> list[tuple[str | None, str, int]]:
    """How many customers moved from one stage to another since ``since``: (from, to, count).

    ``from`` is None for customers entering the lifecycle (registered, or first seen with
    an order). Only pairs that happened are listed, in lifecycle order.
    """
    counts = (
        StageTransition.objects.filter(
            customer__installation=installation, customer__erased_at__isnull=True, at__gte=since
        )
        .values_list("from_stage", "to_stage")
        .annotate(n=Count("id"))
        .order_by()
    )
    order = {stage: index for index, stage in enumerate(["", *Stage.ALL])}
    flows = sorted(counts, key=lambda row: (order.get(row[0], len(order)), order.get(row[1], len(order))))
    return [(from_stage or None, to_stage, n) for from_stage, to_stage, n in flows]
