"""Set-based recomputation for a whole shop: reorder interval, order totals, stages, RFM.

The incremental path (``actions``) keeps every customer right as events arrive; this
module recomputes the same values for all of a shop's customers at once, in SQL, for the
daily refresh and after a backfill. Tests check that both paths agree.

On PostgreSQL each part is one statement that writes only the rows whose values change,
and independent parts run side by side on their own connections (a million-customer
shop, :file:`bench/stages.py`); other databases run the portable statements one after the
other.
"""

import statistics
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import partial
from typing import TypeVar

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, DateTimeField, ExpressionWrapper, F, Q, Value, When
from django.db.models.functions import Greatest, Least
from django.utils import timezone

from ..saleor_app.models import Installation
from .models import Customer, CustomerRFM, LifecycleSettings, Order, RFMSegment, StageTransition
from .signals import stage_changed
from .stages import Stage, StageConfig

Result = TypeVar("Result")

# --- the shop's reorder interval --------------------------------------------------------


def _gap_days_sql() -> str:
    if connection.vendor == "postgresql":
        return "EXTRACT(EPOCH FROM created - LAG(created) OVER w) / 86400.0"
    return "julianday(created) - julianday(LAG(created) OVER w)"


def reorder_gaps_sql() -> str:
    """Days between each customer's consecutive counted orders, one row per gap."""
    return f"""
        SELECT gap FROM (
            SELECT {_gap_days_sql()} AS gap
            FROM {Order._meta.db_table}
            WHERE installation_id = %s AND counts AND customer_id IS NOT NULL
            WINDOW w AS (PARTITION BY customer_id ORDER BY created)
        ) gaps WHERE gap IS NOT NULL
    """


def compute_reorder_interval(installation: Installation) -> tuple[float | None, int]:
    """Median days between a customer's consecutive orders in this shop, and how many gaps."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY gap), count(*) FROM ({reorder_gaps_sql()}) g",
                [installation.pk],
            )
            median, pairs = cursor.fetchone()
            return (float(median) if median is not None else None), pairs
        cursor.execute(reorder_gaps_sql(), [installation.pk])
        gaps = [row[0] for row in cursor.fetchall()]
    return (statistics.median(gaps) if gaps else None), len(gaps)


def refresh_reorder_interval(installation: Installation, now: datetime) -> LifecycleSettings:
    shop_settings = LifecycleSettings.for_installation(installation)
    median, pairs = compute_reorder_interval(installation)
    # In whole days (at least one): a median that moves by minutes from one day to the next
    # would move every customer's due time, and the daily recompute would rewrite the whole
    # shop for nothing.
    shop_settings.computed_reorder_interval_days = max(1.0, float(round(median))) if median is not None else None
    shop_settings.computed_from_pairs = pairs
    shop_settings.computed_at = now
    shop_settings.save(update_fields=["computed_reorder_interval_days", "computed_from_pairs", "computed_at"])
    return shop_settings


# --- order totals -----------------------------------------------------------------------


def recompute_order_totals(installation: Installation) -> None:
    """Recount every customer's counted orders in one statement, writing only the
    customers whose totals differ (one pass over the shop's orders)."""
    customers, orders = Customer._meta.db_table, Order._meta.db_table

    def same(column: str) -> str:  # equal, NULLs included, on both databases
        return f"(COALESCE({customers}.{column} = t.{column}, FALSE) OR ({customers}.{column} IS NULL AND t.{column} IS NULL))"

    totals = ["orders_count", "first_order_at", "last_order_at", "total_spent"]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {customers} SET {", ".join(f"{column} = t.{column}" for column in totals)}
            FROM (
                SELECT c.id, COALESCE(o.n, 0) AS orders_count, o.first_at AS first_order_at,
                       o.last_at AS last_order_at, COALESCE(o.spent, 0) AS total_spent
                FROM {customers} c LEFT JOIN (
                    SELECT customer_id, COUNT(*) AS n, MIN(created) AS first_at, MAX(created) AS last_at,
                           SUM(total - refunded) AS spent
                    FROM {orders} WHERE installation_id = %s AND counts AND customer_id IS NOT NULL
                    GROUP BY customer_id
                ) o ON o.customer_id = c.id
                WHERE c.installation_id = %s
            ) t
            WHERE {customers}.id = t.id AND NOT ({" AND ".join(same(column) for column in totals)})
            """,
            [installation.pk, installation.pk],
        )


# --- stages -----------------------------------------------------------------------------


def _plus(delta: timedelta):
    return ExpressionWrapper(F("last_order_at") + Value(delta), output_field=DateTimeField())


def stage_expressions(config: StageConfig, now: datetime) -> tuple[Case, Case]:
    """SQL twins of ``stages.decide_stage``: (stage at ``now``, when it changes next).

    A customer with a personal at-risk moment (their own reorder clock) is active until
    it, or until the lapse threshold if that comes first; the others until the shop's
    retention window ends.
    """
    active_stage = Case(When(orders_count=1, then=Value(Stage.NEW)), default=Value(Stage.RETURNING))
    unsubscribed = Q(unsubscribed_at__isnull=False)
    no_order = Q(orders_count=0) | Q(last_order_at__isnull=True)
    before_lapse = Q(last_order_at__gt=now - config.lapsed_after)
    shop_clock = Q(personal_at_risk_at__isnull=True)
    active = (shop_clock & Q(last_order_at__gt=now - config.at_risk_after)) | (
        ~shop_clock & Q(personal_at_risk_at__gt=now) & before_lapse
    )
    stage = Case(
        When(unsubscribed, then=Value(Stage.SUNSET)),
        When(no_order, then=Value(Stage.PROSPECT)),
        When(active, then=active_stage),
        When(before_lapse, then=Value(Stage.AT_RISK)),
        When(Q(last_order_at__gt=now - config.sunset_after), then=Value(Stage.LAPSED)),
        default=Value(Stage.SUNSET),
    )
    at_risk_due = Case(
        When(shop_clock, then=_plus(config.at_risk_after)),
        default=Least(Greatest(F("personal_at_risk_at"), F("last_order_at")), _plus(config.lapsed_after)),
        output_field=DateTimeField(),
    )
    due = Case(
        When(unsubscribed | no_order, then=Value(None)),
        When(active, then=at_risk_due),
        When(before_lapse, then=_plus(config.lapsed_after)),
        When(Q(last_order_at__gt=now - config.sunset_after), then=_plus(config.sunset_after)),
        default=Value(None),
        output_field=DateTimeField(),
    )
    return stage, due


def recompute_stages(
    installation: Installation, now: datetime, *, reason: str = "recomputed", announce: bool = True
) -> int:
    """Set every customer's stage and due time from the rules; return how many changed.

    1. Insert a transition for every customer whose stage differs (one INSERT … SELECT).
    2. Update stage, since-when and due time of all of them in one UPDATE; unchanged
       customers only get their due time refreshed (the reorder interval may have moved).
    3. Send ``stage_changed`` for each new transition, as for live changes (see
       :func:`announce_transitions`).
    """
    config = LifecycleSettings.for_installation(installation).stage_config()
    stage, due = stage_expressions(config, now)
    customers = Customer.objects.filter(installation=installation, erased_at__isnull=True)
    differs = ~Q(stage=stage)
    select = (
        customers.annotate(new_stage=stage, at=Value(now, DateTimeField()), why=Value(reason[:255]))
        .filter(differs)
        .values_list("pk", "stage", "new_stage", "at", "why", "at")
    )
    sql, params = select.query.sql_with_params()
    table = StageTransition._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (customer_id, from_stage, to_stage, at, reason, recorded_at) {sql}", params
        )
        changed = cursor.rowcount
        customers.update(
            stage_since=Case(When(differs, then=Value(now)), default=F("stage_since")),
            saleor_metadata_pending=Case(When(differs, then=Value(True)), default=F("saleor_metadata_pending")),
            stage=stage,
            stage_due_at=due,
        )
        if changed and announce:
            announce_transitions(installation, now, reason)
    return changed


def announce_transitions(installation: Installation, now: datetime, reason: str) -> None:
    """``stage_changed`` for each transition a recompute recorded at ``now``, as for live
    changes; only when someone listens (a million sends to nobody is wasted time)."""
    if not stage_changed.has_listeners(sender=Customer):
        return
    transitions = StageTransition.objects.filter(
        customer__installation=installation, at=now, recorded_at=now, reason=reason[:255]
    ).select_related("customer")
    for transition in transitions.iterator(chunk_size=2000):
        stage_changed.send(sender=Customer, customer=transition.customer, transition=transition)


# --- RFM ----------------------------------------------------------------------------------


def rfm_segment(recency: int, frequency: int) -> RFMSegment:
    """The named segment of an (R, F) cell; monetary value refines offers, not the name."""
    if recency >= 4 and frequency >= 4:
        return RFMSegment.CHAMPIONS
    if recency >= 3 and frequency >= 3 and not (recency == 3 and frequency == 3):
        return RFMSegment.LOYAL
    if recency >= 4:
        return RFMSegment.PROMISING
    if recency == 3 and frequency == 3:
        return RFMSegment.NEED_ATTENTION
    if recency == 3:
        return RFMSegment.ABOUT_TO_SLEEP
    if frequency == 5:
        return RFMSegment.CANT_LOSE
    if frequency >= 3:
        return RFMSegment.AT_RISK
    if recency == 2:
        return RFMSegment.HIBERNATING
    return RFMSegment.LOST


def _quintile(order_by: str) -> str:
    """1-5 by cumulative distribution: ties share a score (most customers ordered once)."""
    share = f"cume_dist() OVER (ORDER BY {order_by}) * 5 - 0.000001"
    if connection.vendor == "postgresql":
        return f"CAST(FLOOR({share}) AS INTEGER) + 1"
    return f"CAST({share} AS INTEGER) + 1"  # SQLite's CAST truncates


def segment_sql(recency: str, frequency: str) -> str:
    """SQL for the segment of the scores in these two columns ('' when not scored)."""
    return "CASE " + " ".join(
        f"WHEN {recency} = {r} AND {frequency} = {f} THEN '{rfm_segment(r, f).value}'"
        for r in range(1, 6)
        for f in range(1, 6)
    ) + " ELSE '' END"


def _rfm_select() -> str:
    """(id, installation_id, r, f, m) of every buyer of the shop in ``%s``."""
    return f"""
        SELECT id, installation_id, {_quintile("last_order_at")} AS r, {_quintile("orders_count")} AS f,
               {_quintile("total_spent")} AS m
        FROM {Customer._meta.db_table} WHERE installation_id = %s AND orders_count > 0
    """


def recompute_rfm(installation: Installation) -> None:
    """Recency, frequency and monetary quintiles (1-5) and the named segment of every buyer,
    in SQL (other databases; PostgreSQL scores in :func:`score_rfm`)."""
    table = CustomerRFM._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE installation_id = %s", [installation.pk])
        cursor.execute(
            f"""
            INSERT INTO {table} (customer_id, installation_id, recency, frequency, monetary, segment)
            SELECT id, installation_id, r, f, m, {segment_sql("r", "f")} FROM ({_rfm_select()}) s
            """,
            [installation.pk],
        )


# --- the whole shop ----------------------------------------------------------------------

#: The daily recompute sorts and groups a whole shop at once (a million customers, millions
#: of orders): with PostgreSQL's default 4 MB every sort spills to disk.
RECOMPUTE_WORK_MEM = "256MB"


@contextmanager
def shop_sized_memory():
    """This session's sorts and hashes get RECOMPUTE_WORK_MEM for the duration (PostgreSQL)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('work_mem', %s, false)", [RECOMPUTE_WORK_MEM])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET work_mem")


#: Customers whose stages one transaction of the PostgreSQL recompute decides: the rows it
#: rewrites stay locked until it commits, so an order webhook for one of them waits at most
#: for this slice, not for the whole shop.
STAGE_SLICE = 100_000


def customer_id_slices(installation: Installation, size: int | None = None) -> list[tuple[int, int]]:
    """The shop's customer ids cut into inclusive ranges of about ``size`` (:data:`STAGE_SLICE`)
    customers each."""
    size = size or STAGE_SLICE
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT MIN(id), MAX(id), COUNT(*) FROM {Customer._meta.db_table} WHERE installation_id = %s",
            [installation.pk],
        )
        low, high, count = cursor.fetchone()
    if not count:
        return []
    slices = -(-count // size)
    step = -(-(high - low + 1) // slices)
    return [(first, min(first + step - 1, high)) for first in range(low, high + 1, step)]


def recompute_stage_slice(
    installation: Installation, now: datetime, config: StageConfig, ids: tuple[int, int], reason: str
) -> int:
    """:func:`recompute_stages` for the customers whose ids are in ``ids``, in one PostgreSQL
    statement and transaction; returns how many changed stage.

    1. ``decided``: each (not erased) customer's stage and due time from the rules
       (:func:`stage_expressions`, compiled by the ORM).
    2. A transition row for every stage that differs (a data-modifying CTE).
    3. One UPDATE of the customers whose stage or due time differ: each row is written
       once, and only when something changed.
    """
    stage, due = stage_expressions(config, now)
    decided = (
        Customer.objects.filter(installation=installation, erased_at__isnull=True, pk__range=ids)
        .annotate(new_stage=stage, new_due=due)
        .values_list("pk", "new_stage", "new_due")
    )
    decided_sql, decided_params = decided.query.sql_with_params()
    customers, transitions = Customer._meta.db_table, StageTransition._meta.db_table
    sql = f"""
        WITH decided (id, new_stage, new_due) AS ({decided_sql}),
        target AS (
            SELECT c.id, c.stage AS old_stage, COALESCE(d.new_stage, c.stage) AS new_stage,
                   CASE WHEN d.id IS NULL THEN c.stage_due_at ELSE d.new_due END AS new_due
            FROM {customers} c LEFT JOIN decided d ON d.id = c.id
            WHERE c.installation_id = %s AND c.id BETWEEN %s AND %s
        ),
        moved AS (
            INSERT INTO {transitions} (customer_id, from_stage, to_stage, at, reason, recorded_at)
            SELECT id, old_stage, new_stage, %s, %s, %s FROM target WHERE new_stage <> old_stage
            RETURNING 1
        ),
        changed AS (
            UPDATE {customers} AS c SET
                stage = t.new_stage,
                stage_due_at = t.new_due,
                stage_since = CASE WHEN t.new_stage <> t.old_stage THEN %s ELSE c.stage_since END,
                saleor_metadata_pending = c.saleor_metadata_pending OR t.new_stage <> t.old_stage
            FROM target t
            WHERE c.id = t.id AND (t.new_stage <> t.old_stage OR c.stage_due_at IS DISTINCT FROM t.new_due)
            RETURNING 1
        )
        -- Every data-modifying CTE runs to completion whatever this reads (PostgreSQL).
        SELECT (SELECT count(*) FROM moved), (SELECT count(*) FROM changed)
    """
    params = [*decided_params, installation.pk, *ids, now, reason[:255], now, now]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def score_rfm(installation: Installation) -> None:
    """:func:`recompute_rfm` in one PostgreSQL statement that writes only what changed:
    scores upserted where they differ (new buyers included), deleted for customers who no
    longer count as buyers."""
    scores = CustomerRFM._meta.db_table
    sql = f"""
        WITH quintiles AS ({_rfm_select()}),
        rfm AS (SELECT q.*, {segment_sql("q.r", "q.f")} AS segment FROM quintiles q),
        scored AS (
            -- Only new and changed scores reach the upsert: ON CONFLICT locks (so rewrites)
            -- every row it meets, changed or not.
            INSERT INTO {scores} AS s (customer_id, installation_id, recency, frequency, monetary, segment)
            SELECT rfm.id, rfm.installation_id, rfm.r, rfm.f, rfm.m, rfm.segment
            FROM rfm LEFT JOIN {scores} old ON old.customer_id = rfm.id
            WHERE old.customer_id IS NULL
               OR (old.recency, old.frequency, old.monetary, old.segment) IS DISTINCT FROM (rfm.r, rfm.f, rfm.m, rfm.segment)
            ON CONFLICT (customer_id) DO UPDATE SET recency = EXCLUDED.recency, frequency = EXCLUDED.frequency,
                monetary = EXCLUDED.monetary, segment = EXCLUDED.segment
            RETURNING 1
        ),
        unscored AS (
            DELETE FROM {scores} s WHERE s.installation_id = %s AND NOT EXISTS (SELECT 1 FROM rfm WHERE rfm.id = s.customer_id)
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM scored), (SELECT count(*) FROM unscored)
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [installation.pk, installation.pk])


def on_connections(jobs: list[Callable[[], Result]], connections: int) -> list[Result]:
    """Run ``jobs`` on up to ``connections`` threads, each on a database connection of its
    own and with :func:`shop_sized_memory`; return their results in order.

    PostgreSQL runs a statement on one core, so independent parts of a recompute finish
    sooner side by side. Inside a transaction the jobs must see its uncommitted rows, so
    they run one after the other on this connection, as they do for one connection. When a
    job fails, the others still finish (each commits on its own) and the first failure is
    raised.
    """
    if connections <= 1 or len(jobs) <= 1 or connection.in_atomic_block:
        with shop_sized_memory():
            return [job() for job in jobs]

    def run(job: Callable[[], Result]) -> Result:
        try:
            with shop_sized_memory():
                return job()
        finally:
            connection.close()  # this thread's own

    with ThreadPoolExecutor(max_workers=min(connections, len(jobs)), thread_name_prefix="recompute") as pool:
        futures = [pool.submit(run, job) for job in jobs]
    return [future.result() for future in futures]


def recompute_installation(
    installation: Installation, now: datetime | None = None, *, reason: str = "recomputed", announce: bool = True
) -> int:
    """The daily refresh: interval, totals, stages, RFM. Returns how many stages changed.

    ``announce=False`` sends no ``stage_changed`` for the changes: a backfill's changes
    are the shop's history, not news (no scenario starts from them).

    On PostgreSQL the interval and the totals are computed side by side, then RFM and the
    stages (slice by slice, :data:`STAGE_SLICE`), on ``settings.RECOMPUTE_CONNECTIONS``
    connections (:func:`on_connections`); each slice commits on its own. Other databases
    run the portable statements one after the other.
    """
    now = now or timezone.now()
    if connection.vendor != "postgresql":
        refresh_reorder_interval(installation, now)
        recompute_order_totals(installation)
        changed = recompute_stages(installation, now, reason=reason, announce=announce)
        recompute_rfm(installation)
        return changed
    connections = settings.RECOMPUTE_CONNECTIONS
    # The stage rules need the interval and the totals; RFM needs the totals.
    shop_settings, _ = on_connections(
        [partial(refresh_reorder_interval, installation, now), partial(recompute_order_totals, installation)],
        connections,
    )
    config = shop_settings.stage_config()
    slices = [
        partial(recompute_stage_slice, installation, now, config, ids, reason)
        for ids in customer_id_slices(installation)
    ]
    _, *moved = on_connections([partial(score_rfm, installation), *slices], connections)
    changed = sum(moved)
    if changed and announce:
        announce_transitions(installation, now, reason)
    return changed
