"""Helpers for the benchmarks in bench/: private services, signing, the load generator.

Only the standard library at import time, so the load generator process (run as
``python bench/_support.py loadgen ...``) stays small and cheap on CPU.

* :class:`Stack` starts and always stops a private PostgreSQL, redis-server and gunicorn
  (temp dir, random free ports on 127.0.0.1).
* :func:`sign_bodies` signs webhook bodies like Saleor (detached RS256 JWS, ``b64: false``)
  on all cores, before anything is timed.
* :func:`loadgen_main` is the load generator: K threads, one keep-alive connection each,
  raw sockets and pre-built request bytes (see its docstring for why).
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import pickle
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = REPO / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable


class BenchError(Exception):
    """The benchmark cannot run (missing dependency, a service did not start...)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_bin() -> Path:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    if candidates:
        return candidates[-1].parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise BenchError("PostgreSQL server binaries not found: apt-get install postgresql-15")


def require_redis() -> str:
    path = shutil.which("redis-server")
    if not path:
        raise BenchError("redis-server not found: apt-get install redis-server "
                         "(then `service redis-server stop`: the benchmark starts its own)")
    return path


# --------------------------------------------------------------------------- services


class Stack:
    """Private services for one run; :meth:`close` stops whatever was started, in reverse."""

    def __init__(self, prefix: str = "lifecycle-bench.") -> None:
        self.dir = Path(tempfile.mkdtemp(prefix=prefix))
        self.dir.chmod(0o755)
        self._stops: list[tuple[str, callable]] = []
        self.is_root = os.geteuid() == 0

    # -- lifecycle
    def close(self) -> None:
        while self._stops:
            name, stop = self._stops.pop()
            try:
                stop()
            except Exception as exc:  # keep cleaning up
                print(f"warning: stopping {name} failed: {exc}", file=sys.stderr)
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _as_pg(self, command: list[str]) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *command] if self.is_root else command

    # -- PostgreSQL
    def start_postgres(self, settings: dict[str, str]) -> str:
        """initdb + start on a free port; return the DATABASE_URL of database ``lifecycle``."""
        pg_bin = postgres_bin()
        pg_dir = self.dir / "pg"
        pg_dir.mkdir()
        if self.is_root:
            if subprocess.run(["id", "postgres"], capture_output=True).returncode != 0:
                subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
            shutil.chown(pg_dir, user="postgres")
        data = pg_dir / "data"
        run = subprocess.run(self._as_pg([str(pg_bin / "initdb"), "-D", str(data), "-U", "postgres",
                                          "--auth=trust", "-E", "UTF8"]),
                             capture_output=True, text=True)
        if run.returncode:
            raise BenchError(f"initdb failed:\n{run.stdout}{run.stderr}")
        port = free_port()
        options = f"-h 127.0.0.1 -p {port} -k {pg_dir}" + "".join(
            f" -c {name}={value}" for name, value in settings.items())
        run = subprocess.run(self._as_pg([str(pg_bin / "pg_ctl"), "-D", str(data), "-l",
                                          str(pg_dir / "log"), "-w", "-o", options, "start"]),
                             capture_output=True, text=True, start_new_session=True)
        if run.returncode:
            log = (pg_dir / "log").read_text() if (pg_dir / "log").exists() else ""
            raise BenchError(f"PostgreSQL did not start:\n{run.stdout}{run.stderr}{log}")
        self.pg_data = data
        self._stops.append(("postgres", lambda: subprocess.run(
            self._as_pg([str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True, timeout=30)))
        import psycopg  # the venv's driver; only the orchestrating process needs it

        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE lifecycle")
        return f"postgres://postgres@127.0.0.1:{port}/lifecycle"

    # -- Redis
    def start_redis(self) -> str:
        server = require_redis()
        port = free_port()
        log = open(self.dir / "redis.log", "wb")
        process = subprocess.Popen(
            [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.dir)],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.redis_pid = process.pid
        self._stops.append(("redis", lambda: _terminate(process)))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(64).startswith(b"+PONG"):
                        return f"redis://127.0.0.1:{port}/0"
            except OSError:
                pass
            if process.poll() is not None:
                break
            time.sleep(0.05)
        raise BenchError("redis-server did not start: " + (self.dir / "redis.log").read_text())

    # -- any long-running child (gunicorn)
    def spawn(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = open(self.dir / f"{name}.log", "wb")
        process = subprocess.Popen(command, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        self._stops.append((name, lambda: _terminate(process, group=True)))
        return process

    def postmaster_pid(self) -> int:
        return int((self.pg_data / "postmaster.pid").read_text().split()[0])

    def log_tail(self, name: str, lines: int = 30) -> str:
        path = self.dir / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


def _terminate(process: subprocess.Popen, group: bool = False, timeout: float = 10) -> None:
    if process.poll() is not None:
        return
    try:
        if group:
            os.killpg(process.pid, signal.SIGTERM)
        else:
            process.terminate()
        process.wait(timeout=timeout)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            if group:
                os.killpg(process.pid, signal.SIGKILL)
            else:
                process.kill()
        except ProcessLookupError:
            pass
        process.wait(timeout=timeout)


def wait_http_ok(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"the server exited with {process.returncode} while starting")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError) as exc:
            last = str(exc)
        time.sleep(0.1)
    raise BenchError(f"{url} did not answer 200 within {timeout:.0f} s ({last})")


# --------------------------------------------------------------------------- signing


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


_signer = None


def _init_signer(private_pem: bytes, header_b64: str) -> None:
    global _signer
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    key = serialization.load_pem_private_key(private_pem, password=None)
    prefix = header_b64.encode("ascii") + b"."
    pad, algorithm = padding.PKCS1v15(), hashes.SHA256()
    _signer = lambda body: f"{header_b64}..{_b64url(key.sign(prefix + body, pad, algorithm))}"  # noqa: E731


def _sign_chunk(bodies: list[bytes]) -> list[str]:
    return [_signer(body) for body in bodies]


def sign_bodies(bodies: list[bytes], private_pem: bytes, header_b64: str, processes: int) -> list[str]:
    """``Saleor-Signature`` for each body: ``<header>..<RS256(header + "." + body)>``.

    The same bytes FakeSaleor.sign produces (PKCS#1 v1.5 is deterministic), computed in
    ``processes`` processes because 20k RSA-2048 signatures take ~25 s on one core.
    """
    if processes <= 1 or len(bodies) < 1000:
        _init_signer(private_pem, header_b64)
        return _sign_chunk(bodies)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    size = 500
    chunks = [bodies[i:i + size] for i in range(0, len(bodies), size)]
    with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork"),
                             initializer=_init_signer, initargs=(private_pem, header_b64)) as pool:
        return [signature for chunk in pool.map(_sign_chunk, chunks) for signature in chunk]


def http_request(path: str, host: str, body: bytes, headers: dict[str, str], *, close: bool) -> bytes:
    """The exact bytes of one HTTP/1.1 POST, built once before timing."""
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers.items() if name.lower() != "content-length"]
    if close:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


# --------------------------------------------------------------------------- load generator


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list (q in 0..100)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * q // 100))  # ceil(n * q / 100)
    return sorted_values[int(rank) - 1]


class _Connection:
    """One keep-alive connection; reconnects when the server closes it."""

    def __init__(self, address: tuple[str, int]) -> None:
        self.address = address
        self.sock: socket.socket | None = None
        self.buffer = b""
        self.opened = 0
        self.resent = 0

    def connect(self) -> None:
        sock = socket.create_connection(self.address, timeout=30)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock, self.buffer = sock, b""
        self.opened += 1

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def exchange(self, request: bytes) -> tuple[int, bytes]:
        """Send one request, read one full response; return (status, body)."""
        reused = self.sock is not None
        if not reused:
            self.connect()
        try:
            self.sock.sendall(request)
            return self._read_response()
        except (ConnectionError, _EmptyResponse, OSError) as exc:
            # A kept-alive connection the server closed in between (keep-alive timeout):
            # resend once on a new connection, as HTTP clients do. Anything else is an error.
            self.close()
            if not reused or (isinstance(exc, _PartialResponse)):
                raise
            self.resent += 1
            self.connect()
            self.sock.sendall(request)
            return self._read_response()

    def _read_response(self) -> tuple[int, bytes]:
        buffer = self.buffer
        end = buffer.find(b"\r\n\r\n")
        while end < 0:
            chunk = self.sock.recv(65536)
            if not chunk:
                if buffer:
                    raise _PartialResponse("connection closed mid-response")
                raise _EmptyResponse("connection closed before the response")
            buffer += chunk
            end = buffer.find(b"\r\n\r\n")
        head, rest = buffer[:end], buffer[end + 4:]
        status = int(head[9:12])
        length, close = None, head.startswith(b"HTTP/1.0")
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection":
                close = value.strip().lower() == b"close"
        if length is None:  # no length: the body ends with the connection
            while chunk := self.sock.recv(65536):
                rest += chunk
            length, close = len(rest), True
        while len(rest) < length:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise _PartialResponse("connection closed mid-body")
            rest += chunk
        self.buffer = rest[length:]
        if close:
            self.close()
        return status, rest[:length]


class _EmptyResponse(ConnectionError):
    pass


class _PartialResponse(ConnectionError):
    pass


def _run_phase(requests: list[bytes], concurrency: int, address: tuple[str, int],
               connections: list[_Connection]) -> dict:
    """Send every request once over ``concurrency`` connections; per-request results."""
    n = len(requests)
    latency = [0.0] * n
    status = [0] * n
    duplicate = [False] * n
    errors: list[str] = []
    next_index = iter(range(n)).__next__  # atomic under the GIL: each index is taken once
    lock = threading.Lock()
    start = threading.Barrier(concurrency + 1)
    perf = time.perf_counter

    def worker(connection: _Connection) -> None:
        start.wait()
        while True:
            try:
                i = next_index()
            except StopIteration:
                return
            t0 = perf()
            try:
                code, body = connection.exchange(requests[i])
            except Exception as exc:  # recorded, never retried: the run reports it
                connection.close()
                latency[i], status[i] = perf() - t0, -1
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}")
                continue
            latency[i] = perf() - t0
            status[i] = code
            duplicate[i] = b'"duplicate": true' in body

    threads = [threading.Thread(target=worker, args=(connections[k],), daemon=True)
               for k in range(concurrency)]
    for thread in threads:
        thread.start()
    start.wait()
    t0 = perf()
    for thread in threads:
        thread.join()
    elapsed = perf() - t0
    return {"latency": latency, "status": status, "duplicate": duplicate, "errors": errors,
            "elapsed": elapsed}


def loadgen_main(argv: list[str]) -> int:
    """``loadgen PORT REQUESTS_FILE CONCURRENCY``: print one JSON line of results.

    Why threads + raw sockets (not httpx, aiohttp or wrk): the server and this process share
    two cores, so the client must cost little CPU per request. Requests are pre-built bytes,
    each thread owns one keep-alive connection and does sendall + recv (the GIL is released
    in both), and the response parser looks at the status line, Content-Length and
    Connection only: ~20-40 µs of CPU per request, reported as ``cpu_*``. wrk would be
    cheaper still, but stopping after exactly N distinct pre-built requests, and checking
    every response's status and ``duplicate`` flag, is simpler and exact here.
    """
    port, path, concurrency = int(argv[0]), argv[1], int(argv[2])
    with open(path, "rb") as handle:
        phases = pickle.load(handle)  # {"warmup": [bytes], "measured": [bytes]}
    address = ("127.0.0.1", port)
    connections = [_Connection(address) for _ in range(concurrency)]
    out = {}
    if phases["warmup"]:
        out["warmup"] = _run_phase(phases["warmup"], concurrency, address, connections)
    # Handshake with the orchestrator: it snapshots CPU counters (and may start a
    # profiler) between warm-up and the measured phase.
    sys.stdout.write("READY\n")
    sys.stdout.flush()
    sys.stdin.readline()
    before = resource.getrusage(resource.RUSAGE_SELF)
    out["measured"] = _run_phase(phases["measured"], concurrency, address, connections)
    after = resource.getrusage(resource.RUSAGE_SELF)
    for connection in connections:
        connection.close()
    measured = out["measured"]
    measured["cpu_user"] = after.ru_utime - before.ru_utime
    measured["cpu_sys"] = after.ru_stime - before.ru_stime
    measured["connections_opened"] = sum(c.opened for c in connections)
    measured["resent_on_new_connection"] = sum(c.resent for c in connections)
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")
    return 0


# --------------------------------------------------------------------------- CPU accounting

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, str, float] | None:
    """(ppid, command name, CPU seconds) of a live process, else None.

    CPU is utime + stime + cutime + cstime: the process's own time plus that of the children
    it reaped, so PostgreSQL backends that exit during the run (CONN_MAX_AGE) still count.
    """
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = raw[raw.index("(") + 1:raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2:].split()
    return int(fields[1]), name, sum(int(value) for value in fields[11:15]) / CLOCK_TICKS


def cpu_snapshot(roots: dict[str, int]) -> dict[str, dict[int, float]]:
    """CPU seconds used so far by each root process and all its descendants, per pid."""
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            info = _stat(int(entry))
            if info:
                table[int(entry)] = info
    children: dict[int, list[int]] = {}
    for pid, (ppid, _, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    result = {}
    for label, root in roots.items():
        pids, todo = {}, [root]
        while todo:
            pid = todo.pop()
            if pid in table:
                pids[pid] = table[pid][2]
                todo.extend(children.get(pid, ()))
        result[label] = pids
    return result


def machine_cpu() -> dict[str, float]:
    """Machine-wide CPU seconds so far from /proc/stat: busy (all but idle/iowait) and steal."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return {"busy": (user + nice + system + irq + softirq) / CLOCK_TICKS, "steal": steal / CLOCK_TICKS}


def cpu_delta(before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]) -> dict[str, float]:
    """CPU seconds each group used between two snapshots (new processes count in full)."""
    return {label: sum(cpu - before.get(label, {}).get(pid, 0.0) for pid, cpu in pids.items())
            for label, pids in after.items()}


# --------------------------------------------------------------------------- py-spy


#: (what it is, the frame it starts with) for the py-spy summary of the webhook ingest path
KEY_FRAMES = (
    ("gunicorn gthread: accept/poll/parse/write around the app", "ThreadWorker.handle ("),
    ("Django handler + middleware + view", "WSGIHandler.__call__ ("),
    ("  connection health check (SELECT 1 per request, CONN_HEALTH_CHECKS)", "DatabaseWrapper.is_usable ("),
    ("  view.authenticate: installation lookup + signature", "SaleorWebhookView.authenticate ("),
    ("    active installation (cached 5 s per process)", "ActiveInstallations.get ("),
    ("      its ORM query, on a cache miss", "QuerySet.first ("),
    ("    verify_webhook_signature", "verify_webhook_signature ("),
    ("      key cache (JWKS compared with the parsed one)", "_KeyCache.get ("),
    ("  store_delivery", "store_delivery ("),
    ("    malformation (json.loads + parser)", "malformation ("),
    ("    insert_once (INSERT ... ON CONFLICT DO NOTHING)", "WebhookDeliveryQuerySet.insert_once ("),
    ("      psycopg client-side binding (params as literals)", "PostgresClientQuery.convert ("),
    ("    enqueue: id handed to the batcher", "enqueue ("),
    ("  JsonResponse", "JsonResponse.__init__ ("),
    ("batcher thread: one Celery publish per batch", "Batcher._run ("),
    ("  kombu: new redis client per publish", "Channel._create_client ("),
)


def summarize_pyspy_raw(path: Path, top: int = 22) -> str:
    """Shares of py-spy samples (``--format raw``) per function, self and inclusive.

    Line numbers are dropped so a function counts once however many of its lines ran.
    """
    import re

    self_counts: dict[str, int] = {}
    incl_counts: dict[str, int] = {}
    total = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples = int(count)
        total += samples
        frames = [re.sub(r":\d+\)$", ")", frame) for frame in stack.split(";")]
        for frame in set(frames):
            incl_counts[frame] = incl_counts.get(frame, 0) + samples
        self_counts[frames[-1]] = self_counts.get(frames[-1], 0) + samples
    if not total:
        return "py-spy: no samples"
    out = [f"py-spy          {total} samples of gunicorn threads holding the GIL (Python CPU time)",
           "  inclusive, largest first:"]
    skip = ("<module>", "run (gunicorn", "Arbiter.", "Worker.run", "Worker.init_process", "start (gunicorn",
            "Application.run", "BaseApplication.run", "ThreadWorker.run", "_bootstrap", "Thread.run",
            "_worker (concurrent", "WorkItem.run", "inner (django/core/handlers/exception.py",
            "MiddlewareMixin.__call__", "_multi_decorate", "_view_wrapper", "View.as_view",
            "spawn_worker", "manage_workers", "spawn_workers")
    rows = [(count, frame) for frame, count in incl_counts.items()
            if not frame.startswith("process ") and not any(k in frame for k in skip)]
    for count, frame in sorted(rows, reverse=True)[:top]:
        out.append(f"    {100 * count / total:5.1f}%  {frame}")
    out.append("  the ingest path, step by step (inclusive):")
    for label, key in KEY_FRAMES:
        count = sum(c for frame, c in incl_counts.items() if frame.startswith(key))
        out.append(f"    {100 * count / total:5.1f}%  {label}")
    out.append("  self, largest first:")
    for frame, count in sorted(self_counts.items(), key=lambda kv: -kv[1])[:12]:
        out.append(f"    {100 * count / total:5.1f}%  {frame}")
    return "\n".join(out)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "loadgen":
        sys.exit(loadgen_main(sys.argv[2:]))
    print("usage: _support.py loadgen PORT REQUESTS_FILE CONCURRENCY", file=sys.stderr)
    sys.exit(2)


# --- Django on the bench's own PostgreSQL ------------------------------------------------

#: what ``--durable`` turns back on
DURABLE = ("fsync", "synchronous_commit", "full_page_writes")


def postgres_settings(defaults: dict[str, str], *, durable: bool, overrides: list[str]) -> dict[str, str]:
    """The bench's PostgreSQL settings: its defaults, DURABLE on with ``--durable``, then
    each ``--pg name=value``."""
    settings = dict(defaults)
    if durable:
        settings.update({name: "on" for name in DURABLE})
    for item in overrides:
        name, _, value = item.partition("=")
        settings[name.strip()] = value.strip()
    return settings


def start_django(stack: "Stack", pg_settings: dict[str, str], shown: list[str]) -> str:
    """Start PostgreSQL with ``pg_settings``, set Django up on it with the production
    settings, migrate, and return a line naming the server's version and ``shown`` settings."""
    database_url = stack.start_postgres(pg_settings)
    for key in ("DEBUG", "LIFECYCLE_TESTING", "CELERY_TASK_ALWAYS_EAGER"):
        os.environ.pop(key, None)
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "saleor_lifecycle.config.settings",
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(40),
        "VAR_DIR": str(stack.dir / "var"),
        "LOG_LEVEL": "WARNING",
        "CONN_MAX_AGE": "600",
    })
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, setting, unit FROM pg_settings WHERE name = ANY(%s)", [shown])
        values = {name: f"{setting}{'' if unit in (None, '') else ' ' + unit}" for name, setting, unit in cursor.fetchall()}
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    return f"PostgreSQL {version}: " + ", ".join(f"{name}={values.get(name, '?')}" for name in shown)


def python_loop_ms() -> float:
    """Milliseconds a fixed pure-Python loop takes here (best of 5): how fast this VM's
    cores are right now. Busy neighbours on the host slow it without showing as steal,
    so runs compare only at similar values."""
    best = float("inf")
    for _ in range(5):
        t0 = time.process_time()
        sum(i * i for i in range(300_000))
        best = min(best, time.process_time() - t0)
    return 1000 * best
