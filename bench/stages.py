"""Lifecycle stages at scale: full recompute, incremental order -> stage, due-time tick.

    .venv/bin/python bench/stages.py [--customers 1000000] [--orders 3000000] [--durable] [--no-fit]
                                     [--pg NAME=VALUE ...] [--explain] [--profile-incremental FILE]

Targets (issue "Customer lifecycle"), for 1M customers with 3M orders: the full recompute
of stages and RFM (``recompute.recompute_installation``) < 60 s; the incremental update per
order event (``actions.do_apply_order``, what an ORDER_CREATED / ORDER_FULLY_PAID webhook
runs) p99 < 5 ms over ~2,000 events; the periodic tick (``actions.advance_due_stages``)
with nothing due < 200 ms. A quick run: ``--customers 50000 --orders 150000``.

1. Starts a private PostgreSQL 15 (bench/_support.Stack: temp dir, free port on
   127.0.0.1, removed on exit) set up like bin/test: fsync, synchronous_commit and
   full_page_writes off (commits do not wait for the disk), shared_buffers=2GB, otherwise
   PostgreSQL's defaults (work_mem 4MB, autovacuum on). ``--durable`` turns the three on
   (each COMMIT then waits for this machine's disk, ~1-5 ms); ``--pg`` overrides any
   setting. ``manage.py migrate``, one Installation.
2. Generates the shop inside the server (INSERT ... SELECT over generate_series: no row
   crosses the socket, which beats COPY fed from Python; secondary indexes are dropped for
   the load and rebuilt after, as for a COPY load): N customers (10 % guests without a
   Saleor user id, 0.5 % unsubscribed) and M orders over the last 3 years, in time order.
   Orders per customer are skewed: ~20 % never ordered, ~45 % once, a Pareto tail (alpha
   1.25) up to 1,000 orders; 3 % cancelled and 1 % fully refunded (they do not count), 1 %
   partly refunded. One order line for 1 % of the orders. Customers are as the backfill
   leaves them (it imports through the same projection as webhooks): order totals kept,
   stages set by the rules with the default 50-day interval (``recompute_stages`` at T0,
   which is what the projection computed), RFM not scored yet; the table is then rewritten
   compactly. The first recompute computes the shop's own interval (~23 days here), moves
   the customers whose stage that changes and scores every buyer. ``--no-stages`` leaves
   everyone a prospect instead: every buyer changes stage, the worst case. VACUUM ANALYZE.
   Not timed against a target.
3. Measures
   a. ``recompute.recompute_installation`` at T0 (after the import, as backfill.py runs it:
      no stage_changed signals) and at T0 + 1 day (the daily run: signals sent), on
      RECOMPUTE_CONNECTIONS connections (the production default, 2, unless set), each with
      the time of its parts and of every SQL statement (rows affected), on any connection;
   b. after VACUUM ANALYZE, a CHECKPOINT and a sync (the recompute's dead rows and dirty
      pages dealt with, as overnight), ``actions.do_apply_order`` for new orders of random
      existing customers, each call in its own transaction (autocommit + the action's
      atomic block: its BEGIN and COMMIT are counted, which the webhook worker pays once
      per delivery, around all of its receivers): p50 / p99 / max, split into SQL, COMMIT,
      rescoring and the rest. Unless ``--no-fit``, the shop has a healthy purchase model (a
      stored PredictionFit, as the nightly fit leaves it), so each order rescores its
      customer, as in production;
   c. ``actions.advance_due_stages(now)`` with nothing due (after one tick that moves
      whatever was due at that ``now``): p50 / p99.

Prints every figure with its target and PASS/FAIL and the load average (other processes
on this 2-core machine skew every figure); the last line is ``stages_recompute: <seconds>
s``, the slower of the two full recomputes (the first one is the worst case). Exit status
0 even when a target is missed (the figures are the result); 2 when the benchmark could
not run. Bounded by --time-limit (900 s); a full run takes ~7 minutes on a quiet machine.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sys
import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _support as support  # noqa: E402

REPO = support.REPO
sys.path.insert(0, str(REPO))

TARGET_RECOMPUTE_S = 60.0
TARGET_INCREMENTAL_P99_MS = 5.0
TARGET_TICK_MS = 200.0

#: Like bin/test (commits do not wait for the disk; ``--durable`` turns these on), with
#: room for the shop in memory (1M customers and 3M orders are 1.45 GB with their indexes;
#: with 1 GB the order event's p50 was ~1 ms longer in the runs that compared them);
#: PostgreSQL's defaults for everything not listed.
DEFAULT_PG_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "shared_buffers": "2GB",
    "logging_collector": "off",
}
#: the shop's purchase model, as a nightly fit would store it (bench/clv_fit.py's truth, in days)
FIT = {"purchase_params": {"r": 0.8, "alpha": 80.0, "a": 0.7, "b": 3.0},
       "spend_params": {"p": 6.0, "q": 4.0, "gamma": 15.0}}
SHOWN_PG_SETTINGS = ["shared_buffers", "work_mem", "maintenance_work_mem", "effective_cache_size",
                     "max_wal_size", "checkpoint_timeout", "fsync", "synchronous_commit",
                     "full_page_writes", "wal_level", "autovacuum", "max_parallel_workers_per_gather",
                     "random_page_cost", "jit"]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=1_000_000, help="customers (default 1,000,000)")
    parser.add_argument("--orders", type=int, default=3_000_000, help="orders (default 3,000,000)")
    parser.add_argument("--incremental", type=int, default=2000,
                        help="timed do_apply_order calls (default 2000; 50 more warm up untimed)")
    parser.add_argument("--ticks", type=int, default=50, help="timed advance_due_stages calls (default 50)")
    parser.add_argument("--pg", action="append", default=[], metavar="NAME=VALUE",
                        help="PostgreSQL setting, repeatable (e.g. --pg work_mem=64MB)")
    parser.add_argument("--explain", action="store_true",
                        help="after the measurements, EXPLAIN (ANALYZE, BUFFERS) every recompute statement "
                             "(in a rolled-back transaction) and print the plans")
    parser.add_argument("--durable", action="store_true",
                        help="fsync, synchronous_commit and full_page_writes on (production durability: each "
                             "COMMIT then waits for this machine's disk)")
    parser.add_argument("--no-stages", action="store_true",
                        help="generate customers without stages (all prospects): the first recompute moves every "
                             "buyer, the worst case")
    parser.add_argument("--no-fit", action="store_true",
                        help="no purchase model: orders do not rescore customers (a shop with < 200 repeat "
                             "buyers, or predictions turned off)")
    parser.add_argument("--profile-incremental", metavar="FILE",
                        help="cProfile the timed do_apply_order calls (stats to FILE, top 15 printed)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--time-limit", type=float, default=15 * 60,
                        help="abort (and clean up) after this many seconds (default 900)")
    args = parser.parse_args(argv)
    if args.customers < 1 or args.orders < 0 or args.incremental < 1 or args.ticks < 1:
        parser.error("need --customers >= 1, --orders >= 0, --incremental >= 1, --ticks >= 1")
    return args


# --------------------------------------------------------------------------- reporting


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def percentile(values: list[float], q: float) -> float:
    return support.percentile(sorted(values), q)


class StatementLog:
    """Every SQL statement Django runs while active: (sql, seconds, rowcount)."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, float, int, object]] = []

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        result = execute(sql, params, many, context)
        cursor = context["cursor"]
        self.entries.append((sql, time.perf_counter() - start, getattr(cursor, "rowcount", -1), params))
        return result


@contextmanager
def phase_timer(module, names: list[str], into: dict[str, float]):
    """Wrap module-level functions so calls from inside the module (and its worker threads)
    are timed too: ``into[name]`` sums the time of every call, ``into[name + " calls"]`` counts them."""
    originals = {name: getattr(module, name) for name in names}
    lock = threading.Lock()

    def wrap(name, function):
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                with lock:
                    into[name] = into.get(name, 0.0) + time.perf_counter() - start
                    into[name + " calls"] = into.get(name + " calls", 0) + 1
        return timed

    for name, function in originals.items():
        setattr(module, name, wrap(name, function))
    try:
        yield into
    finally:
        for name, function in originals.items():
            setattr(module, name, function)


@contextmanager
def logged_on_every_connection(module, log: StatementLog):
    """``log`` on the connection of every thread the recompute works on: each one enters
    ``module.shop_sized_memory`` on its own connection (the calling thread's is logged
    already)."""
    from django.db import connection

    original = module.shop_sized_memory

    @contextmanager
    def logged():
        with original():
            if log in connection.execute_wrappers:
                yield
            else:
                with connection.execute_wrapper(log):
                    yield

    module.shop_sized_memory = logged
    try:
        yield
    finally:
        module.shop_sized_memory = original


def short_sql(sql: str, width: int = 96) -> str:
    text = " ".join(sql.split())
    return text if len(text) <= width else text[: width - 3] + "..."


# --------------------------------------------------------------------------- data


CUSTOMER_COLUMNS = """installation_id, saleor_user_id, email, first_name, last_name, language_code,
    saleor_updated_at, date_joined, stage, stage_since, stage_due_at, unsubscribed_at,
    orders_count, first_order_at, last_order_at, total_spent, saleor_metadata_pending, erased_at,
    created_at, updated_at"""
ORDER_COLUMNS = """installation_id, customer_id, saleor_id, number, created, saleor_updated_at, status,
    channel, currency, total, subtotal, refunded, voucher_code, checkout_id, email, counts, version_key"""
LINE_COLUMNS = """order_id, saleor_id, product_id, variant_id, category_id, product_name, variant_name, sku,
    quantity, unit_price, thumbnail_url"""


def defaults_for(model, covered: str, now: datetime) -> tuple[str, str, dict]:
    """Columns of ``model`` the raw INSERT does not name, with the model's defaults.

    Raw SQL bypasses Django's defaults: whatever column a later migration adds is filled
    here (``", col", ", %(d_col)s"``, params) instead of failing on NOT NULL.
    """
    from django.db import connection, models

    named = {name.strip() for name in covered.split(",")}
    columns, values, params = "", "", {}
    for field in model._meta.concrete_fields:
        if field.column in named or isinstance(field, models.AutoField):
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = now
        else:
            value = field.get_default()
        if value is None and not field.null:
            raise support.BenchError(f"{model.__name__}.{field.name} is NOT NULL without a default: "
                                     "bench/stages.py must fill it")
        key = f"d_{field.column}"
        columns += f", {field.column}"
        values += f", %({key})s"
        params[key] = field.get_db_prep_save(value, connection)
    return columns, values, params


def drop_secondary_indexes(cursor, table: str) -> list[str]:
    """Drop a table's non-primary indexes (and unique constraints); return the DDL that restores them.

    Loading into a table without them, then building them once, is several times faster
    than maintaining them row by row. The definitions come from the catalog, so whatever
    the migrations created is exactly what is rebuilt.
    """
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), c.conname, pg_get_constraintdef(c.oid)
        FROM pg_index i
        LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid AND c.contype IN ('u', 'x')
        WHERE i.indrelid = %s::regclass AND NOT i.indisprimary
        """,
        [table],
    )
    restore = []
    for index, index_def, constraint, constraint_def in cursor.fetchall():
        if constraint:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{constraint}"')
            restore.append(f'ALTER TABLE {table} ADD CONSTRAINT "{constraint}" {constraint_def}')
        else:
            cursor.execute(f"DROP INDEX {index}")
            restore.append(index_def)
    return restore


def generate_data(cursor, installation, customers: int, orders: int, now: datetime, seed: int,
                  stages: bool = True) -> dict:
    """Customers and orders in SQL, as the backfill leaves them; returns the time of each part.

    ``stages``: set each customer's stage as the order projection did during the import (the
    rules with the default interval: the shop's own is computed by the first recompute).
    """
    installation_id = installation.pk
    timings = {}
    # This session only, reset below (the measurements run on this same connection).
    cursor.execute("SET session_replication_role = replica")  # no FK triggers: consistent by construction
    cursor.execute("SET work_mem = '256MB'")
    cursor.execute("SET maintenance_work_mem = '1GB'")
    restore = drop_secondary_indexes(cursor, "customers_customer") + drop_secondary_indexes(cursor, "customers_order")
    cursor.execute("SELECT setseed(%s)", [((seed * 7919) % 1000) / 1000.0])

    from saleor_lifecycle.customers.models import Customer, Order, OrderLine

    start = time.perf_counter()
    extra_columns, extra_values, extra = defaults_for(Customer, CUSTOMER_COLUMNS, now)
    cursor.execute(
        f"""
        INSERT INTO customers_customer (
{CUSTOMER_COLUMNS}{extra_columns})
        SELECT %(inst)s,
               CASE WHEN i %% 10 = 0 THEN NULL ELSE 'VXNlcjo' || i END,
               'customer' || i || '@example.com', 'First' || i, 'Last' || i, 'EN',
               j, j, 'prospect', %(now)s, NULL,
               CASE WHEN i %% 200 = 7 THEN %(now)s - interval '30 days' END,
               0, NULL, NULL, 0, false, NULL, %(now)s, %(now)s{extra_values}
        FROM generate_series(1, %(n)s) AS i,
             LATERAL (SELECT %(now)s - interval '1277 days' * (1 - i::float8 / %(n)s) AS j) joined
        """,
        {"inst": installation_id, "now": now, "n": customers, **extra},
    )
    timings["customers"] = time.perf_counter() - start

    start = time.perf_counter()
    # Orders per customer: 20 % none, else floor(Pareto(1.25)) capped at 1000 (P(1) = 58 %),
    # then scaled so that the total is exactly ``orders``.
    cursor.execute(
        """
        CREATE TEMP TABLE bench_counts AS
        SELECT id, email, CASE WHEN r0 < 0.2 THEN 0
                               ELSE LEAST(1000, floor(power(r1, -1 / 1.25)))::bigint END AS n
        FROM (SELECT id, email, random() AS r0, 1 - random() AS r1 FROM customers_customer
              WHERE installation_id = %s) c
        """,
        [installation_id],
    )
    cursor.execute(
        """
        CREATE TEMP TABLE bench_slots AS
        SELECT id, email, ((cs * %(m)s) / total - ((cs - n) * %(m)s) / total)::int AS k  -- bigint division
        FROM (SELECT id, email, n, (sum(n) OVER (ORDER BY id))::bigint AS cs,
                     GREATEST(sum(n) OVER (), 1)::bigint AS total
              FROM bench_counts) s
        """,
        {"m": orders},
    )
    extra_columns, extra_values, extra = defaults_for(Order, ORDER_COLUMNS, now)
    cursor.execute(
        f"""
        INSERT INTO customers_order (
{ORDER_COLUMNS}{extra_columns})
        SELECT %(inst)s, customer_id, 'T3JkZXI6' || seq, seq::text, created, created + interval '1 hour',
               CASE WHEN r < 0.03 THEN 'CANCELED' WHEN r < 0.04 THEN 'RETURNED'
                    WHEN r < 0.05 THEN 'PARTIALLY_RETURNED' ELSE 'FULFILLED' END,
               'default-channel', 'USD', total, total,
               CASE WHEN r >= 0.03 AND r < 0.04 THEN total WHEN r >= 0.04 AND r < 0.05 THEN round(total / 2, 2)
                    ELSE 0 END,
               CASE WHEN r2 < 0.1 THEN 'WELCOME10' ELSE '' END, '', email, NOT (r < 0.04),
               to_char(created AT TIME ZONE 'UTC', 'YYYYMMDD"T"HH24MISS.US') || '|04|000000000000000|'
                   || md5(seq::text){extra_values}
        FROM (
            SELECT customer_id, email, created, r, r2, round((5 + 295 * r2 * r2)::numeric, 2) AS total,
                   row_number() OVER (ORDER BY created) AS seq
            FROM (
                SELECT s.id AS customer_id, s.email,
                       %(now)s - interval '1095 days' * random() - interval '1 minute' AS created,
                       random() AS r, random() AS r2
                FROM bench_slots s, generate_series(1, s.k)
                WHERE s.k > 0
            ) raw
        ) o
        ORDER BY seq
        """,
        {"inst": installation_id, "now": now, **extra},
    )
    timings["orders"] = time.perf_counter() - start

    start = time.perf_counter()
    extra_columns, extra_values, extra = defaults_for(OrderLine, LINE_COLUMNS, now)
    cursor.execute(
        f"""
        INSERT INTO customers_orderline ({LINE_COLUMNS}{extra_columns})
        SELECT id, 'T3JkZXJMaW5lOg' || id, 'product-' || (id %% 97), 'variant-' || (id %% 211),
               'category-' || (id %% 13), 'Mug', 'Blue', 'MUG-' || (id %% 211), 1, total, ''{extra_values}
        FROM customers_order WHERE id %% 100 = 0
        """,
        extra,
    )
    cursor.execute("DROP TABLE bench_counts, bench_slots")
    timings["lines"] = time.perf_counter() - start

    # Totals as the order projection (do_apply_order, also the backfill's) keeps them; the
    # table is then rewritten compactly, as a load would leave it (no free space in its
    # pages from this UPDATE that would make the measured updates cheaper).
    start = time.perf_counter()
    cursor.execute(
        """
        UPDATE customers_customer c SET orders_count = t.n, first_order_at = t.first_at, last_order_at = t.last_at,
               total_spent = t.spent
        FROM (SELECT customer_id, count(*) AS n, min(created) AS first_at, max(created) AS last_at,
                     sum(total - refunded) AS spent
              FROM customers_order WHERE counts GROUP BY customer_id) t
        WHERE c.id = t.customer_id
        """
    )
    timings["totals"] = time.perf_counter() - start
    if stages:
        start = time.perf_counter()
        from saleor_lifecycle.customers import recompute

        recompute.recompute_stages(installation, now, reason="backfill", announce=False)
        timings["stages"] = time.perf_counter() - start
    start = time.perf_counter()
    cursor.execute("VACUUM FULL customers_customer")
    timings["compact"] = time.perf_counter() - start

    start = time.perf_counter()
    for ddl in restore:
        cursor.execute(ddl)
    cursor.execute("RESET session_replication_role")
    cursor.execute("RESET work_mem")
    timings["indexes"] = time.perf_counter() - start

    start = time.perf_counter()
    for table in ("customers_customer", "customers_order", "customers_orderline"):
        cursor.execute(f"VACUUM (ANALYZE) {table}")
    cursor.execute("RESET maintenance_work_mem")
    settle(cursor)  # start the measurements without the load's dirty pages
    timings["vacuum_analyze"] = time.perf_counter() - start
    return timings


def settle(cursor) -> None:
    """Write every dirty page out now rather than during a measurement: PostgreSQL's
    (CHECKPOINT) and, since fsync is off, the kernel's, which otherwise writes back the
    gigabyte or so CHECKPOINT left it over the next seconds, sharing the 2 cores."""
    cursor.execute("CHECKPOINT")
    os.sync()


def data_profile(cursor, installation_id: int) -> list[str]:
    cursor.execute(
        """
        SELECT count(*), count(*) FILTER (WHERE n = 0), count(*) FILTER (WHERE n = 1),
               count(*) FILTER (WHERE n BETWEEN 2 AND 5), count(*) FILTER (WHERE n BETWEEN 6 AND 20),
               count(*) FILTER (WHERE n > 20), max(n)
        FROM (SELECT c.id, count(o.id) AS n FROM customers_customer c
              LEFT JOIN customers_order o ON o.customer_id = c.id WHERE c.installation_id = %s
              GROUP BY c.id) s
        """,
        [installation_id],
    )
    total, none, once, few, some, many, top = cursor.fetchone()
    cursor.execute(
        "SELECT count(*), count(*) FILTER (WHERE NOT counts), min(created), max(created) FROM customers_order"
    )
    orders, not_counted, first, last = cursor.fetchone()
    cursor.execute("""SELECT pg_size_pretty(pg_total_relation_size('customers_customer')),
                             pg_size_pretty(pg_total_relation_size('customers_order'))""")
    customer_size, order_size = cursor.fetchone()
    share = lambda x: f"{100 * x / max(total, 1):.1f} %"  # noqa: E731
    return [
        f"customers: {total:,} ({customer_size} with indexes); orders per customer: 0: {share(none)}, "
        f"1: {share(once)}, 2-5: {share(few)}, 6-20: {share(some)}, >20: {share(many)}, max {top:,}",
        f"orders: {orders:,} ({order_size} with indexes), {not_counted:,} not counted, "
        f"created {first:%Y-%m-%d} .. {last:%Y-%m-%d}",
    ]


# --------------------------------------------------------------------------- measurements


#: the recompute's parts as the report names them (their module-level functions)
RECOMPUTE_PHASES = {"refresh_reorder_interval": "interval", "recompute_order_totals": "totals",
                    "score_rfm": "rfm", "recompute_stage_slice": "stage slices", "recompute_stages": "stages",
                    "recompute_rfm": "rfm", "announce_transitions": "stage_changed signals"}


def phases_text(phases: dict) -> str:
    return ", ".join(
        f"{label} {phases[name]:.1f} s" + (f" ({phases[name + ' calls']})" if phases[name + " calls"] > 1 else "")
        for name, label in RECOMPUTE_PHASES.items() if name in phases)


def run_recompute(installation, now: datetime, label: str, reason: str, announce: bool) -> dict:
    from django.conf import settings
    from django.db import connection

    from saleor_lifecycle.customers import recompute

    phases: dict[str, float] = {}
    log = StatementLog()
    with phase_timer(recompute, list(RECOMPUTE_PHASES), phases), connection.execute_wrapper(log), \
            logged_on_every_connection(recompute, log):
        start = time.perf_counter()
        changed = recompute.recompute_installation(installation, now, reason=reason, announce=announce)
        total = time.perf_counter() - start
    print(f"\n[{label}] recompute_installation(now={now:%Y-%m-%d %H:%M}, reason={reason!r}, announce={announce}): "
          f"{total:.1f} s on {settings.RECOMPUTE_CONNECTIONS} connection(s), {changed:,} stage changes; "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"  time inside each part (side by side, so they add up to more than the whole): {phases_text(phases)}")
    for sql, seconds, rows, _ in log.entries:
        if seconds >= 0.05:
            print(f"  {seconds:7.2f} s  {rows:>9,} rows  {short_sql(sql)}")
    return {"total": total, "changed": changed, "phases": phases, "statements": log.entries}


def build_order(key: str, customer: tuple, created: datetime):
    from saleor_lifecycle.events import types

    _, user_id, email = customer
    return types.Order(
        id=f"bench-order-{key}", number=f"B{key}", created=created, updated_at=created,
        status="UNFULFILLED", channel="default-channel", currency="USD", user_id=user_id, email=email,
        language_code="EN", checkout_id=None, voucher_code=None, total=Decimal("42.50"),
        subtotal=Decimal("42.50"), refunded=Decimal(0),
        lines=(types.OrderLine(
            id=f"bench-line-{key}", product_name="Mug", variant_name="Blue", sku="MUG", quantity=1,
            unit_price=Decimal("42.50"), thumbnail_url=None, variant_id="variant-1", product_id="product-1",
            product_slug="mug", category_id="category-1"),),
    )


class CallClock:
    """Per call: SQL time (every statement) and COMMIT time, beside the wall time."""

    def __init__(self, connection) -> None:
        self.sql = 0.0
        self.commit = 0.0
        self._connection = connection
        self._commit = connection.commit

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.sql += time.perf_counter() - start

    def timed_commit(self):
        start = time.perf_counter()
        try:
            return self._commit()
        finally:
            self.commit += time.perf_counter() - start

    def __enter__(self):
        self._connection.commit = self.timed_commit  # atomic() calls connection.commit()
        return self

    def __exit__(self, *exc):
        del self._connection.commit


def run_incremental(installation, start_at: datetime, calls: int, warmup: int, rng: random.Random,
                    tag: str, profile_to: str | None = None) -> dict:
    from django.db import connection

    from saleor_lifecycle.customers import actions

    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM customers_customer WHERE installation_id = %s",
                       [installation.pk])
        low, high = cursor.fetchone()
        ids = rng.sample(range(low, high + 1), min(calls + warmup, high - low + 1))
        cursor.execute("SELECT id, saleor_user_id, email FROM customers_customer WHERE id = ANY(%s)", [ids])
        by_id = {row[0]: row for row in cursor.fetchall()}
    picked = [by_id[i] for i in ids if i in by_id]
    while len(picked) < calls + warmup:  # tiny shops: customers order again
        picked.append(rng.choice(picked))
    orders = [build_order(f"{tag}-{n}", customer, start_at + timedelta(milliseconds=n * 500))
              for n, customer in enumerate(picked)]

    for order in orders[:warmup]:
        actions.do_apply_order(installation, order, now=order.created)
    queries = StatementLog()
    sample = orders[warmup]
    with connection.execute_wrapper(queries):  # one call's statements, for the report
        actions.do_apply_order(installation, sample, now=sample.created)

    profiler = None
    if profile_to:
        import cProfile

        profiler = cProfile.Profile()
    from saleor_lifecycle.customers import predictions

    rows = []  # (wall, sql, commit, scoring) seconds per call
    scoring: dict[str, float] = {}
    transitions_before = _count(connection, "customers_stagetransition")
    with CallClock(connection) as clock, connection.execute_wrapper(clock), \
            phase_timer(predictions, ["score_one"], scoring):
        for order in orders[warmup + 1:]:
            clock.sql = clock.commit = 0.0
            scoring.clear()
            if profiler:
                profiler.enable()
            started = time.perf_counter()
            actions.do_apply_order(installation, order, now=order.created)
            wall = time.perf_counter() - started
            if profiler:
                profiler.disable()
            rows.append((wall, clock.sql, clock.commit, scoring.get("score_one", 0.0)))
    transitions = _count(connection, "customers_stagetransition") - transitions_before
    if profiler:
        import pstats

        profiler.dump_stats(profile_to)
        print(f"  cProfile of the timed calls written to {profile_to}; top by own time:")
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(15)
    return {"rows": rows, "queries": queries.entries, "transitions": transitions, "end": orders[-1].created}


def report_incremental(label: str, result: dict) -> tuple[float, float, float]:
    wall = [r[0] * 1000 for r in result["rows"]]
    sql = [r[1] * 1000 for r in result["rows"]]
    commit = [r[2] * 1000 for r in result["rows"]]
    scoring = [r[3] * 1000 for r in result["rows"]]
    python = [(r[0] - r[1] - r[2] - r[3]) * 1000 for r in result["rows"]]
    print(f"\n[incremental, {label}] do_apply_order x {len(wall):,} (after 51 untimed), each its own "
          f"transaction; {result['transitions']:,} stage transitions recorded; load average {os.getloadavg()[0]:.1f}")
    for name, values in (("wall", wall), ("  SQL statements", sql), ("  COMMIT", commit),
                         ("  rescoring", scoring), ("  Python (rest)", python)):
        print(f"  {name:<18} p50 {percentile(values, 50):6.2f} ms  p99 {percentile(values, 99):6.2f} ms  "
              f"max {max(values):7.2f} ms  mean {sum(values) / len(values):6.2f} ms")
    return percentile(wall, 50), percentile(wall, 99), max(wall)


def _count(connection, table: str, where: str = "", params=()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table} {where}", list(params))
        return cursor.fetchone()[0]


def run_ticks(now: datetime, calls: int) -> dict:
    from django.db import connection

    from saleor_lifecycle.customers import actions

    started = time.perf_counter()
    moved_first = actions.advance_due_stages(now)
    first = time.perf_counter() - started
    due = _count(connection, "customers_customer", "WHERE stage_due_at <= %s", [now])
    latencies, moved = [], 0
    for _ in range(calls):
        started = time.perf_counter()
        moved += actions.advance_due_stages(now)
        latencies.append(time.perf_counter() - started)
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, SUMMARY ON) SELECT * FROM customers_customer "
            "WHERE stage_due_at <= %s ORDER BY stage_due_at LIMIT 500", [now])
        plan = [row[0] for row in cursor.fetchall()]
    return {"first_moved": moved_first, "first_seconds": first, "due_after": due, "latencies": latencies,
            "moved": moved, "plan": plan}


def explain_recompute(statements: list[tuple[str, float, int, object]]) -> None:
    """EXPLAIN ANALYZE each slow recompute statement again, inside a rolled-back transaction."""
    from django.db import connection, transaction

    from saleor_lifecycle.customers.recompute import shop_sized_memory

    print("\n--- EXPLAIN (ANALYZE, BUFFERS) of the steady-state recompute statements (rolled back, with the "
          "recompute's work_mem)")
    for sql, seconds, _, params in statements:
        if seconds < 0.5 or not sql.lstrip().upper().startswith(("SELECT", "UPDATE", "INSERT", "WITH")):
            continue
        print(f"\n{short_sql(sql, 200)}   [{seconds:.2f} s when measured]")
        try:
            with shop_sized_memory(), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                for (line,) in cursor.fetchall():
                    print("    " + line)
                transaction.set_rollback(True)
        except Exception as exc:  # noqa: BLE001 - a plan that cannot be shown is reported, not fatal
            print(f"    (cannot explain: {exc})")


# --------------------------------------------------------------------------- main


class TimeLimit(Exception):
    """The run's time budget is spent: report what was measured, then clean up."""


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    wall = time.perf_counter()
    budget = max(60, int(args.time_limit) - 25)  # keep time to print and stop PostgreSQL

    def on_alarm(signum, frame):
        raise TimeLimit(f"time limit reached ({budget} s of --time-limit {args.time_limit:.0f} s)")

    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(budget)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(143))

    pg_settings = support.postgres_settings(DEFAULT_PG_SETTINGS, durable=args.durable, overrides=args.pg)
    with support.Stack(prefix="lifecycle-bench-stages.") as stack:
        print(support.start_django(stack, pg_settings, SHOWN_PG_SETTINGS))
        from django.db import connection

        from saleor_lifecycle.customers.signals import stage_changed
        from saleor_lifecycle.saleor_app.models import Installation

        print(f"(units as pg_settings gives them: 8kB pages for shared_buffers/effective_cache_size; overrides: "
              f"{', '.join(args.pg) or 'none'}); machine: {os.cpu_count()} cores")
        print(f"stage_changed receivers connected: {len(stage_changed.receivers)} "
              f"(with any, a recompute that announces its changes sends one signal per changed customer)")

        installation = Installation(saleor_api_url="https://shop.example.com/graphql/",
                                    saleor_domain="shop.example.com")
        installation.token = "x"
        installation.save()

        results: dict = {}
        current: dict = {}  # what is running now, for the report when the time limit cuts it
        t0 = datetime.now(UTC).replace(microsecond=0)
        try:
            print(f"\ngenerating {args.customers:,} customers and {args.orders:,} orders "
                  f"(T0 = {t0:%Y-%m-%d %H:%M} UTC)...")
            started = time.perf_counter()
            with connection.cursor() as cursor:
                timings = generate_data(cursor, installation, args.customers, args.orders, t0, args.seed,
                                        stages=not args.no_stages)
                results["generation"] = time.perf_counter() - started
                print(f"data generation: {results['generation']:.1f} s ("
                      + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()) + ") [not a target]")
                for line in data_profile(cursor, installation.pk):
                    print("  " + line)
            results["speed"] = support.python_loop_ms()
            print(f"load average before measuring: {os.getloadavg()[0]:.1f} "
                  f"(other work on this {os.cpu_count()}-core machine skews every figure); a fixed Python loop "
                  f"took {results['speed']:.1f} ms (the host's speed now: runs compare at similar values)")

            # (a) the first full recompute, as backfill.py calls it (reason "backfill": scenario
            # receivers skip those transitions, but each one is still sent)
            current.update(name="first", started=time.perf_counter())
            # (as backfill.py runs it: its changes are history, no stage_changed is sent)
            results["first"] = run_recompute(installation, t0, "first, after backfill", "backfill", announce=False)
            print_stage_mix(connection)

            # (b) incremental: new orders of random existing customers
            if not args.no_fit:
                from saleor_lifecycle.customers.models import PredictionFit

                PredictionFit.objects.create(installation=installation, fitted_at=t0, healthy=True,
                                             n_customers=args.customers, **FIT)
            rng = random.Random(args.seed)
            with connection.cursor() as cursor:
                # The recompute rewrote most customers and scored every buyer: the autovacuum
                # that follows it, and its pages written out, run now instead of during the
                # timed order events (which measure the steady state; a shop's recompute runs
                # at night).
                cursor.execute(
                    "VACUUM (ANALYZE) customers_customer, customers_stagetransition, customers_customerrfm"
                )
                settle(cursor)
            current.update(name="incremental", started=time.perf_counter())
            incremental = run_incremental(installation, t0 + timedelta(minutes=1), args.incremental, 50, rng,
                                          "timed", args.profile_incremental)
            label = ("each order rescores the customer (a healthy purchase model is stored)" if not args.no_fit
                     else "no purchase model: the shop-wide clock")
            results["incremental"] = report_incremental(label, incremental)
            print(f"  one call ran {len(incremental['queries'])} SQL statements:")
            for sql, seconds, _, _ in incremental["queries"]:
                print(f"    {seconds * 1000:6.2f} ms  {short_sql(sql, 110)}")
            end = incremental["end"]

            # (c) tick with nothing due
            current.update(name="tick", started=time.perf_counter())
            tick_now = end + timedelta(seconds=1)
            ticks = run_ticks(tick_now, args.ticks)
            tick_ms = [x * 1000 for x in ticks["latencies"]]
            results["tick"] = (percentile(tick_ms, 50), percentile(tick_ms, 99), ticks["moved"])
            print(f"\n[tick] first advance_due_stages({tick_now:%Y-%m-%d %H:%M:%S}) moved {ticks['first_moved']:,} "
                  f"in {ticks['first_seconds'] * 1000:.1f} ms; then due: {ticks['due_after']:,}, "
                  f"{args.ticks} timed ticks moved {ticks['moved']:,}; the tick's query:")
            for line in ticks["plan"]:
                print("    " + line)

            # (a') the next day's run: steady state
            current.update(name="daily", started=time.perf_counter())
            results["daily"] = run_recompute(installation, t0 + timedelta(days=1),
                                             "daily, steady state at T0 + 1 day", "recomputed", announce=True)
            print_stage_mix(connection)
            current.clear()

            if args.explain:
                current.update(name="explain", started=time.perf_counter())
                explain_recompute(results["daily"]["statements"])
                current.clear()
        except TimeLimit as exc:
            name = current.get("name", "data generation")
            ran = time.perf_counter() - current.get("started", wall)
            print(f"\n!!! {exc} during {name} (after {ran:.0f} s of it): the rest was not measured")
            if name in ("first", "daily"):
                results[f"{name}_cut"] = ran
        signal.alarm(0)
        print_summary(results, args, time.perf_counter() - wall)
        connection.close()
    return 0


def print_stage_mix(connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT stage, count(*) FROM customers_customer GROUP BY stage ORDER BY 2 DESC")
        stages = cursor.fetchall()
        cursor.execute("SELECT computed_reorder_interval_days, computed_from_pairs FROM customers_lifecyclesettings")
        interval, pairs = cursor.fetchone()
    print(f"  reorder interval {interval or 0:.1f} days from {pairs:,} pairs; stages: "
          + ", ".join(f"{stage} {n:,}" for stage, n in stages))


def print_summary(results: dict, args: argparse.Namespace, elapsed: float) -> None:
    print(f"\n=== results ({args.customers:,} customers, {args.orders:,} orders; whole run {elapsed:.0f} s; "
          f"PostgreSQL {'durable' if args.durable else 'like bin/test: fsync off'}; "
          f"{'no purchase model' if args.no_fit else 'orders rescore'}; "
          f"load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    if "generation" in results:
        print(f"data generation: {results['generation']:.1f} s (not a target)")
    if "speed" in results:
        print(f"a fixed Python loop: {results['speed']:.1f} ms before measuring, {support.python_loop_ms():.1f} ms now")
    recompute_figures = []
    for key, label in (("first", "first (after backfill)"), ("daily", "daily (steady state)")):
        run = results.get(key)
        if run:
            recompute_figures.append(run["total"])
            shown = phases_text(run["phases"])
            print(f"recompute {label}: {run['total']:.1f} s, target < {TARGET_RECOMPUTE_S:.0f} s "
                  f"{verdict(run['total'] < TARGET_RECOMPUTE_S)}  [{shown}; {run['changed']:,} stage changes]")
        elif f"{key}_cut" in results:
            recompute_figures.append(results[f"{key}_cut"])
            print(f"recompute {label}: > {results[f'{key}_cut']:.0f} s (cut by the time limit), "
                  f"target < {TARGET_RECOMPUTE_S:.0f} s FAIL")
        else:
            print(f"recompute {label}: not measured")
    if "incremental" in results:
        p50, p99, worst = results["incremental"]
        print(f"incremental do_apply_order: p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {worst:.2f} ms; "
              f"target p99 < {TARGET_INCREMENTAL_P99_MS:.0f} ms {verdict(p99 < TARGET_INCREMENTAL_P99_MS)}")
    else:
        print("incremental do_apply_order: not measured")
    if "tick" in results:
        t50, t99, moved = results["tick"]
        print(f"tick with nothing due: p50 {t50:.2f} ms, p99 {t99:.2f} ms; target < {TARGET_TICK_MS:.0f} ms "
              f"{verdict(t99 < TARGET_TICK_MS and moved == 0)}")
    else:
        print("tick with nothing due: not measured")
    if "first" in results:
        print(f"stages_recompute_first: {results['first']['total']:.1f} s")
    if "daily" in results:
        print(f"stages_recompute_daily: {results['daily']['total']:.1f} s")
    if "incremental" in results:
        print(f"stages_incremental_p99: {results['incremental'][1]:.2f} ms")
    if "tick" in results:
        print(f"stages_tick_p99: {results['tick'][1]:.2f} ms")
    # The headline: the slower full recompute (the first one after a backfill, in practice);
    # a run cut by the time limit counts with the time it had run (a lower bound).
    headline = max(recompute_figures) if recompute_figures else float("nan")
    print(f"stages_recompute: {headline:.1f} s")


if __name__ == "__main__":
    try:
        sys.exit(main())
    except support.BenchError as exc:
        print(f"benchmark could not run: {exc}", file=sys.stderr)
        sys.exit(2)
