"""Webhook ingest throughput: signed ORDER_CREATED deliveries into the app as in production.

    .venv/bin/python bench/webhook_ingest.py [--n 20000] [--concurrency K] [--workers W] ...

1. Starts a private PostgreSQL (temp dir, free port on 127.0.0.1, as bin/test does:
   fsync off, ``--pg fsync=on`` for a durable one), a private redis-server (the Celery
   broker) and the app under gunicorn (saleor_lifecycle.config.wsgi, DEBUG off,
   LOG_LEVEL=WARNING), after ``manage.py migrate``.
2. Installs the app the way Saleor does: a FakeSaleor POSTs its token to /api/register;
   the app confirms it over GraphQL and fetches the JWKS (the fake keeps serving both).
3. Before timing: renders real ORDER_CREATED bodies with the fake (the app's own
   subscription document against Saleor 3.24's schema), makes every distinct delivery
   unique the way Saleor's are (issuedAt, order id and number), signs each one (RS256
   detached JWS, on all cores) and mixes in exact re-sends (default 5 %), some right
   behind their original so both are in flight at once.
4. A separate load-generator process (bench/_support.py loadgen: threads, one keep-alive
   connection each, raw sockets) warms up, then sends all N deliveries and times each
   one from send to the full response.
5. Checks the database: the stored body hashes must be exactly the distinct deliveries
   sent (0 lost, 0 extra, no row twice), every answer 200, every re-send answered
   ``duplicate: true``, and every stored delivery queued exactly once in Redis (the web
   process batches ids into ``events.process_deliveries`` messages; no worker runs, so
   the messages stay there to be counted).

Server, database, broker and client share this machine's cores, so the figure is what
one small box does with everything on it, not the web tier alone; the output splits the
CPU per delivery by process and flags CPU used by anything else meanwhile.

Prints the figures; the last line is ``webhook_ingest: <value> deliveries/s``.
Exit status 1 when a correctness check fails (the throughput target only reports).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import pickle
import random
import secrets
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _support as support  # noqa: E402

REPO = support.REPO
TARGET_RATE = 1000.0  # deliveries/s on the 2-core reference machine
TARGET_P99_MS = 50.0
EVENT = "ORDER_CREATED"

#: A throwaway PostgreSQL as bin/test starts it: no fsync (the figure is the app's, not
#: this VM's shared disk); commits still wait for their WAL write. ``--pg fsync=on`` for
#: a durable one.
DEFAULT_PG_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "on",
    "full_page_writes": "off",
    "max_connections": "100",
    "logging_collector": "off",
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    cores = os.cpu_count() or 2
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=20000, help="deliveries to send, re-sends included (default 20000)")
    parser.add_argument("--duplicates-share", type=float, default=0.05,
                        help="share of the N sends that re-send an earlier delivery (default 0.05)")
    parser.add_argument("--concurrency", type=int,
                        help="concurrent client connections (default: one per server thread, workers x threads; "
                             "more only queues in front of the busy threads and adds latency)")
    parser.add_argument("--workers", type=int, default=cores,
                        help=f"gunicorn worker processes (default {cores}: one per core, each with its own GIL)")
    parser.add_argument("--worker-class", choices=["sync", "gthread"], default="gthread",
                        help="gunicorn worker class (default gthread; sync closes every connection)")
    parser.add_argument("--threads", type=int, default=2,
                        help="threads per gthread worker (default 2: one runs Python while the other waits on "
                             "PostgreSQL; 4 measured no faster on 2 cores and doubled p99)")
    parser.add_argument("--keep-alive", type=int, default=5,
                        help="gunicorn keep-alive seconds (gthread only; default 5)")
    parser.add_argument("--client-close", action="store_true",
                        help="a new connection per delivery (Connection: close), as Saleor's sender does")
    parser.add_argument("--wsgi-app", default="saleor_lifecycle.config.wsgi:application",
                        help="WSGI entry point gunicorn serves (default: the app's own)")
    parser.add_argument("--pythonpath", help="extra directory for gunicorn's import path (with --wsgi-app)")
    parser.add_argument("--warmup", type=int, default=400,
                        help="distinct deliveries sent before timing (stored, checked, not timed; default 400)")
    parser.add_argument("--pg", action="append", default=[], metavar="NAME=VALUE",
                        help="extra PostgreSQL setting, repeatable (e.g. --pg synchronous_commit=off)")
    parser.add_argument("--py-spy", metavar="FILE",
                        help="sample the gunicorn workers with py-spy --gil (Python CPU time; collapsed stacks to FILE) "
                             "and summarise; py-spy's own CPU slows the run")
    parser.add_argument("--py-spy-rate", type=int, default=200, help="py-spy samples/s (default 200)")
    parser.add_argument("--no-enqueue-probe", action="store_true",
                        help="skip measuring Celery apply_async alone after the run")
    parser.add_argument("--seed", type=int, default=1, help="random seed for bodies and re-send order")
    parser.add_argument("--timeout", type=float, default=200, help="seconds the timed load may take (default 200)")
    args = parser.parse_args(argv)
    if args.concurrency is None:
        args.concurrency = args.workers * (args.threads if args.worker_class == "gthread" else 1)
    if args.n < 1 or not 0 <= args.duplicates_share < 1 or args.concurrency < 1 or args.workers < 1:
        parser.error("need --n >= 1, 0 <= --duplicates-share < 1, --concurrency >= 1, --workers >= 1")
    return args


# --------------------------------------------------------------------------- environment


def app_env(stack: support.Stack, database_url: str, broker_url: str, allowed_saleor: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if key not in {"DEBUG", "LIFECYCLE_TESTING", "CELERY_TASK_ALWAYS_EAGER", "DJANGO_SETTINGS_MODULE",
                          "APP_URL", "ALLOWED_HOSTS", "CONN_MAX_AGE", "LOG_FORMAT"}}
    env.update({
        "SECRET_KEY": secrets.token_urlsafe(40),
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url,
        "LOG_LEVEL": "WARNING",
        "VAR_DIR": str(stack.dir / "var"),
        "ALLOWED_SALEOR_URLS": allowed_saleor,
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    return env


def gunicorn_command(args: argparse.Namespace, port: int) -> list[str]:
    command = [str(support.VENV_BIN / "gunicorn"), args.wsgi_app,
               "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
               "--worker-class", args.worker_class, "--log-level", "warning", "--backlog", "2048"]
    if args.pythonpath:
        command += ["--pythonpath", args.pythonpath]
    if args.worker_class == "gthread":
        command += ["--threads", str(args.threads), "--keep-alive", str(args.keep_alive)]
    return command


# --------------------------------------------------------------------------- deliveries


def render_pool(fake, size: int, rng: random.Random) -> list[dict]:
    """``size`` ORDER_CREATED bodies as Saleor 3.24 renders the app's subscription."""
    from saleor_lifecycle.events.registry import WEBHOOKS
    from saleor_lifecycle.testing.fake_saleor import money

    document = WEBHOOKS[EVENT].query
    pool = []
    for k in range(size):
        customer = fake.add_customer(email=f"customer{k}@example.com", firstName=f"Customer{k}")
        lines = [{"quantity": rng.randint(1, 3), "unitPrice": rng.choice([9.5, 25, 42.99, 120])}
                 for _ in range(rng.randint(1, 4))]
        guest = rng.random() < 0.2
        order = fake.add_order(user=None if guest else customer, lines=lines, totalRefunded=money(0))
        pool.append(fake.render_event(document, fake.make_event(EVENT, order=order)))
    return pool


def distinct_bodies(pool: list[dict], count: int, rng: random.Random) -> list[bytes]:
    """``count`` bodies, each one event: own issuedAt, order id and number (as Saleor's are)."""
    from saleor_lifecycle.testing.fake_saleor import global_id

    start = datetime.now(UTC) - timedelta(hours=1)
    bodies = []
    for i in range(count):
        template = pool[i % len(pool)]
        moment = (start + timedelta(milliseconds=i * 7)).isoformat()
        order = {**template["order"], "id": global_id("Order", uuid.UUID(int=rng.getrandbits(128), version=4)),
                 "number": str(100000 + i), "created": moment, "updatedAt": moment}
        body = {**template, "issuedAt": moment, "order": order}
        bodies.append(json.dumps(body, separators=(",", ":")).encode())
    return bodies


def send_order(distinct: int, duplicates: int, rng: random.Random) -> list[int]:
    """Indexes into the distinct deliveries in send order, re-sends after their original.

    A fifth of the re-sends follow their original at once (both in flight together, the
    unique-constraint race); the rest come at a uniformly random later point (Saleor retries).
    """
    keys = [(float(i), i) for i in range(distinct)]
    for original in rng.sample(range(distinct), duplicates) if duplicates <= distinct else \
            [rng.randrange(distinct) for _ in range(duplicates)]:
        at = original + 0.5 if rng.random() < 0.2 else rng.uniform(original + 0.5, distinct)
        keys.append((at, original))
    keys.sort()
    return [index for _, index in keys]


# --------------------------------------------------------------------------- checks


def database_facts(database_url: str) -> dict:
    import psycopg

    with psycopg.connect(database_url) as conn:
        rows, distinct, pending, not_pending = conn.execute(
            "SELECT count(*), count(DISTINCT (installation_id, event_type, body_sha256)),"
            " count(*) FILTER (WHERE status = 'pending'), count(*) FILTER (WHERE status <> 'pending')"
            " FROM events_webhookdelivery").fetchone()
        stored_ids = [row[0] for row in conn.execute("SELECT id FROM events_webhookdelivery")]
        hashes = [row[0] for row in conn.execute("SELECT body_sha256 FROM events_webhookdelivery")]
        settings = dict(conn.execute(
            "SELECT name, setting || COALESCE(unit, '') FROM pg_settings WHERE name = ANY(%s)",
            (["fsync", "synchronous_commit", "full_page_writes", "wal_sync_method", "shared_buffers",
              "max_connections", "commit_delay", "wal_level", "server_version"],)).fetchall())
    return {"rows": rows, "distinct": distinct, "pending": pending, "not_pending": not_pending,
            "hashes": hashes, "ids": stored_ids,
            "settings": settings}


def queued_deliveries(client) -> tuple[Counter, int]:
    """How often each delivery id was queued for processing, and in how many messages.

    Reads Celery's queue in Redis: ``events.process_deliveries`` messages carry a list of
    ids (the web process batches them), ``events.process_delivery`` one id.
    """
    ids: Counter = Counter()
    messages = 0
    for raw in client.lrange("celery", 0, -1):
        envelope = json.loads(raw)
        task = envelope.get("headers", {}).get("task")
        if task not in ("events.process_deliveries", "events.process_delivery"):
            continue
        body = envelope["body"]
        if envelope.get("properties", {}).get("body_encoding") == "base64":
            body = base64.b64decode(body)
        args = json.loads(body)[0]
        messages += 1
        ids.update(args[0] if task == "events.process_deliveries" else args)
    return ids, messages


def enqueue_probe(env: dict[str, str], calls: int = 2000) -> dict:
    """Cost of the app's enqueue alone: ``process_delivery_task.apply_async`` to this Redis.

    Runs in a fresh Django process against a separate queue (deleted afterwards), compared
    with a bare redis-py LPUSH of a same-sized message.
    """
    code = f"""
import json, time, django
django.setup()
import redis
from django.conf import settings
from saleor_lifecycle.events.tasks import process_delivery_task
queue = "bench-enqueue-probe"
for _ in range(50):
    process_delivery_task.apply_async((1,), queue=queue)
t0, c0 = time.perf_counter(), time.process_time()
for i in range({calls}):
    process_delivery_task.apply_async((i,), queue=queue)
celery_wall, celery_cpu = time.perf_counter() - t0, time.process_time() - c0
client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
message = client.lindex(queue, 0) or b"x" * 1000
t0, c0 = time.perf_counter(), time.process_time()
for i in range({calls}):
    client.lpush(queue + "-raw", message)
raw_wall, raw_cpu = time.perf_counter() - t0, time.process_time() - c0
client.delete(queue, queue + "-raw")
print(json.dumps({{"celery_wall_us": celery_wall / {calls} * 1e6, "celery_cpu_us": celery_cpu / {calls} * 1e6,
                  "lpush_wall_us": raw_wall / {calls} * 1e6, "lpush_cpu_us": raw_cpu / {calls} * 1e6,
                  "message_bytes": len(message)}}))
"""
    run = subprocess.run([support.PYTHON, "-c", code], cwd=REPO, capture_output=True, text=True,
                         timeout=120, env={**env, "DJANGO_SETTINGS_MODULE": "saleor_lifecycle.config.settings"})
    if run.returncode:
        return {"error": run.stderr.strip().splitlines()[-1] if run.stderr.strip() else "failed"}
    return json.loads(run.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    support.require_redis()
    support.postgres_bin()
    began = time.monotonic()
    duplicates = round(args.n * args.duplicates_share)
    distinct = args.n - duplicates
    rng = random.Random(args.seed)

    def on_sigterm(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_sigterm)

    with support.Stack() as stack:
        # --- services
        pg_settings = dict(DEFAULT_PG_SETTINGS)
        for item in args.pg:
            name, _, value = item.partition("=")
            pg_settings[name.strip()] = value.strip()
        database_url = stack.start_postgres(pg_settings)
        broker_url = stack.start_redis()
        env = app_env(stack, database_url, broker_url, "http://127.0.0.1:*/graphql/")
        migrate = subprocess.run([support.PYTHON, "manage.py", "migrate", "--noinput"], cwd=REPO, env=env,
                                 capture_output=True, text=True, timeout=180)
        if migrate.returncode:
            raise support.BenchError(f"migrate failed:\n{migrate.stdout}{migrate.stderr}")
        app_port = support.free_port()
        gunicorn = stack.spawn("gunicorn", gunicorn_command(args, app_port), env)
        try:
            support.wait_http_ok(f"http://127.0.0.1:{app_port}/healthz", gunicorn)
        except support.BenchError as exc:
            raise support.BenchError(f"{exc}; gunicorn's log:\n{stack.log_tail('gunicorn')}") from None

        # The driver renders bodies with the app's own documents: same settings, no DB use.
        os.environ.update({k: env[k] for k in ("SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL",
                                               "VAR_DIR", "LOG_LEVEL")})
        os.environ["DJANGO_SETTINGS_MODULE"] = "saleor_lifecycle.config.settings"
        for name in ("DEBUG", "LIFECYCLE_TESTING"):
            os.environ.pop(name, None)
        import django

        django.setup()
        from saleor_lifecycle.testing.fake_saleor import FakeSaleor

        # --- install the app like Saleor (the fake keeps serving JWKS and GraphQL)
        fake = FakeSaleor().start()
        stack._stops.append(("fake saleor", fake.stop))
        response = fake.register(f"http://127.0.0.1:{app_port}/api/register")
        if response.status_code != 200:
            raise support.BenchError(f"/api/register answered {response.status_code}: {response.text}")

        # --- every request built and signed before timing
        t_gen = time.monotonic()
        pool = render_pool(fake, 32, rng)
        bodies = distinct_bodies(pool, args.warmup + distinct, rng)
        header_b64 = fake.sign(b"").partition("..")[0]
        pem = fake.signing_key.export_to_pem(private_key=True, password=None)
        signatures = support.sign_bodies(bodies, pem, header_b64, processes=os.cpu_count() or 2)
        if signatures[0] != fake.sign(bodies[0]):
            raise support.BenchError("bench signatures differ from FakeSaleor.sign")
        _, template_headers = fake.delivery_request(EVENT, bodies[0])
        path = f"/api/webhooks/{EVENT.lower().replace('_', '-')}"
        host = f"127.0.0.1:{app_port}"

        def request(index: int) -> bytes:
            headers = {**template_headers, "Saleor-Signature": signatures[index]}
            return support.http_request(path, host, bodies[index], headers, close=args.client_close)

        warmup_requests = [request(i) for i in range(args.warmup)]
        order = send_order(distinct, duplicates, rng)
        built = {i: request(args.warmup + i) for i in range(distinct)}
        measured_requests = [built[i] for i in order]  # a re-send is the very same bytes
        requests_file = stack.dir / "requests.pickle"
        with open(requests_file, "wb") as handle:
            pickle.dump({"warmup": warmup_requests, "measured": measured_requests}, handle,
                        protocol=pickle.HIGHEST_PROTOCOL)
        del built, measured_requests, warmup_requests
        generation_s = time.monotonic() - t_gen

        # --- the timed run, from a separate process
        loadgen = subprocess.Popen(
            [support.PYTHON, str(Path(__file__).resolve().parent / "_support.py"), "loadgen",
             str(app_port), str(requests_file), str(args.concurrency)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, start_new_session=True)
        stack._stops.append(("load generator", lambda: support._terminate(loadgen)))
        ready = loadgen.stdout.readline().strip()
        if ready != "READY":
            raise support.BenchError(f"the load generator failed during warm-up ({ready!r})")
        roots = {"gunicorn": gunicorn.pid, "postgres": stack.postmaster_pid(), "redis": stack.redis_pid,
                 "load generator": loadgen.pid}
        profiler = None
        if args.py_spy:
            profiler = subprocess.Popen(
                [str(support.VENV_BIN / "py-spy"), "record", "--pid", str(gunicorn.pid), "--subprocesses",
                 "--rate", str(args.py_spy_rate), "--nonblocking", "--gil", "--format", "raw", "-o", args.py_spy],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
            stack._stops.append(("py-spy", lambda: support._terminate(profiler)))
            roots["py-spy"] = profiler.pid
            time.sleep(1.0)  # attach before the load starts
        speed_before = support.python_loop_ms()
        cpu_before = support.cpu_snapshot(roots)
        machine_before = support.machine_cpu()
        load_before = os.getloadavg()
        loadgen.stdin.write("GO\n")
        loadgen.stdin.flush()
        try:
            output, _ = loadgen.communicate(timeout=args.timeout)
        except subprocess.TimeoutExpired:
            raise support.BenchError(f"the timed load took longer than {args.timeout:.0f} s")
        cpu_after = support.cpu_snapshot(roots)
        machine_after = support.machine_cpu()
        load_after = os.getloadavg()
        speed_after = support.python_loop_ms()
        if loadgen.returncode:
            raise support.BenchError(f"the load generator exited with {loadgen.returncode}")
        if profiler is not None:
            profiler.send_signal(signal.SIGINT)
            try:
                profiler.wait(timeout=30)
            except subprocess.TimeoutExpired:
                profiler.kill()
        results = json.loads(output.strip().splitlines()[-1])
        cpu = support.cpu_delta(cpu_before, cpu_after)
        # the client exited before the second snapshot: it reports its own CPU
        cpu["load generator"] = results["measured"]["cpu_user"] + results["measured"]["cpu_sys"]
        # whatever else ran on the machine meanwhile (other test runs, py-spy): it skews the figures
        foreign = max(0.0, machine_after["busy"] - machine_before["busy"] - sum(cpu.values()))
        steal = machine_after["steal"] - machine_before["steal"]

        # --- checks
        facts = database_facts(database_url)
        import redis

        # Deliveries are queued in batches after the response (ingest.BATCH_LINGER): wait
        # for the last batch to land, up to a few seconds.
        broker = redis.Redis.from_url(broker_url)
        deadline = time.monotonic() + 5
        while True:
            queued, messages = queued_deliveries(broker)
            if set(queued) >= set(facts["ids"]) or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        probe = None if args.no_enqueue_probe else enqueue_probe(env)
        gunicorn_alive = gunicorn.poll() is None
        gunicorn_log = stack.log_tail("gunicorn", 15)

    # --- report (services are stopped)
    measured = results["measured"]
    warm = results.get("warmup", {"status": [], "duplicate": []})
    latencies = sorted(measured["latency"])
    elapsed = measured["elapsed"]
    rate = args.n / elapsed
    statuses = Counter(measured["status"]) + Counter(warm["status"])
    non_200 = sum(count for code, count in statuses.items() if code != 200)
    answered_duplicate = sum(measured["duplicate"])
    warm_expected = {hashlib.sha256(body).hexdigest() for body in bodies[:args.warmup]}
    measured_expected = {hashlib.sha256(body).hexdigest() for body in bodies[args.warmup:]}
    expected = warm_expected | measured_expected
    stored = set(facts["hashes"])
    lost = len(expected - stored)
    extra = len(stored - expected)
    stored_measured = len(stored & measured_expected)
    twice = facts["rows"] - facts["distinct"]
    ms = lambda q: 1000 * support.percentile(latencies, q)  # noqa: E731
    p50, p95, p99, p999 = ms(50), ms(95), ms(99), ms(99.9)
    accepted = sum(1 for code in measured["status"] if 200 <= code < 300)
    rows_per_hash = Counter(facts["hashes"])
    resent = [hashlib.sha256(bodies[args.warmup + i]).hexdigest() for i, sends in Counter(order).items() if sends > 1]
    resent_stored_once = sum(1 for digest in resent if rows_per_hash[digest] == 1)
    worst = 1000 * latencies[-1]

    server = (f"gunicorn {args.worker_class} x{args.workers} workers"
              + (f" x{args.threads} threads, keep-alive {args.keep_alive}s" if args.worker_class == "gthread"
                 else " (no keep-alive: sync workers close every connection)"))
    if (args.worker_class, args.workers, args.threads) == ("gthread", os.cpu_count() or 2, 2):
        server += " (one process per core for the GIL, a second thread to run while the first waits on the database)"
    s = facts["settings"]
    pg = ", ".join(f"{k}={s.get(k)}" for k in ("fsync", "synchronous_commit", "full_page_writes",
                                                "wal_sync_method", "shared_buffers", "commit_delay"))
    cpu_total = sum(cpu.values())
    cpu_share = lambda name: 100 * cpu.get(name, 0.0) / cpu_total if cpu_total else 0.0  # noqa: E731
    if args.wsgi_app != "saleor_lifecycle.config.wsgi:application":
        server += f", serving {args.wsgi_app} (NOT the app's own entry point)"
    print(f"server          {server}; Django DEBUG off, LOG_LEVEL=WARNING, CONN_MAX_AGE=60 (settings default)")
    print(f"database        PostgreSQL {s.get('server_version')} private, {pg}")
    print(f"broker          redis-server private, no persistence (--save '' --appendonly no); no Celery worker")
    print(f"client          separate process, {args.concurrency} connections, "
          f"{'Connection: close per delivery' if args.client_close else 'keep-alive'}, "
          f"{measured['connections_opened']} connections opened, "
          f"{measured['resent_on_new_connection']} re-sent after a stale keep-alive")
    print(f"machine         {os.cpu_count()} CPUs shared by gunicorn, PostgreSQL, Redis and the client; "
          f"load average {load_before[0]:.2f} before the timed run, {load_after[0]:.2f} after (1 min); "
          f"requests built and signed in {generation_s:.1f} s before timing; a fixed Python loop took "
          f"{speed_before:.1f} ms before and {speed_after:.1f} ms after (core speed: compare runs only at "
          f"similar values)")
    print(f"sent            {args.n} ({distinct} distinct + {duplicates} exact re-sends, "
          f"{100 * duplicates / args.n:.1f}%); +{args.warmup} distinct warm-up deliveries (untimed)")
    print(f"stored          {stored_measured} of {len(measured_expected)} distinct deliveries sent "
          f"(stored/distinct {stored_measured / max(1, len(measured_expected)):.4f}); lost {lost}, "
          f"unexpected rows {extra}, stored twice {twice}; plus {len(stored & warm_expected)} of "
          f"{len(warm_expected)} warm-up rows; {facts['rows']} rows in events_webhookdelivery")
    print(f"accepted        {accepted} of {args.n} sent answered 2xx; all answers incl. warm-up "
          f"{dict(sorted(statuses.items()))}, non-200 {non_200}")
    print(f"duplicates      {duplicates} exact re-sends of {len(resent)} events: {answered_duplicate} answered "
          f"'duplicate: true'; {resent_stored_once} of the {len(resent)} events stored exactly once")
    if measured["errors"]:
        print(f"client errors   {len(measured['errors'])}, e.g. {Counter(measured['errors']).most_common(3)}")
    queued_ok = set(queued) == set(facts["ids"]) and all(count == 1 for count in queued.values())
    print(f"queued          {len(queued)} ids in {messages} Celery messages in Redis "
          f"({len(queued) / max(1, messages):.1f} deliveries per message); "
          f"{len(set(facts['ids']) - set(queued))} stored but not queued, "
          f"{sum(1 for count in queued.values() if count > 1)} queued twice, "
          f"{len(set(queued) - set(facts['ids']))} queued but not stored")
    print(f"elapsed         {elapsed:.2f} s")
    print(f"throughput      {rate:.0f} deliveries/s ({args.n} in {elapsed:.2f} s, {args.concurrency} connections)")
    print(f"latency         p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms, p99.9 {p999:.1f} ms, "
          f"max {worst:.1f} ms (send to full response, client side)")
    print("CPU (timed run) " + ", ".join(f"{name} {secs:.1f} s" for name, secs in cpu.items())
          + f"; total {cpu_total:.1f} s of {elapsed * (os.cpu_count() or 1):.1f} s available "
          + f"= {1e6 * cpu_total / args.n:.0f} µs/delivery "
          + f"(gunicorn {1e6 * cpu.get('gunicorn', 0) / args.n:.0f}, postgres {1e6 * cpu.get('postgres', 0) / args.n:.0f}, "
          + f"client {1e6 * cpu.get('load generator', 0) / args.n:.0f})")
    capacity = elapsed * (os.cpu_count() or 1)
    ceiling = (os.cpu_count() or 1) * args.n / cpu_total if cpu_total else float("nan")
    print(f"CPU ceiling     {ceiling:.0f} deliveries/s = {os.cpu_count()} cores / {1e6 * cpu_total / args.n:.0f} µs "
          f"of CPU per delivery (server, database, broker and client together): the most this code can do "
          f"on this machine when nothing else runs")
    print(f"other load      {foreign:.1f} CPU-s by processes outside the benchmark ({100 * foreign / capacity:.0f}% "
          f"of the machine), steal {steal:.1f} s"
          + ("  <-- WARNING: the machine was busy; figures are pessimistic" if foreign > 0.05 * capacity else ""))
    if probe:
        if "error" in probe:
            print(f"enqueue probe   failed: {probe['error']}")
        else:
            per_message = len(queued) / max(1, messages)
            print(f"enqueue probe   one Celery apply_async {probe['celery_wall_us']:.0f} µs wall / "
                  f"{probe['celery_cpu_us']:.0f} µs CPU vs bare LPUSH {probe['lpush_wall_us']:.0f} µs / "
                  f"{probe['lpush_cpu_us']:.0f} µs ({probe['message_bytes']} B message); batched "
                  f"{per_message:.1f} deliveries per message, ~{probe['celery_cpu_us'] / per_message:.0f} µs "
                  f"of CPU per delivery")
    if args.py_spy and Path(args.py_spy).exists():
        print(support.summarize_pyspy_raw(Path(args.py_spy)))
    if not gunicorn_alive:
        print("gunicorn died during the run:\n" + gunicorn_log)

    correct = (lost == 0 and extra == 0 and twice == 0 and non_200 == 0 and not measured["errors"]
               and answered_duplicate == duplicates and queued_ok and gunicorn_alive)
    print(f"checks          {'PASS' if correct else 'FAIL'} (0 lost, 0 extra, no row twice, all 200, "
          f"re-sends answered duplicate, every stored delivery queued exactly once)")
    verdict = lambda ok: "PASS" if ok else "FAIL"  # noqa: E731
    print(f"target rate     {rate:.0f} deliveries/s {'>=' if rate >= TARGET_RATE else '<'} {TARGET_RATE:.0f}: "
          f"{verdict(rate >= TARGET_RATE)}")
    print(f"target p99      {p99:.1f} ms {'<' if p99 < TARGET_P99_MS else '>='} {TARGET_P99_MS:.0f} ms: "
          f"{verdict(p99 < TARGET_P99_MS)}")
    print(f"target 0 lost   lost {lost}, stored twice {twice}, accepted but not queued "
          f"{len(set(facts['ids']) - set(queued))}: {verdict(lost == 0 and twice == 0 and queued_ok)}")
    print(f"meaning         server, PostgreSQL, Redis and client share these {os.cpu_count()} cores, so the rate is "
          f"the whole stack on one small machine; gunicorn alone used {1e6 * cpu.get('gunicorn', 0) / args.n:.0f} µs "
          f"of CPU per delivery ({cpu_share('gunicorn'):.0f}% of the total), what a web tier with cores of its own "
          f"would pay. Whole run {time.monotonic() - began:.0f} s")
    print(f"webhook_ingest: {rate:.0f} deliveries/s")
    return 0 if correct else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except support.BenchError as exc:
        print(f"webhook_ingest: cannot run: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("webhook_ingest: interrupted; services stopped", file=sys.stderr)
        sys.exit(130)
