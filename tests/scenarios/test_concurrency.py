"""Workers racing for the same due enrollments on PostgreSQL, and a worker killed mid-send.

The workers are real OS processes (``python -c WORKER``) with their own Django and their
own connection to the test database, so the data is committed (``transaction=True``) and
the test passes them that database's URL. Each worker's sender appends one line per
message to its own file (O_APPEND): ``<address> <idempotency key>``; that file is the
mailbox the assertions read.

Nothing here depends on timing: the two racing workers meet inside their first send (each
waits there until the other has started sending too, so both hold a lease at once), and
the victim is killed while it is blocked inside its sender, right after its message went
out and before the engine could record it: the hardest case (sent, not recorded).
"""

import os
import select
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from saleor_lifecycle.customers.models import Customer
from saleor_lifecycle.saleor_app.models import Installation
from saleor_lifecycle.scenarios import engine
from saleor_lifecycle.scenarios.enrollment import enroll_segment, save_version
from saleor_lifecycle.scenarios.models import Enrollment, EnrollmentStatus, Scenario, StepRun, StepRunStatus

from .conftest import NOW

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (SKIP LOCKED, several processes)"),
]

REPO = Path(__file__).resolve().parents[2]
#: seconds any one phase may take on a loaded machine before the test gives up
DEADLINE = 90

TWO_SENDS = {
    "key": "concurrency",
    "name": "Two emails",
    "trigger": {"kind": "manual"},
    "steps": [
        # Not marketing: the frequency budget would defer the second email by 16 hours.
        {"key": "hello", "kind": "send", "template": "welcome_hello", "marketing": False},
        {"key": "thanks", "kind": "send", "template": "first_purchase_thank_you", "marketing": False},
    ],
}
ONE_SEND = {
    "key": "concurrency",
    "name": "One email",
    "trigger": {"kind": "manual"},
    "steps": [{"key": "hello", "kind": "send", "template": "welcome_hello"}],
}

#: ``python -c WORKER OUT NOW BATCH MODE [ROUND_SIZE]``; MODE is ``plain``, ``meet:<peer out>``
#: (the first send waits until the peer has sent) or ``hang`` (the first send goes out,
#: says so on stdout, then blocks until the process is killed).
WORKER = r"""
import os, sys, time
from datetime import datetime

import django

django.setup()
from django.db import connection

from saleor_lifecycle.scenarios import engine

out_path, now, batch, mode = sys.argv[1], datetime.fromisoformat(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
if len(sys.argv) > 5:
    engine.ROUND_SIZE = int(sys.argv[5])


class FileSender:
    def __init__(self):
        self.fd = os.open(out_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self.sent = 0

    def send(self, message):
        os.write(self.fd, f"{message.to} {message.idempotency_key}\n".encode())
        self.sent += 1
        if mode.startswith("meet:") and self.sent == 1:
            peer, deadline = mode[5:], time.monotonic() + 60
            while not os.path.getsize(peer):  # the peer's first message: both are sending now
                if time.monotonic() > deadline:
                    raise SystemExit("the other worker never started sending")
                time.sleep(0.005)
        if mode == "hang":
            print(f"sent {message.idempotency_key}", flush=True)
            time.sleep(3600)  # killed here: sent, not recorded
        return ""


services = engine.Services(sender=FileSender(), offers=None)
connection.ensure_connection()
print("ready", flush=True)
sys.stdin.readline()  # start together
claimed = 0
while True:
    ran = engine.run_due(now, services=services, batch_size=batch)
    if not ran:
        break
    claimed += ran
print(f"done {claimed}", flush=True)
"""


def database_url() -> str:
    """The URL of the database this test runs in (``test_<name>``), for the workers."""
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"], safe="")
    host = s.get("HOST") or "localhost"
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{quote(s['NAME'], safe='')}"


def worker_env() -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "saleor_lifecycle.config.settings_test"),
        "DATABASE_URL": database_url(),
        "CONN_MAX_AGE": "0",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }


class Worker:
    """One worker process and its mailbox file."""

    def __init__(self, name: str, tmp: Path, now, *, batch: int, mode: str = "plain", round_size: int | None = None):
        self.name, self.out, self.log = name, tmp / f"{name}.sent", tmp / f"{name}.log"
        self.out.touch()
        args = [str(self.out), now.isoformat(), str(batch), mode] + ([str(round_size)] if round_size else [])
        self.process = subprocess.Popen(
            [sys.executable, "-c", WORKER, *args], cwd=REPO, env=worker_env(), text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=open(self.log, "w"),
        )

    def start(self) -> None:
        line = self.readline()
        assert line == "ready", f"worker {self.name} did not start: {line!r}\n{self.stderr()}"
        self.process.stdin.write("go\n")
        self.process.stdin.flush()

    def finish(self) -> int:
        line = self.readline()
        assert line.startswith("done"), f"worker {self.name} did not finish: {line!r}\n{self.stderr()}"
        assert self.process.wait(DEADLINE) == 0, self.stderr()
        return int(line.split()[1])

    def readline(self) -> str:
        ready, _, _ = select.select([self.process.stdout], [], [], DEADLINE)
        return self.process.stdout.readline().strip() if ready else "(timed out)"

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        assert self.process.wait(10) == -signal.SIGKILL

    def mailbox(self) -> list[tuple[str, str]]:
        return [tuple(line.split()) for line in self.out.read_text().splitlines()]

    def stderr(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        for stream in (self.process.stdin, self.process.stdout):
            stream.close()


@pytest.fixture
def workers():
    started: list[Worker] = []
    yield started
    for worker in started:  # never leave one holding locks while the database is flushed
        worker.stop()


def shop_with_due_enrollments(definition: dict, customers: int) -> Scenario:
    installation = Installation(saleor_api_url="https://shop.example.com/graphql/", saleor_domain="shop.example.com")
    installation.token = "app-token"
    installation.save()
    scenario = Scenario.objects.create(installation=installation, key="concurrency", enabled=True, holdout_share=0)
    save_version(scenario, definition)
    scenario.refresh_from_db()
    Customer.objects.bulk_create(
        Customer(installation=installation, email=f"customer{i}@example.com", first_name=f"C{i}", stage_since=NOW,
                 marketing_consent=True)
        for i in range(customers)
    )
    assert enroll_segment(scenario, Customer.objects.filter(installation=installation), NOW) == customers
    assert Enrollment.objects.filter(status=EnrollmentStatus.ACTIVE, next_run_at__lte=NOW).count() == customers
    return scenario


def runs() -> dict[int, tuple[int, str, str, str]]:
    """StepRun id -> (enrollment id, step key, status, customer email)."""
    return {pk: rest for pk, *rest in StepRun.objects.values_list("pk", "enrollment_id", "step_key", "status",
                                                                  "customer__email")}


@pytest.mark.django_db(transaction=True)
def test_it_runs_each_step_once_when_two_workers_claim_the_same_due_enrollments(tmp_path, workers):
    customers = 120
    shop_with_due_enrollments(TWO_SENDS, customers)
    first = Worker("first", tmp_path, NOW, batch=10, mode=f"meet:{tmp_path / 'second.sent'}")
    second = Worker("second", tmp_path, NOW, batch=10, mode=f"meet:{tmp_path / 'first.sent'}")
    workers += [first, second]
    for worker in workers:
        worker.start()
    claimed = [worker.finish() for worker in workers]

    # Both ran at once (they met inside their first sends), and every claim was distinct.
    assert all(claimed) and sum(claimed) == customers, claimed
    step_runs = runs()
    assert Counter((enrollment, step) for enrollment, step, _, _ in step_runs.values()) == {
        (pk, step): 1 for pk in Enrollment.objects.values_list("pk", flat=True) for step in ("hello", "thanks")
    }
    assert {status for _, _, status, _ in step_runs.values()} == {StepRunStatus.SENT}
    # The mailboxes: one message per step run, to its customer, none twice.
    messages = first.mailbox() + second.mailbox()
    assert Counter(key for _, key in messages) == {f"step-run-{pk}": 1 for pk in step_runs}
    assert all(step_runs[int(key.removeprefix("step-run-"))][3] == address for address, key in messages)
    assert Counter(address for address, _ in messages) == {f"customer{i}@example.com": 2 for i in range(customers)}
    assert set(Enrollment.objects.values_list("status", flat=True)) == {EnrollmentStatus.COMPLETED}


@pytest.mark.django_db(transaction=True)
def test_it_never_resends_a_killed_workers_email_and_sends_the_rest_of_its_batch(tmp_path, workers):
    customers, victim_batch, round_size = 40, 8, 3
    shop_with_due_enrollments(ONE_SEND, customers)

    # 1. The victim claims 8, commits a round of 3 step runs ("queued"), marks the first
    #    "sending", sends it and is killed inside its sender: sent, not recorded.
    victim = Worker("victim", tmp_path, NOW, batch=victim_batch, mode="hang", round_size=round_size)
    workers.append(victim)
    victim.start()
    line = victim.readline()
    assert line.startswith("sent "), f"the victim did not send: {line!r}\n{victim.stderr()}"
    in_flight = int(line.removeprefix("sent step-run-"))
    victim.kill()
    lease_end = NOW + engine.LEASE
    held = set(Enrollment.objects.filter(next_run_at=lease_end).values_list("pk", flat=True))
    assert len(held) == victim_batch
    committed = {pk: status for pk, (_, _, status, _) in runs().items()}
    assert len(committed) == round_size
    assert committed == {pk: StepRunStatus.SENDING if pk == in_flight else StepRunStatus.QUEUED for pk in committed}

    # 2. Another worker at the same moment runs everything else; the victim's leased batch
    #    is not due for it.
    survivor = Worker("survivor", tmp_path, NOW, batch=10)
    workers.append(survivor)
    survivor.start()
    assert survivor.finish() == customers - victim_batch
    assert set(Enrollment.objects.filter(status=EnrollmentStatus.ACTIVE).values_list("pk", flat=True)) == held

    # 3. The lease has ended: a worker picks the batch up. Everything the victim had not
    #    started sending is sent, its queued runs too; the one in flight may have gone out,
    #    so it waits.
    rescuer = Worker("rescuer", tmp_path, NOW + engine.LEASE + timedelta(minutes=1), batch=10)
    workers.append(rescuer)
    rescuer.start()
    assert rescuer.finish() == victim_batch
    assert len(rescuer.mailbox()) == victim_batch - 1
    assert runs()[in_flight][2] == StepRunStatus.SENDING

    # 4. Past the uncertainty window it becomes "uncertain" and its enrollment goes on,
    #    without a second email.
    later = NOW + engine.LEASE + engine.UNCERTAIN_AFTER + timedelta(minutes=5)
    closer = Worker("closer", tmp_path, later, batch=10)
    workers.append(closer)
    closer.start()
    assert closer.finish() == 1
    assert closer.mailbox() == []

    step_runs = runs()
    statuses = {pk: status for pk, (_, _, status, _) in step_runs.items()}
    assert {pk for pk, status in statuses.items() if status == StepRunStatus.UNCERTAIN} == {in_flight}
    assert {pk for pk, status in statuses.items() if status == StepRunStatus.SENT} == set(statuses) - {in_flight}
    assert Counter(enrollment for enrollment, _, _, _ in step_runs.values()) == {
        pk: 1 for pk in Enrollment.objects.values_list("pk", flat=True)
    }
    messages = victim.mailbox() + survivor.mailbox() + rescuer.mailbox()
    keys = Counter(key for _, key in messages)
    assert max(keys.values()) == 1 and Counter(address for address, _ in messages).most_common(1)[0][1] == 1
    # Every sent run's message went out once; the one in flight went out once and is uncertain.
    assert set(keys) == {f"step-run-{pk}" for pk in statuses if statuses[pk] == StepRunStatus.SENT} | {
        f"step-run-{in_flight}"
    }
    assert set(Enrollment.objects.values_list("status", flat=True)) == {EnrollmentStatus.COMPLETED}
