"""Set-based recomputation for a whole shop: reorder interval, order totals, stages, RFM.

The incremental path (``actions``) keeps every customer right as events arrive; this
module recomputes the same values for all of a shop's customers at once, in SQL, for the
daily refresh and after a backfill. Tests check that both paths agree.
"""

import statistics
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Case, DateTimeField, ExpressionWrapper, F, Q, Value, When
from django.db.models.functions import Greatest, Least
from django.utils import timezone

from ..saleor_app.models import Installation
from .models import Customer, LifecycleSettings, Order, RFMSegment, StageTransition
from .signals import stage_changed
from .stages import Stage, StageConfig

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
    settings = LifecycleSettings.for_installation(installation)
    median, pairs = compute_reorder_interval(installation)
    settings.computed_reorder_interval_days = median
    settings.computed_from_pairs = pairs
    settings.computed_at = now
    settings.save(update_fields=["computed_reorder_interval_days", "computed_from_pairs", "computed_at"])
    return settings


# --- order totals -----------------------------------------------------------------------


def recompute_order_totals(installation: Installation) -> None:
    """Recount every customer's counted orders in two statements."""
    customers, orders = Customer._meta.db_table, Order._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {customers} SET orders_count = 0, first_order_at = NULL, last_order_at = NULL, total_spent = 0
            WHERE installation_id = %s AND orders_count <> 0 AND NOT EXISTS (
                SELECT 1 FROM {orders} o WHERE o.customer_id = {customers}.id AND o.counts)
            """,
            [installation.pk],
        )
        cursor.execute(
            f"""
            UPDATE {customers} SET orders_count = t.n, first_order_at = t.first_at,
                last_order_at = t.last_at, total_spent = t.spent
            FROM (
                SELECT customer_id, COUNT(*) AS n, MIN(created) AS first_at, MAX(created) AS last_at,
                       SUM(total - refunded) AS spent
                FROM {orders} WHERE installation_id = %s AND counts AND customer_id IS NOT NULL
                GROUP BY customer_id
            ) t
            WHERE {customers}.id = t.customer_id
              AND ({customers}.orders_count <> t.n OR {customers}.last_order_at IS NULL
                   OR {customers}.last_order_at <> t.last_at OR {customers}.first_order_at <> t.first_at
                   OR {customers}.total_spent <> t.spent)
            """,
            [installation.pk],
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


def recompute_stages(installation: Installation, now: datetime, *, reason: str = "recomputed") -> int:
    """Set every customer's stage and due time from the rules; return how many changed.

    1. Insert a transition for every customer whose stage differs (one INSERT … SELECT).
    2. Update stage, since-when and due time of all of them in one UPDATE; unchanged
       customers only get their due time refreshed (the reorder interval may have moved).
    3. Send ``stage_changed`` for each new transition, as for live changes (only when
       someone listens: a million sends to nobody is wasted time).
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
        if changed and stage_changed.has_listeners(sender=Customer):
            transitions = StageTransition.objects.filter(
                customer__installation=installation, at=now, recorded_at=now, reason=reason[:255]
            ).select_related("customer")
            for transition in transitions.iterator(chunk_size=2000):
                stage_changed.send(sender=Customer, customer=transition.customer, transition=transition)
    return changed


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


def recompute_rfm(installation: Installation) -> None:
    """Recency, frequency and monetary quintiles (1-5) and the named segment, in SQL."""
    table = Customer._meta.db_table
    segment_case = "CASE " + " ".join(
        f"WHEN recency_score = {r} AND frequency_score = {f} THEN '{rfm_segment(r, f).value}'"
        for r in range(1, 6)
        for f in range(1, 6)
    ) + " ELSE '' END"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {table} SET recency_score = NULL, frequency_score = NULL, monetary_score = NULL,
                rfm_segment = '' WHERE installation_id = %s AND orders_count = 0 AND recency_score IS NOT NULL""",
            [installation.pk],
        )
        cursor.execute(
            f"""
            UPDATE {table} SET recency_score = s.r, frequency_score = s.f, monetary_score = s.m
            FROM (
                SELECT id, {_quintile("last_order_at")} AS r, {_quintile("orders_count")} AS f,
                       {_quintile("total_spent")} AS m
                FROM {table} WHERE installation_id = %s AND orders_count > 0
            ) s
            WHERE {table}.id = s.id
            """,
            [installation.pk],
        )
        cursor.execute(
            f"UPDATE {table} SET rfm_segment = {segment_case} WHERE installation_id = %s AND orders_count > 0",
            [installation.pk],
        )


def recompute_installation(installation: Installation, now: datetime | None = None, *, reason: str = "recomputed") -> int:
    """The daily refresh: interval, totals, stages, RFM. Returns how many stages changed."""
    now = now or timezone.now()
    refresh_reorder_interval(installation, now)
    recompute_order_totals(installation)
    changed = recompute_stages(installation, now, reason=reason)
    recompute_rfm(installation)
    return changed
