"""State changes of customers and orders: ``do_<verb>_<noun>()``.

Each starts with an idempotent guard (Saleor delivers at least once, possibly out of
order) and records stage changes as ``StageTransition`` rows, sending ``stage_changed``.
"""

import functools
import hashlib
from datetime import UTC, datetime
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, F, Max, Min, Sum
from django.utils import timezone

from ..core import rows
from ..events import types
from ..saleor_app.models import Installation
from .models import Customer, LifecycleSettings, Order, OrderLine, OrderStatus, StageTransition
from .predictions import SCORE_FIELDS
from .signals import customer_erased, stage_changed
from .stages import CustomerFacts, Stage, StageConfig, StageDecision, decide_stage


def normalize_email(email: str | None) -> str:
    return (email or "").strip().lower()


# --- customers ------------------------------------------------------------------------


def find_or_create_customer(
    installation: Installation, *, user_id: str | None, email: str | None, now: datetime
) -> Customer:
    """The customer for a registered user id or a guest email, created if new, row-locked.

    A guest row with the same email is adopted by the registered user (their orders come
    along), so a guest who registers keeps their history. Both candidates are read and
    locked in one statement (at most two rows: user ids and emails are unique per shop):
    this runs on every order webhook.
    """
    email = normalize_email(email)
    if user_id:
        found = _lock_customers(installation, *customer_match(user_id, email))
        customer = next((row for row in found if row.saleor_user_id == user_id), None)
        guest = next((row for row in found if row.saleor_user_id is None), None)
        if customer is None and guest is not None:
            guest.saleor_user_id = user_id
            rows.update(guest, ["saleor_user_id", "updated_at"])
            customer = guest
        elif customer is None:
            customer = Customer(installation=installation, saleor_user_id=user_id, email=email, stage_since=now)
            rows.insert([customer])
        elif guest is not None and guest.pk != customer.pk:
            do_merge_customers(guest, into=customer, now=now)
    else:
        customer = next(iter(_lock_customers(installation, *customer_match(None, email))), None) if email else None
        if customer is None:
            customer = Customer(installation=installation, email=email, stage_since=now)
            rows.insert([customer])
    customer.installation = installation  # the caller's row: no second query for it
    return customer


def customer_match(user_id: str | None, email: str) -> tuple[str, list]:
    """SQL for the customers an order or a customer payload may be: the registered user and
    a guest with their email (at most two rows: user ids and emails are unique per shop),
    or for a guest order whoever has the email.

    ``email <> ''`` repeats the condition of the unique email index (erased customers have
    no email): PostgreSQL then uses that index in the plan it prepares once for any
    email, instead of planning the statement again on every order.
    """
    if user_id:
        return "saleor_user_id = %s OR (email = %s AND email <> '' AND saleor_user_id IS NULL)", [user_id, email or None]
    return "email = %s AND email <> ''", [email]


def _lock_customers(installation: Installation, condition: str, params: list, **select) -> list[Customer]:
    """The shop's customers matching ``condition``, row-locked, oldest first (one statement;
    ``select``: ``rows.select``'s extra expressions)."""
    return rows.select(
        Customer, f"installation_id = %s AND ({condition}) ORDER BY id", [installation.pk, *params], lock=True, **select
    )


def do_merge_customers(guest: Customer, *, into: Customer, now: datetime) -> None:
    """Move a guest's orders to the registered customer and drop the guest row."""
    Order.objects.filter(customer=guest).update(customer=into)
    guest.delete()
    refresh_order_totals(into, now)
    do_update_stage(into, now, reason="guest orders merged into the registered customer")


def do_apply_customer(installation: Installation, customer: types.Customer, *, now: datetime) -> Customer:
    """CUSTOMER_CREATED/UPDATED: create or update the customer; older payloads are ignored."""
    with transaction.atomic():
        row = find_or_create_customer(installation, user_id=customer.id, email=customer.email, now=now)
        if row.saleor_updated_at and customer.updated_at and customer.updated_at < row.saleor_updated_at:
            return row
        email = normalize_email(customer.email)
        if email and email != row.email:
            clash = Customer.objects.filter(installation=installation, email=email).exclude(pk=row.pk).first()
            if clash is not None:
                do_merge_customers(clash, into=row, now=now)
        row.email = email
        row.first_name = customer.first_name
        row.last_name = customer.last_name
        row.language_code = customer.language_code or ""
        row.date_joined = customer.date_joined
        row.saleor_metadata = customer.metadata
        row.saleor_updated_at = customer.updated_at
        row.save()
        if row.orders_count == 0 and not row.transitions.exists():
            # Registering is the start of a prospect's life (welcome series and the like).
            record_transition(row, "", Stage.PROSPECT, now, "registered")
        return row


def do_erase_customer(installation: Installation, user_id: str, *, now: datetime) -> Customer | None:
    """CUSTOMER_DELETED: erase personal data, keep anonymous counts for reports."""
    with transaction.atomic():
        customer = (
            Customer.objects.select_for_update().filter(installation=installation, saleor_user_id=user_id).first()
        )
        if customer is None or customer.erased_at:
            return customer
        customer.email = customer.first_name = customer.last_name = ""
        customer.saleor_metadata = {}
        customer.saleor_user_id = None
        customer.erased_at = now
        customer.stage_due_at = None
        customer.saleor_metadata_pending = False
        customer.save()
        Order.objects.filter(customer=customer).update(email="")
        customer_erased.send(sender=Customer, customer=customer)
        return customer


# --- orders ---------------------------------------------------------------------------


def version_key(order: types.Order) -> str:
    """A total order over an order's payloads: the greatest one is the newest state.

    updatedAt first; for equal updatedAt the later status in an order's life, then the
    larger refund; a digest of the payload breaks the remaining ties, so the outcome
    does not depend on the order deliveries arrive in.
    """
    updated = order.updated_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%f")
    rank = OrderStatus.PRECEDENCE.get(order.status, 2)
    refunded_cents = int(order.refunded * 100)
    # The payload's repr names every field, nested lines included, in a fixed order.
    digest = hashlib.sha256(repr(order).encode()).hexdigest()[:32]
    return f"{updated}|{rank:02d}|{refunded_cents:015d}|{digest}"


def order_counts(order: types.Order) -> bool:
    return order.status not in OrderStatus.NOT_COUNTED and order.refunded < order.total


def do_apply_order(installation: Installation, order: types.Order, *, now: datetime) -> Order | None:
    """Project an order payload; return the row, or None when the payload is not newer.

    1. Compare the payload's version key with the stored one: older or equal → ignore.
    2. Attach the order to its customer (registered by user id, guest by email).
    3. Store the order and its lines.
    4. Recount the customer's orders and update their stage (an order brings them back),
       saved in one UPDATE of the customer row locked in step 2.

    On PostgreSQL the common case, a new order of a customer already known, takes two
    statements instead (:func:`apply_new_order_at_once`).
    """
    key = version_key(order)
    # No savepoint inside a caller's transaction (a webhook delivery, a backfill page):
    # a failure here fails the whole delivery or page, which is retried as a whole, and
    # each order saves the two round trips of SAVEPOINT and RELEASE.
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            row = apply_new_order_at_once(installation, order, key, now)
            if row is not None:
                return row
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, customer_id, version_key FROM {Order._meta.db_table}"
                f" WHERE installation_id = %s AND saleor_id = %s{rows.for_update()}",
                [installation.pk, order.id],
            )
            stored = cursor.fetchone()
        if stored is not None and stored[2] >= key:
            return None
        customer = find_or_create_customer(installation, user_id=order.user_id, email=order.email, now=now)
        previous_customer_id = stored[1] if stored else None
        row = order_row(installation, order, key, customer)
        if stored is None:
            rows.insert([row])
        else:
            row.pk = stored[0]
            rows.update(row, ORDER_FIELDS)
            row._state.adding = False
            OrderLine.objects.filter(order=row).delete()
        rows.insert(order_lines(row, order))
        settings = LifecycleSettings.cached(installation)
        for affected in {customer.pk, previous_customer_id} - {None}:
            # ``customer`` is locked already; an order moved off another customer locks that one too.
            target = customer if affected == customer.pk else _lock_customers(installation, "id = %s", [affected])[0]
            target.installation = installation
            new_order = row if stored is None else None  # a first payload adds up, a later one recounts
            refresh_order_totals(target, now, save=False, settings=settings, new_order=new_order)
            do_update_stage(
                target, now, reason=order_reason(order), config=settings.stage_config(),
                also_save=[*TOTAL_FIELDS, *SCORE_FIELDS],
            )
        return row


def order_reason(order: types.Order) -> str:
    return f"order #{order.number} {order.status.lower()}"


def order_row(installation: Installation, order: types.Order, key: str, customer: Customer) -> Order:
    """The order row for a payload: every column comes from it, the stored row is never read."""
    return Order(
        installation=installation,
        customer=customer,
        saleor_id=order.id,
        number=order.number,
        created=order.created,
        saleor_updated_at=order.updated_at,
        status=order.status,
        channel=order.channel,
        currency=order.currency,
        total=order.total,
        subtotal=order.subtotal,
        refunded=order.refunded,
        discount=max(order.undiscounted_total - order.total, Decimal(0)) if order.undiscounted_total else Decimal(0),
        voucher_code=order.voucher_code or "",
        checkout_id=order.checkout_id or "",
        email=normalize_email(order.email),
        counts=order_counts(order),
        version_key=key,
    )


def order_lines(row: Order, order: types.Order) -> list[OrderLine]:
    return [
        OrderLine(
            order=row,
            saleor_id=line.id,
            product_id=line.product_id or "",
            product_slug=line.product_slug or "",
            variant_id=line.variant_id or "",
            category_id=line.category_id or "",
            product_name=line.product_name,
            variant_name=line.variant_name,
            sku=line.sku or "",
            quantity=line.quantity,
            unit_price=line.unit_price,
            thumbnail_url=line.thumbnail_url or "",
        )
        for line in order.lines
    ]


def _all_but(model, *names: str) -> list[str]:
    return [field.name for field in model._meta.concrete_fields if not field.primary_key and field.name not in names]


ORDER_FIELDS = _all_but(Order)
#: an order's lines and a customer's transitions, without the row they belong to
LINE_FIELDS = _all_but(OrderLine, "order")
TRANSITION_FIELDS = _all_but(StageTransition, "customer")
#: what an order changes on its customer: the stage, the totals and the scores
STAGE_FIELDS = ["stage", "stage_since", "stage_due_at", "saleor_metadata_pending", "updated_at"]
#: (the totals are what ``refresh_order_totals`` sets besides the scores)
TOTAL_FIELDS = ["orders_count", "first_order_at", "last_order_at", "total_spent"]
CUSTOMER_ORDER_FIELDS = [*STAGE_FIELDS, *TOTAL_FIELDS, *SCORE_FIELDS]


def apply_new_order_at_once(installation: Installation, order: types.Order, key: str, now: datetime) -> Order | None:
    """A new order of a customer already known, in two statements (PostgreSQL).

    Most order webhooks are this case, and each statement is a round trip with its
    wait: bench/stages.py's "order → stage" budget is 5 ms at p99.

    1. One SELECT locks the customer (as :func:`find_or_create_customer` finds them) and
       asks whether the order is stored already.
    2. In Python: the order is added to their totals, they are rescored and their stage
       decided, as on the general path.
    3. One statement writes the order (``ON CONFLICT DO NOTHING``) and its lines and, if
       the order was written, the customer and the transition.

    Returns None, having written nothing, whenever the general path must decide: the
    order is stored already (or a concurrent delivery stored it first), the customer is
    new, or a guest row is to be adopted or merged. ``stage_changed`` is sent as
    :func:`record_transition` sends it, after the transition is stored.
    """
    email = normalize_email(order.email)
    if not (order.user_id or email):
        return None
    found = _lock_customers(
        installation,
        *customer_match(order.user_id, email),
        extra={"order_stored": f"EXISTS (SELECT 1 FROM {Order._meta.db_table} WHERE installation_id = %s AND saleor_id = %s)"},
        extra_params=[installation.pk, order.id],
    )
    if len(found) != 1 or found[0].order_stored or (order.user_id and found[0].saleor_user_id != order.user_id):
        return None
    customer = found[0]
    customer.installation = installation
    row = order_row(installation, order, key, customer)
    lines = order_lines(row, order)
    settings = LifecycleSettings.cached(installation)
    refresh_order_totals(customer, now, save=False, settings=settings, new_order=row)
    from_stage = customer.stage
    apply_stage_decision(customer, now, settings.stage_config())
    transition = None
    if customer.stage != from_stage:
        transition = _transition(customer, from_stage, customer.stage, now, order_reason(order))
    params = [
        *rows.values(row, ORDER_FIELDS, add=True),
        rows.records(lines, LINE_FIELDS, add=True),
        *rows.values(customer, CUSTOMER_ORDER_FIELDS, add=False),
        customer.pk,
        *(rows.values(transition, TRANSITION_FIELDS, add=True) if transition else ()),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_new_order_sql(with_transition=transition is not None), params)
        order_id, transition_id = cursor.fetchone()
    if order_id is None:
        return None  # stored meanwhile by another delivery: nothing was written
    row.pk, row._state.adding = order_id, False
    if transition is None:
        return row
    transition.pk, transition._state.adding = transition_id, False
    stage_changed.send(sender=Customer, customer=customer, transition=transition)
    return row


@functools.cache
def _new_order_sql(*, with_transition: bool) -> str:
    """The order unless stored already, its lines, then the customer's new stage, totals
    and scores, and the transition: the ids of the order and the transition; NULLs, and
    nothing written, when the order was stored already.

    The lines are one JSON parameter (``rows.records``), so the statement is the same for
    any number of lines and keeps within psycopg's limits for the statements it caches
    parsed (50 parameters, 4 kB; tests/customers/test_order_path.py).
    """
    quote = connection.ops.quote_name
    order, line = quote(Order._meta.db_table), quote(OrderLine._meta.db_table)
    customer, transition = quote(Customer._meta.db_table), quote(StageTransition._meta.db_table)
    values = "(" + ", ".join(["%s"] * len(ORDER_FIELDS)) + ")"
    sql = f"""
        WITH new_order AS (
            INSERT INTO {order} ({rows.columns(Order, ORDER_FIELDS)}) VALUES {values}
            ON CONFLICT (installation_id, saleor_id) DO NOTHING RETURNING id
        ), new_lines AS (
            INSERT INTO {line} (order_id, {rows.columns(OrderLine, LINE_FIELDS)})
            SELECT new_order.id, v.* FROM new_order,
                jsonb_to_recordset(CAST(%s AS jsonb)) AS v({rows.record_columns(OrderLine, LINE_FIELDS)})
        )"""
    # The customer only counts the order if it was written (RETURNING is how one part of
    # the statement sees another's rows).
    sql += f""", saved_customer AS (
            UPDATE {customer} SET {rows.assignments(Customer, CUSTOMER_ORDER_FIELDS)}
            WHERE id = %s AND EXISTS (SELECT 1 FROM new_order) RETURNING id
        )"""
    if not with_transition:
        # Every data-modifying CTE runs to completion whatever the final SELECT reads.
        return sql + " SELECT (SELECT id FROM new_order), NULL"
    return sql + f""", moved AS (
            INSERT INTO {transition} (customer_id, {rows.columns(StageTransition, TRANSITION_FIELDS)})
            SELECT saved_customer.id, v.* FROM saved_customer,
                (VALUES {rows.typed_row(StageTransition, TRANSITION_FIELDS)}) AS v
            RETURNING id
        )
        SELECT (SELECT id FROM new_order), (SELECT id FROM moved)"""


def refresh_order_totals(
    customer: Customer,
    now: datetime | None = None,
    *,
    save: bool = True,
    settings: LifecycleSettings | None = None,
    new_order: Order | None = None,
) -> None:
    """Recount the customer's counted orders (indexed by customer and created).

    ``new_order``: an order just stored for the first time: its counts are added to the
    customer's totals instead of a recount (the totals are the sum of their stored orders:
    every path that changes orders keeps them so). ``save=False`` leaves the row to the
    caller, which saves it with the stage in one UPDATE.
    """
    if new_order is not None:
        if new_order.counts:
            customer.orders_count += 1
            customer.first_order_at = min(filter(None, (customer.first_order_at, new_order.created)))
            customer.last_order_at = max(filter(None, (customer.last_order_at, new_order.created)))
            customer.total_spent = (customer.total_spent or Decimal(0)) + new_order.total - new_order.refunded
    else:
        totals = Order.objects.filter(customer=customer, counts=True).aggregate(
            count=Count("id"), first=Min("created"), last=Max("created"), spent=Sum(F("total") - F("refunded"))
        )
        customer.orders_count = totals["count"]
        customer.first_order_at = totals["first"]
        customer.last_order_at = totals["last"]
        customer.total_spent = totals["spent"] or Decimal(0)
    # Their personal clock was computed for the previous last order: compute it again.
    from .predictions import rescore_customer

    rescore_customer(customer, now, settings=settings)
    if save:
        rows.update(customer, [*TOTAL_FIELDS, "updated_at", *SCORE_FIELDS])


# --- stages ---------------------------------------------------------------------------


def facts_of(customer: Customer) -> CustomerFacts:
    return CustomerFacts(
        orders_count=customer.orders_count,
        last_order_at=customer.last_order_at,
        unsubscribed=customer.unsubscribed_at is not None,
        personal_at_risk_at=customer.personal_at_risk_at,
    )


def config_of(installation: Installation) -> StageConfig:
    return LifecycleSettings.for_installation(installation).stage_config()


def _transition(customer: Customer, from_stage: str, to_stage: str, at: datetime, reason: str) -> StageTransition:
    return StageTransition(customer=customer, from_stage=from_stage, to_stage=to_stage, at=at, reason=reason[:255])


def record_transition(customer: Customer, from_stage: str, to_stage: str, at: datetime, reason: str) -> StageTransition:
    transition = _transition(customer, from_stage, to_stage, at, reason)
    rows.insert([transition])
    stage_changed.send(sender=Customer, customer=customer, transition=transition)
    return transition


def do_update_stage(
    customer: Customer,
    now: datetime,
    *,
    reason: str | None = None,
    config: StageConfig | None = None,
    also_save: list[str] | tuple[str, ...] = (),
) -> StageTransition | None:
    """Apply the stage rules now (after an order, a merge, an unsubscribe).

    The caller holds the customer's row lock. The row is saved (with ``also_save``, fields
    the caller changed, in the same UPDATE), then a changed stage is recorded, as the
    periodic tick and the recompute do: ``stage_changed`` receivers see the saved row.
    Returns the transition, if the stage changed.
    """
    from_stage = customer.stage
    decision = apply_stage_decision(customer, now, config or config_of(customer.installation))
    rows.update(customer, [*STAGE_FIELDS, *also_save])
    if decision.stage == from_stage:
        return None
    return record_transition(customer, from_stage, decision.stage, now, reason or decision.reason)


def apply_stage_decision(customer: Customer, now: datetime, config: StageConfig) -> StageDecision:
    """Set the customer's stage fields (not saved) from the rules at ``now``."""
    decision = decide_stage(facts_of(customer), now, config)
    if decision.stage != customer.stage:
        customer.stage = decision.stage
        customer.stage_since = now
        customer.saleor_metadata_pending = True
    customer.stage_due_at = decision.due_at
    return decision


#: A customer's stage can pass through at most this many thresholds in one tick
#: (at risk, lapsed, sunset); more means a rule bug, and the loop must stop anyway.
MAX_STEPS_PER_TICK = 4


def advance_customer(customer: Customer, now: datetime, config: StageConfig) -> int:
    """Move one due customer along their timeline up to ``now``; return transitions made.

    Compare-and-swap on (stage, stage_due_at): if another worker moved the customer
    first, nothing is written and 0 is returned. Each threshold passed is recorded at
    the moment it was passed, so a late tick still writes a true history.
    """
    old_stage, old_due = customer.stage, customer.stage_due_at
    facts = facts_of(customer)
    steps: list[tuple[str, str, datetime, str]] = []
    stage, due = old_stage, old_due
    while due is not None and due <= now and len(steps) < MAX_STEPS_PER_TICK:
        decision = decide_stage(facts, due, config)
        if decision.stage != stage:
            steps.append((stage, decision.stage, due, decision.reason))
            stage = decision.stage
        if decision.due_at is not None and decision.due_at <= due:
            break  # would not advance: stop rather than loop
        due = decision.due_at
    with transaction.atomic():
        claimed = Customer.objects.filter(pk=customer.pk, stage=old_stage, stage_due_at=old_due).update(
            stage=stage,
            stage_since=steps[-1][2] if steps else F("stage_since"),
            stage_due_at=due,
            saleor_metadata_pending=True if steps else F("saleor_metadata_pending"),
            updated_at=now,
        )
        if claimed != 1:
            return 0  # another worker got there first
        customer.stage, customer.stage_due_at = stage, due
        for from_stage, to_stage, at, reason in steps:
            record_transition(customer, from_stage, to_stage, at, reason)
    return len(steps)


def advance_due_stages(now: datetime | None = None, *, batch_size: int = 500, max_batches: int = 200) -> int:
    """The periodic tick: move every customer whose stage is due, in batches.

    Reads only rows with ``stage_due_at <= now`` through its partial index, so a tick
    with nothing due costs one index probe however large the base is.
    """
    now = now or timezone.now()
    configs: dict[int, StageConfig] = {}
    moved = 0
    for _ in range(max_batches):
        due = list(
            Customer.objects.filter(stage_due_at__lte=now)
            .select_related("installation")
            .order_by("stage_due_at")[:batch_size]
        )
        for customer in due:
            if customer.installation_id not in configs:
                configs[customer.installation_id] = config_of(customer.installation)
            moved += advance_customer(customer, now, configs[customer.installation_id])
        if len(due) < batch_size:
            break
    return moved


def do_unsubscribe_for_good(customer: Customer, now: datetime) -> StageTransition | None:
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        customer.unsubscribed_at = now
        customer.save(update_fields=["unsubscribed_at", "updated_at"])
        return do_update_stage(customer, now, reason="unsubscribed for good")


def do_resubscribe(customer: Customer, now: datetime) -> StageTransition | None:
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        customer.unsubscribed_at = None
        customer.save(update_fields=["unsubscribed_at", "updated_at"])
        return do_update_stage(customer, now, reason="subscribed again")


def do_set_messages_paused(customer: Customer, paused: bool, now: datetime) -> bool:
    """Pause or resume every email this app sends to one customer; return whether it changed.

    Staff pause a customer from the dashboard (a complaint on the phone, a dispute, a VIP
    handled by hand). While paused:

    1. No email of this app goes to them, marketing or not (the goodbye of the sunset
       scenario too). Saleor's own transactional mail (order confirmations, password
       resets) is Saleor's and is not affected.
    2. Their scenarios keep their pace: each step that falls due is recorded as a step
       run SKIPPED with the reason "messages paused" (``mail.consent.why_not_mail``), no
       voucher code is issued for it, and the enrollment moves on. New enrollments start
       as usual, so entries and exits still follow their stage.
    3. Resuming does not replay what was skipped (a stale cart reminder or a lapsed code
       would mislead); the next step that falls due is sent normally.

    Idempotent: pausing a paused customer keeps the first moment.
    """
    changed = Customer.objects.filter(pk=customer.pk, messages_paused_at__isnull=paused).update(
        messages_paused_at=now if paused else None, updated_at=now
    )
    if changed:
        customer.messages_paused_at = now if paused else None
    return bool(changed)


__all__ = [
    "Stage",
    "advance_due_stages",
    "do_apply_customer",
    "do_apply_order",
    "do_erase_customer",
    "do_update_stage",
]
