"""The scenario scheduler at scale: claim latency and step executions per second.

    .venv/bin/python bench/scheduler.py [--enrollments 1000000] [--executions 20000] [--processes 2]
                                        [--composer none|real] [--durable] [--pg NAME=VALUE ...]
                                        [--py-spy FILE]

Targets (issue "Scenarios"): with 1M enrollments of which 100 are due, the claim tick
(``engine.claim_due``) < 200 ms; >= 2,000 step executions/s through the real engine.
A quick run: ``--enrollments 50000 --executions 5000``.

1. Starts a private PostgreSQL (bench/_support.Stack: temp dir, free port on 127.0.0.1,
   removed on exit) set up like bin/test: fsync, synchronous_commit and full_page_writes
   off (commits do not wait for the disk), shared_buffers=1GB. ``--durable`` turns the
   three on (on this VM a commit then waits ~1-5 ms for the disk); ``--pg`` overrides any
   setting. ``manage.py migrate``, one Installation, its ContactPolicy (default quiet
   hours) and MailSettings, and one enabled scenario (ORM), walked by every enrollment:
   branch on "opened the last email" -> send (marketing, no offer) -> wait 7 days -> send.
2. Generates the data in SQL (INSERT ... SELECT generate_series): N customers (consenting)
   and one active enrollment each at the branch. The clock is fixed at T0 = Monday 10:00
   UTC (outside the quiet hours). ``--due`` (100) enrollments are due at T0, the others'
   next_run_at is spread uniformly over the 30 days after T0. NOT NULL columns the
   generator does not know (added by later migrations) get a neutral value by type
   (false, 0, '', T0) and are listed. VACUUM ANALYZE. Not timed against a target.
3. Measures
   a. ``engine.claim_due(T0, batch_size=200)`` with exactly ``--due`` enrollments due:
      p50 / p99 over ``--claims`` calls (3 untimed first), each claim re-armed (its rows
      set due again) untimed in between, plus the claim query's plan;
   b. one enrollment alone: every SQL statement and commit of ``run_due`` on it;
   c. step executions: ``--executions`` (20,000) of the not-due enrollments are made due
      at T0; ``--processes`` (default 2: the reference machine has 2 cores) separate
      worker processes run ``engine.run_due(T0, batch_size=200)`` until nothing is due.
      Each enrollment runs three steps: the branch (not opened: the other way), the send
      and the wait. Sends go to a null sender (``send()`` does nothing; no offer issuer),
      and by default through a plain composer (subject and text, no template): the
      engine is what is measured here; rendering the shop's MJML email is measured by
      bench/send.py (>= 300 emails/s per worker, SMTP included). ``--composer real``
      uses the engine's default composer instead, and the composer's cost per email is
      printed either way. Steps/s = 3 x enrollments that ran / wall time from the start
      signal until the last worker is done. Checks: one StepRun per enrollment, "sent",
      each enrollment at its next send 7 days later, nothing else touched, no traceback.
      Also the CPU seconds of the workers and of PostgreSQL (the rest of 2 cores x wall is
      waiting, or other load on the machine, shown as "machine busy"). ``--py-spy FILE``
      samples the workers (wall time) and prints where it goes along the engine's path.

Prints every figure with its target and PASS/FAIL and the load average (other processes
on the machine skew every figure); the last line is ``scheduler: <steps/s> steps/s``.
Exit status 0 even when a target is missed (the figures are the result), 1 when a
correctness check fails, 2 when it could not run. Bounded: --time-limit (570 s) aborts
and cleans up; a full run takes ~4 minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import select
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _support as support  # noqa: E402

REPO = support.REPO
sys.path.insert(0, str(REPO))

TARGET_CLAIM_MS = 200.0
TARGET_RATE = 2000.0

#: a Monday, 10:00 UTC: outside the default quiet hours (21:00-08:00)
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)

#: like bin/test: commits do not wait for the disk (``--durable`` turns these on)
DEFAULT_PG_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "shared_buffers": "1GB",
    "logging_collector": "off",
}
SHOWN_PG_SETTINGS = ["shared_buffers", "work_mem", "fsync", "synchronous_commit", "full_page_writes",
                     "wal_level", "max_wal_size", "autovacuum", "jit"]

SCENARIO = {
    "key": "bench",
    "name": "Scheduler benchmark: a branch, a send, a wait",
    "trigger": {"kind": "manual"},
    "exit_when": ["ordered", "unsubscribed"],
    "steps": [
        {"key": "opened_last", "kind": "branch", "condition": "opened", "then": "loyalty", "otherwise": "nudge"},
        {"key": "loyalty", "kind": "send", "template": "retention_loyalty", "next": "wait_7_days"},
        {"key": "nudge", "kind": "send", "template": "first_purchase_care"},
        {"key": "wait_7_days", "kind": "wait", "delay": {"days": 7}},
        {"key": "cross_sell", "kind": "send", "template": "first_purchase_cross_sell"},
    ],
}
#: what each enrollment runs at T0 (nothing was opened: the branch goes to the nudge)
STEPS_PER_RUN = 3
SENT_STEP, NEXT_STEP, NEXT_AFTER = "nudge", "cross_sell", timedelta(days=7)


#: a value for NOT NULL columns the generator does not know, by PostgreSQL type
NEUTRAL = {
    "boolean": "false", "smallint": "0", "integer": "0", "bigint": "0", "double precision": "0", "real": "0",
    "numeric": "0", "text": "''", "character varying": "''", "timestamp with time zone": "%(t0)s",
    "jsonb": "'{}'::jsonb", "date": "%(t0)s::date",
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--enrollments", type=int, default=1_000_000,
                        help="enrollments, one customer each (default 1,000,000)")
    parser.add_argument("--due", type=int, default=100, help="enrollments due at the claim measurement (default 100)")
    parser.add_argument("--claims", type=int, default=200, help="timed claim_due calls (default 200)")
    parser.add_argument("--executions", type=int, default=20_000,
                        help="enrollments made due for the throughput run (default 20,000)")
    parser.add_argument("--processes", type=int, default=2, help="worker processes for the throughput run (default 2)")
    parser.add_argument("--batch-size", type=int, default=200, help="run_due batch size (default 200)")
    parser.add_argument("--composer", choices=("none", "real"), default="none",
                        help="none: a plain composer (the engine alone, default); real: the engine's default "
                             "composer (MJML, per-shop settings)")
    parser.add_argument("--durable", action="store_true",
                        help="fsync, synchronous_commit and full_page_writes on (production durability)")
    parser.add_argument("--pg", action="append", default=[], metavar="NAME=VALUE",
                        help="PostgreSQL setting, repeatable (e.g. --pg work_mem=64MB)")
    parser.add_argument("--py-spy", metavar="FILE",
                        help="sample the workers with py-spy (raw collapsed stacks to FILE) and summarise; "
                             "py-spy's own CPU slows the run")
    parser.add_argument("--py-spy-rate", type=int, default=200, help="py-spy samples/s (default 200)")
    parser.add_argument("--seed", type=float, default=0.42, help="setseed() for the spread (default 0.42)")
    parser.add_argument("--time-limit", type=float, default=570,
                        help="abort (and clean up) after this many seconds (default 570)")
    parser.add_argument("--run-seconds", type=float, default=120,
                        help="stop the throughput run's workers after this many seconds (checked between "
                             "batches; the rate counts what ran until then; default 120)")
    parser.add_argument("--worker", nargs=4, metavar=("NOW", "BATCH", "SECONDS", "COMPOSER"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.worker:
        if args.due < 1 or args.claims < 1 or args.executions < 1 or args.processes < 1 or args.batch_size < 1:
            parser.error("--due, --claims, --executions, --processes and --batch-size must be >= 1")
        if args.due > args.batch_size:
            parser.error("--due must not exceed --batch-size (one claim takes them all)")
        if args.enrollments < args.due + args.executions:
            parser.error("--enrollments must be at least --due + --executions")
    return args


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


# --------------------------------------------------------------------------- worker process


class NullSender:
    """A MessageSender that sends nothing (the ESP is not what is measured)."""

    def send(self, message) -> str:
        return ""


def plain_composer(*, run, enrollment, template: str, extra: dict):
    """The email without the shop's template: what the engine needs of a composer."""
    from saleor_lifecycle.scenarios.messages import OutgoingMessage

    customer = enrollment.customer
    return OutgoingMessage(to=customer.email, subject=f"{template} for {customer.first_name}",
                           text=f"Hello {customer.first_name}", html=None, idempotency_key=f"step-run-{run.pk}")


def services_for(composer: str):
    from saleor_lifecycle.scenarios import engine

    return engine.Services(sender=NullSender(), offers=None,
                           composer=plain_composer if composer == "none" else engine.default_composer())


def worker_main(now_iso: str, batch_size: int, seconds: float, composer: str) -> int:
    """``--worker NOW BATCH SECONDS COMPOSER``: set up Django, say READY, on GO run_due until
    nothing is due or SECONDS have passed (checked between batches), print one JSON line,
    then wait for a line on stdin (its CPU and its PostgreSQL backend are counted before it
    goes)."""
    import django

    django.setup()
    from django.db import connection

    from saleor_lifecycle.scenarios import engine

    now = datetime.fromisoformat(now_iso)
    services = services_for(composer)
    connection.ensure_connection()
    sys.stdout.write("READY\n")
    sys.stdout.flush()
    sys.stdin.readline()
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    claimed = batches = 0
    stopped = False
    while True:
        if time.perf_counter() - started >= seconds:
            stopped = True
            break
        n = engine.run_due(now, services=services, batch_size=batch_size)
        if not n:
            break
        claimed += n
        batches += 1
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    json.dump({"claimed": claimed, "batches": batches, "seconds": seconds, "stopped": stopped,
               "cpu": after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime,
               "sys": after.ru_stime - before.ru_stime}, sys.stdout)
    sys.stdout.write("\n")
    sys.stdout.flush()
    sys.stdin.readline()
    return 0


# --------------------------------------------------------------------------- data


def insert_sql(cursor, table: str, known: dict[str, str],
               optional: dict[str, str] | None = None) -> tuple[str, str, list[str]]:
    """Column list and expressions for INSERT ... SELECT into ``table``: the known ones,
    the optional ones that exist, and a neutral value for any other NOT NULL column
    without a default."""
    optional = optional or {}
    cursor.execute(
        """SELECT column_name, data_type, is_nullable = 'YES', column_default IS NOT NULL OR is_identity = 'YES'
           FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = %s
           ORDER BY ordinal_position""",
        [table],
    )
    columns, expressions, neutral = [], [], []
    existing = set()
    for name, data_type, nullable, has_default in cursor.fetchall():
        existing.add(name)
        if name in known or name in optional:
            columns.append(name)
            expressions.append(known.get(name) or optional[name])
        elif not nullable and not has_default:
            if data_type not in NEUTRAL:
                raise support.BenchError(f"{table}.{name} ({data_type}) is NOT NULL and has no neutral value here")
            columns.append(name)
            expressions.append(NEUTRAL[data_type])
            neutral.append(f"{table}.{name}")
    missing = set(known) - existing
    if missing:
        raise support.BenchError(f"{table} has no column(s) {sorted(missing)}: the schema changed")
    return ", ".join(columns), ", ".join(expressions), neutral


def generate_data(cursor, installation_id: int, scenario_id: int, version_id: int, first_step: str,
                  enrollments: int, due: int, seed: float) -> tuple[dict[str, float], list[str]]:
    timings: dict[str, float] = {}
    params = {"inst": installation_id, "scenario": scenario_id, "version": version_id, "step": first_step,
              "n": enrollments, "due": due, "t0": T0}
    cursor.execute("SET session_replication_role = replica")  # no FK triggers: consistent by construction
    cursor.execute("SELECT setseed(%s)", [seed])

    started = time.perf_counter()
    columns, values, neutral = insert_sql(cursor, "customers_customer", {
        "installation_id": "%(inst)s",
        "saleor_user_id": "'VXNlcjo' || i",
        "email": "'customer' || i || '@example.com'",
        "first_name": "'First' || i",
        "last_name": "'Last' || i",
        "language_code": "'EN'",
        "stage": "'new'",
        "stage_since": "%(t0)s - interval '10 days'",
        "orders_count": "1",
        "first_order_at": "%(t0)s - interval '10 days'",
        "last_order_at": "%(t0)s - interval '10 days'",
        "total_spent": "42.50",
        "saleor_metadata_pending": "false",
        "created_at": "%(t0)s",
        "updated_at": "%(t0)s",
    }, optional={
        # the steps are marketing email: they agreed
        "marketing_consent": "true",
        "consent_updated_at": "%(t0)s - interval '10 days'",
    })
    cursor.execute(f"INSERT INTO customers_customer ({columns}) SELECT {values} "
                   f"FROM generate_series(1, %(n)s) AS i", params)
    timings["customers"] = time.perf_counter() - started

    started = time.perf_counter()
    # The first ``due`` (by id) are due at T0 (a second apart, just before it); the others
    # spread uniformly over the 30 days after T0 (never at T0 itself).
    columns, values, more = insert_sql(cursor, "scenarios_enrollment", {
        "installation_id": "%(inst)s",
        "scenario_id": "%(scenario)s",
        "version_id": "%(version)s",
        "customer_id": "c.id",
        "checkout_id": "NULL",
        "entry_key": "'manual:bench'",
        "status": "'active'",
        "step_key": "%(step)s",
        "next_run_at": "CASE WHEN c.i <= %(due)s THEN %(t0)s - (c.i * interval '1 second') "
                       "ELSE %(t0)s + interval '1 second' + interval '30 days' * random() END",
        "entered_at": "%(t0)s - interval '1 day'",
        "finished_at": "NULL",
        "exit_reason": "''",
    })
    neutral += more
    cursor.execute(
        f"INSERT INTO scenarios_enrollment ({columns}) SELECT {values} FROM "
        f"(SELECT id, row_number() OVER (ORDER BY id) AS i FROM customers_customer "
        f" WHERE installation_id = %(inst)s) c ORDER BY c.i",
        params,
    )
    timings["enrollments"] = time.perf_counter() - started
    cursor.execute("SET session_replication_role = DEFAULT")

    started = time.perf_counter()
    for table in ("customers_customer", "scenarios_enrollment"):
        cursor.execute(f"VACUUM (ANALYZE) {table}")
    timings["vacuum_analyze"] = time.perf_counter() - started
    return timings, neutral


# --------------------------------------------------------------------------- measurements


def measure_claims(due_ids: list[int], calls: int) -> dict:
    from django.db import connection

    from saleor_lifecycle.scenarios import engine

    expected = set(due_ids)
    rearm_at = T0 - timedelta(seconds=1)

    def rearm() -> None:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE scenarios_enrollment SET next_run_at = %s WHERE id = ANY(%s)", [rearm_at, due_ids])

    latencies, wrong = [], 0
    for n in range(calls + 3):
        started = time.perf_counter()
        ids, _lease = engine.claim_due(T0, batch_size=200)
        elapsed = time.perf_counter() - started
        wrong += set(ids) != expected
        if n >= 3:
            latencies.append(elapsed)
        rearm()
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, SUMMARY ON) SELECT id FROM scenarios_enrollment "
            "WHERE status = 'active' AND next_run_at <= %s ORDER BY next_run_at LIMIT 200 FOR UPDATE SKIP LOCKED",
            [T0],
        )
        plan = [row[0] for row in cursor.fetchall()]
    return {"latencies": latencies, "wrong": wrong, "plan": plan}


def run_workers(stack: support.Stack, env: dict[str, str], processes: int, batch_size: int, seconds: float,
                composer: str, py_spy: str | None, py_spy_rate: int, timeout: float) -> dict:
    """Start the workers, wait until all are READY, say GO, time until the last is done."""
    workers = []
    for k in range(processes):
        log = open(stack.dir / f"worker{k}.log", "wb")
        process = subprocess.Popen(
            [support.PYTHON, str(Path(__file__).resolve()), "--worker", T0.isoformat(), str(batch_size),
             str(seconds), composer],
            cwd=REPO, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True,
            start_new_session=True)
        stack._stops.append((f"worker{k}", lambda p=process: support._terminate(p)))
        workers.append(process)
    for k, process in enumerate(workers):
        line = process.stdout.readline().strip()
        if line != "READY":
            raise support.BenchError(f"worker {k} did not start ({line!r}):\n{stack.log_tail(f'worker{k}')}")
    profilers = []
    if py_spy:
        for k, process in enumerate(workers):
            output = py_spy if processes == 1 else f"{py_spy}.{k}"
            profiler = subprocess.Popen(
                [str(support.VENV_BIN / "py-spy"), "record", "--pid", str(process.pid), "--rate", str(py_spy_rate),
                 "--nonblocking", "--idle", "--format", "raw", "-o", output],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
            stack._stops.append(("py-spy", lambda p=profiler: support._terminate(p)))
            profilers.append((profiler, output))
        time.sleep(1.0)  # attach before the work starts
    roots = {"postgres": stack.postmaster_pid()}
    cpu_before = support.cpu_snapshot(roots)
    machine_before = support.machine_cpu()
    started = time.perf_counter()
    for process in workers:
        process.stdin.write("GO\n")
        process.stdin.flush()
    results = []
    deadline = time.monotonic() + timeout
    for k, process in enumerate(workers):
        ready, _, _ = select.select([process.stdout], [], [], max(0.0, deadline - time.monotonic()))
        line = process.stdout.readline() if ready else ""
        if not line.strip().startswith("{"):
            raise support.BenchError(f"worker {k} failed ({line!r}):\n{stack.log_tail(f'worker{k}')}")
        results.append(json.loads(line))
    wall = time.perf_counter() - started
    cpu_after = support.cpu_snapshot(roots)
    machine_after = support.machine_cpu()
    for process in workers:
        process.stdin.write("EXIT\n")
        process.stdin.flush()
        process.wait(timeout=30)
    for profiler, _ in profilers:
        profiler.send_signal(signal.SIGINT)
        try:
            profiler.wait(timeout=30)
        except subprocess.TimeoutExpired:
            profiler.kill()
    cpu = support.cpu_delta(cpu_before, cpu_after)
    logs = [stack.log_tail(f"worker{k}", 100000) for k in range(processes)]
    errors = sum(log.count("Traceback") for log in logs)
    first = next((log for log in logs if "Traceback" in log), "")
    sample = first[first.find("Traceback"):][:3000] if first else ""
    return {"wall": wall, "workers": results, "postgres_cpu": cpu["postgres"],
            "machine_busy": machine_after["busy"] - machine_before["busy"],
            "steal": machine_after["steal"] - machine_before["steal"],
            "errors": errors, "error_sample": sample, "profiles": [output for _, output in profilers]}


#: the scheduler's path, for the profile summary: (label, frame prefix)
KEY_FRAMES = [
    ("engine.run_due", "run_due (saleor_lifecycle/scenarios/engine.py"),
    ("  claim_due (SELECT ... FOR UPDATE SKIP LOCKED + UPDATE, commit)", "claim_due (saleor_lifecycle"),
    ("  run_batch", "run_batch (saleor_lifecycle"),
    ("    Round.run: lock + read a round, walk, write", "Round.run (saleor_lifecycle"),
    ("      Batch.attach (versions, installations)", "Batch.attach (saleor_lifecycle"),
    ("      Round.walk (in memory)", "Round.walk (saleor_lifecycle"),
    ("        prepare_send", "Round.prepare_send (saleor_lifecycle"),
    ("          recent_sends (contact pressure, once a round)", "recent_sends (saleor_lifecycle"),
    ("      Round.write (INSERT step runs, UPDATE positions)", "Round.write (saleor_lifecycle"),
    ("      transaction commit (Atomic.__exit__)", "Atomic.__exit__ (django"),
    ("    deliver", "deliver (saleor_lifecycle"),
    ("      composer", "plain_composer ("),
    ("      compose_message (the default composer)", "compose_message (saleor_lifecycle"),
    ("        render_email", "render_email (saleor_lifecycle"),
    ("      mark_sent (UPDATE, autocommit)", "mark_sent (saleor_lifecycle"),
    ("  all SQL: waiting for PostgreSQL (psycopg Connection.wait)", "Connection.wait (psycopg"),
    ("  all SQL: Django compiling queries (SQLCompiler.as_sql)", "SQLCompiler.as_sql (django"),
]


def summarize_profile(paths: list[str], top: int = 25) -> str:
    """Shares of py-spy samples (``--format raw``, ``--idle``: wall time, on CPU or waiting)
    per function, inclusive and self, over all workers."""
    import re

    inclusive: dict[str, int] = {}
    own: dict[str, int] = {}
    total = 0
    for path in paths:
        if not Path(path).exists():
            continue
        for line in Path(path).read_text(errors="replace").splitlines():
            stack, _, count = line.rpartition(" ")
            if not stack or not count.isdigit():
                continue
            samples = int(count)
            frames = [re.sub(r":\d+\)$", ")", frame) for frame in stack.split(";")]
            if not any("(saleor_lifecycle/scenarios/engine.py" in frame for frame in frames):
                continue  # start-up, waiting for GO, py-spy attaching
            total += samples
            for frame in set(frames):
                inclusive[frame] = inclusive.get(frame, 0) + samples
            own[frames[-1]] = own.get(frames[-1], 0) + samples
    if not total:
        return "py-spy: no samples"
    share = lambda count: f"{100 * count / total:5.1f}%"  # noqa: E731
    out = [f"py-spy: {total} samples inside the engine over {len(paths)} worker(s) (wall time: on CPU or waiting)",
           "  the scheduler's path (inclusive):"]
    for label, key in KEY_FRAMES:
        out.append(f"    {share(sum(c for frame, c in inclusive.items() if frame.startswith(key)))}  {label}")
    skip = ("<module>", "main (", "worker_main (", "_run_module", "_run_code")
    rows = sorted(((c, f) for f, c in inclusive.items() if not any(f.startswith(k) for k in skip)), reverse=True)
    out.append("  inclusive, largest first:")
    out += [f"    {share(count)}  {frame}" for count, frame in rows[:top]]
    out.append("  self, largest first:")
    out += [f"    {share(count)}  {frame}" for frame, count in sorted(own.items(), key=lambda kv: -kv[1])[:12]]
    return "\n".join(out)


def one_step_statements(enrollment_id: int, composer: str) -> list[tuple[str, float, int]]:
    """Arm one more enrollment and run it alone (in this process), logging every statement."""
    from django.db import connection

    from saleor_lifecycle.scenarios import engine

    entries: list[tuple[str, float, int]] = []

    def log(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            entries.append((sql, time.perf_counter() - started, getattr(context["cursor"], "rowcount", -1)))

    with connection.cursor() as cursor:
        cursor.execute("UPDATE scenarios_enrollment SET next_run_at = %s WHERE id = %s",
                       [T0 - timedelta(seconds=1), enrollment_id])
    services = services_for(composer)
    commit = connection._commit

    def timed_commit():
        started = time.perf_counter()
        try:
            return commit()
        finally:
            entries.append(("COMMIT", time.perf_counter() - started, -1))

    connection._commit = timed_commit  # Django commits through the driver, not execute()
    try:
        with connection.execute_wrapper(log):
            ran = engine.run_due(T0, services=services, batch_size=1)
    finally:
        del connection._commit
    if ran != 1:
        raise support.BenchError(f"the probe claimed {ran} enrollments, not 1")
    return entries


def measure_compose(samples: int = 200) -> tuple[float, float, int] | str:
    """CPU and wall ms per email of the engine's composer, over step runs of the timed run
    (its settings queries included): how much of a step is the email itself."""
    from saleor_lifecycle.scenarios import engine
    from saleor_lifecycle.scenarios.models import StepRun

    try:
        composer = engine.default_composer()
        runs = list(StepRun.objects.select_related("enrollment__customer", "enrollment__installation",
                                                   "enrollment__checkout").order_by("-pk")[:samples])
        cpu, wall = time.process_time(), time.perf_counter()
        for run in runs:
            composer(run=run, enrollment=run.enrollment, template=run.template, extra={})
        return ((time.process_time() - cpu) * 1000 / max(len(runs), 1),
                (time.perf_counter() - wall) * 1000 / max(len(runs), 1), len(runs))
    except Exception as exc:  # noqa: BLE001 - a figure that cannot be measured is reported, not fatal
        return f"{type(exc).__name__}: {exc}"


def short_sql(sql: str, width: int = 150) -> str:
    text = " ".join(sql.split())
    return text if len(text) <= width else text[: width - 3] + "..."


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        return worker_main(args.worker[0], int(args.worker[1]), float(args.worker[2]), args.worker[3])
    wall = time.perf_counter()

    def on_alarm(signum, frame):
        raise TimeoutError(f"time limit of {args.time_limit:.0f} s reached")

    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(int(args.time_limit))
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(143))

    pg_settings = support.postgres_settings(DEFAULT_PG_SETTINGS, durable=args.durable, overrides=args.pg)
    with support.Stack(prefix="lifecycle-bench-scheduler.") as stack:
        print(support.start_django(stack, pg_settings, SHOWN_PG_SETTINGS))
        from django.db import connection

        from saleor_lifecycle.saleor_app.models import Installation
        from saleor_lifecycle.scenarios.enrollment import save_version
        from saleor_lifecycle.scenarios.models import ContactPolicy, Scenario

        print(f"(overrides: {', '.join(args.pg) or 'none'}); machine: {os.cpu_count()} cores")

        installation = Installation(saleor_api_url="https://shop.example.com/graphql/",
                                    saleor_domain="shop.example.com")
        installation.token = "x"
        installation.save()
        ContactPolicy.for_installation(installation)
        try:  # the shop's mail settings, as after installation (else the first step creates them)
            from saleor_lifecycle.mail.models import MailSettings

            MailSettings.for_installation(installation)
        except ImportError:
            pass
        scenario = Scenario.objects.create(installation=installation, key=SCENARIO["key"], enabled=True)
        scenario_version = save_version(scenario, SCENARIO)

        print(f"\ngenerating {args.enrollments:,} customers and enrollments (T0 = {T0:%Y-%m-%d %H:%M} UTC, "
              f"{args.due} due at T0, the rest over the next 30 days)...")
        started = time.perf_counter()
        with connection.cursor() as cursor:
            timings, neutral = generate_data(cursor, installation.pk, scenario.pk, scenario_version.pk,
                                             SCENARIO["steps"][0]["key"], args.enrollments, args.due, args.seed)
            generation = time.perf_counter() - started
            print(f"data generation: {generation:.1f} s (" + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items())
                  + ") [not a target]")
            if neutral:
                print("  NOT NULL columns filled with a neutral value: " + ", ".join(neutral))
            cursor.execute("SELECT count(*), count(*) FILTER (WHERE next_run_at <= %s), "
                           "pg_size_pretty(pg_total_relation_size('scenarios_enrollment')) "
                           "FROM scenarios_enrollment WHERE status = 'active'", [T0])
            total, due_now, size = cursor.fetchone()
            print(f"  enrollments: {total:,} active ({size} with indexes), {due_now:,} due at T0")
            cursor.execute("SELECT id FROM scenarios_enrollment WHERE next_run_at <= %s ORDER BY id", [T0])
            due_ids = [row[0] for row in cursor.fetchall()]
            cursor.execute("SELECT id FROM scenarios_enrollment WHERE next_run_at > %s ORDER BY id LIMIT %s",
                           [T0, args.executions + 1])
            run_ids = [row[0] for row in cursor.fetchall()]
            probe_id = run_ids.pop()

        # (a) claim latency with ~100 due
        claims = measure_claims(due_ids, args.claims)
        claim_ms = sorted(x * 1000 for x in claims["latencies"])
        print(f"\n[claim] engine.claim_due(T0, batch_size=200) x {len(claim_ms)} (after 3 untimed), "
              f"{len(due_ids)} due each time, re-armed between calls; calls that did not claim exactly "
              f"the due set: {claims['wrong']}")
        for line in claims["plan"]:
            print("    " + line)

        # (b) step executions: park the claim set, show one step's SQL, arm ``executions`` others,
        # run the workers
        with connection.cursor() as cursor:
            cursor.execute("UPDATE scenarios_enrollment SET next_run_at = %s WHERE id = ANY(%s)",
                           [T0 + timedelta(days=31), due_ids])
        statements = one_step_statements(probe_id, args.composer)
        commits = sum(1 for sql, *_ in statements if sql == "COMMIT")
        print(f"\n[one enrollment] run_due(T0, batch_size=1) on one due enrollment (branch, send, wait) "
              f"ran {len(statements) - commits} SQL statements and {commits} commits "
              f"({1000 * sum(t for _, t, _ in statements):.1f} ms in SQL, nothing else running here):")
        for sql, seconds, rows in statements:
            print(f"    {seconds * 1000:6.2f} ms {rows:>4} rows  {short_sql(sql)}")
        with connection.cursor() as cursor:
            cursor.execute("UPDATE scenarios_enrollment SET next_run_at = %s - (interval '1 millisecond' * "
                           "(id %% 60000)) WHERE id = ANY(%s)", [T0, run_ids])
            cursor.execute("VACUUM (ANALYZE) scenarios_enrollment")
            cursor.execute("SELECT count(*) FROM scenarios_steprun")
            runs_before = cursor.fetchone()[0]
        connection.close()  # the workers are the only clients while timed
        composer = "a plain composer" if args.composer == "none" else "the default composer"
        print(f"\n[run] {len(run_ids):,} enrollments due at T0, {args.processes} worker process(es) x "
              f"engine.run_due(T0, batch_size={args.batch_size}) until nothing is due; null sender, {composer}; "
              f"load average {os.getloadavg()[0]:.1f}...")
        worker_env = dict(os.environ)
        run = run_workers(stack, worker_env, args.processes, args.batch_size, args.run_seconds, args.composer,
                          args.py_spy, args.py_spy_rate,
                          timeout=max(30.0, args.time_limit - (time.perf_counter() - wall) - 20))
        load_after = os.getloadavg()[0]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*), count(*) FILTER (WHERE status = 'sent' AND step_key = %s AND enrollment_id = ANY(%s)), "
                "count(DISTINCT enrollment_id) FILTER (WHERE enrollment_id = ANY(%s)), "
                "count(*) FILTER (WHERE enrollment_id <> ALL(%s)) FROM scenarios_steprun",
                [SENT_STEP, run_ids, run_ids, run_ids + [probe_id]])
            runs, sent, enrollments_run, foreign = cursor.fetchone()
            cursor.execute("SELECT status, count(*) FROM scenarios_steprun WHERE enrollment_id = ANY(%s) "
                           "GROUP BY status ORDER BY 2 DESC", [run_ids])
            statuses = cursor.fetchall()
            cursor.execute("SELECT count(*) FROM scenarios_enrollment WHERE id = ANY(%s) AND step_key = %s "
                           "AND next_run_at = %s AND status = 'active'", [run_ids, NEXT_STEP, T0 + NEXT_AFTER])
            scheduled_next = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM scenarios_enrollment WHERE status = 'active' AND next_run_at <= %s",
                           [T0])
            still_due = cursor.fetchone()[0]
        created = runs - runs_before
        # Each enrollment that ran did the branch, the send and the wait (checked below).
        steps = STEPS_PER_RUN * scheduled_next
        rate = steps / run["wall"]
        claimed = sum(w["claimed"] for w in run["workers"])
        stopped = any(w["stopped"] for w in run["workers"])
        worker_cpu = sum(w["cpu"] for w in run["workers"])
        print(f"  wall {run['wall']:.2f} s; enrollments run: {scheduled_next:,} = {steps:,} steps; StepRun rows "
              f"created: {created:,} ({', '.join(f'{status} {n:,}' for status, n in statuses)}); claimed per worker: "
              f"{', '.join(str(w['claimed']) for w in run['workers'])} in "
              f"{sum(w['batches'] for w in run['workers'])} batches")
        if stopped and enrollments_run < len(run_ids):
            print(f"  stopped after --run-seconds {args.run_seconds:.0f}: {enrollments_run:,} of {len(run_ids):,} ran, "
                  f"the rest is still due")
        print(f"  CPU over the run: workers {worker_cpu:.1f} s (system {sum(w['sys'] for w in run['workers']):.1f} s), "
              f"PostgreSQL {run['postgres_cpu']:.1f} s, machine busy {run['machine_busy']:.1f} s of "
              f"{os.cpu_count() * run['wall']:.1f} s available (steal {run['steal']:.1f} s; busy beyond the "
              f"workers and PostgreSQL is other load on the machine); load average after {load_after:.1f}")
        print(f"  per step: {1e6 * worker_cpu / max(steps, 1):,.0f} µs worker CPU, "
              f"{1e6 * run['postgres_cpu'] / max(steps, 1):,.0f} µs PostgreSQL CPU, "
              f"{1e6 * run['wall'] * args.processes / max(steps, 1):,.0f} µs of a worker's wall time")
        checks = {
            "one StepRun per enrollment run, each claimed one ran": created == enrollments_run == claimed,
            f"all sent, at the {SENT_STEP!r} step (the branch went the not-opened way)": sent == created,
            "none for other enrollments": foreign == 0,
            f"each run waits at {NEXT_STEP!r}, due 7 days later": scheduled_next == enrollments_run,
            "the others still due (none if all ran)": still_due == len(run_ids) - enrollments_run,
            "no worker traceback": run["errors"] == 0,
        }
        for name, ok in checks.items():
            print(f"  check: {name}: {'ok' if ok else 'FAILED'}")
        if run["errors"]:
            print(f"  {run['errors']} tracebacks in the workers' logs; the first:\n" + run["error_sample"])
        compose = measure_compose()
        if isinstance(compose, str):
            print(f"  composing one email: could not measure ({compose})")
        else:
            print(f"  the default composer alone (engine.default_composer(): MJML, links, its settings queries), "
                  f"{compose[2]} emails here: {compose[0]:.2f} ms CPU, {compose[1]:.2f} ms wall each"
                  + (" (not in the run above)" if args.composer == "none" else ""))
        if run["profiles"]:
            print("\n" + summarize_profile(run["profiles"]))

        p50, p99 = support.percentile(claim_ms, 50), support.percentile(claim_ms, 99)
        print(f"\n=== results ({args.enrollments:,} enrollments; whole run {time.perf_counter() - wall:.0f} s; "
              f"PostgreSQL {'durable' if args.durable else 'like bin/test: fsync off'}; "
              f"load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
        print(f"data generation: {generation:.1f} s (not a target)")
        print(f"claim tick with {len(due_ids)} due: p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {claim_ms[-1]:.2f} ms; "
              f"target < {TARGET_CLAIM_MS:.0f} ms {verdict(p99 < TARGET_CLAIM_MS and claims['wrong'] == 0)}")
        print(f"step executions: {rate:,.0f} /s ({steps:,} in {run['wall']:.2f} s: branch + send + wait for "
              f"{scheduled_next:,} enrollments, {args.processes} worker process(es), batch {args.batch_size}, null "
              f"sender, {composer}); target >= {TARGET_RATE:,.0f} /s {verdict(rate >= TARGET_RATE)}")
        print(f"scheduler_claim_p99: {p99:.2f} ms")
        print(f"scheduler: {rate:.0f} steps/s")
        connection.close()
    signal.alarm(0)
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (support.BenchError, TimeoutError) as exc:
        print(f"benchmark could not run: {exc}", file=sys.stderr)
        sys.exit(2)
