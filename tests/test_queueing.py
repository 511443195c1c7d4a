"""Queueing stored deliveries: batched off the request thread, never lost for good."""

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from saleor_lifecycle.events import ingest, tasks
from saleor_lifecycle.events.batches import Batcher
from saleor_lifecycle.events.models import DeliveryStatus, WebhookDelivery
from saleor_lifecycle.events.registry import WEBHOOKS

from .saleor_events import render


class Published:
    """A ``publish`` callable that records batches and lets a test wait for them."""

    def __init__(self, fail_first: int = 0):
        self.batches: list[list[int]] = []
        self.fail_first = fail_first
        self.arrived = threading.Condition()

    def __call__(self, batch):
        with self.arrived:
            if self.fail_first:
                self.fail_first -= 1
                self.arrived.notify_all()
                raise ConnectionError("the broker is down")
            self.batches.append(list(batch))
            self.arrived.notify_all()

    def wait_for(self, items: int, timeout: float = 5.0) -> list[list[int]]:
        deadline = time.monotonic() + timeout
        with self.arrived:
            while sum(map(len, self.batches)) < items and (left := deadline - time.monotonic()) > 0:
                self.arrived.wait(left)
        return self.batches


def test_it_publishes_what_arrives_within_the_linger_as_one_batch():
    published = Published()
    batcher = Batcher(published, linger=0.2, max_size=100)

    for delivery_id in range(1, 6):
        batcher.add(delivery_id)

    assert published.wait_for(5) == [[1, 2, 3, 4, 5]]


def test_it_publishes_a_full_batch_without_waiting_for_the_linger():
    published = Published()
    batcher = Batcher(published, linger=60, max_size=3)

    for delivery_id in range(1, 7):
        batcher.add(delivery_id)

    assert published.wait_for(6, timeout=2) == [[1, 2, 3], [4, 5, 6]]


def test_flush_publishes_what_waits_in_the_calling_thread():
    published = Published()
    batcher = Batcher(published, linger=60, max_size=100)
    batcher.add(7)
    batcher.add(8)

    batcher.flush()

    assert published.batches == [[7, 8]]


def test_a_failed_publish_is_logged_and_the_next_batch_still_goes(caplog):
    published = Published(fail_first=1)
    batcher = Batcher(published, linger=0.01, max_size=100)

    batcher.add(1)
    deadline = time.monotonic() + 5
    while "could not publish a batch" not in caplog.text and time.monotonic() < deadline:
        time.sleep(0.01)
    batcher.add(2)

    assert published.wait_for(1) == [[2]]
    assert "could not publish a batch" in caplog.text


@pytest.fixture
def stored(installation, fake_saleor, queued):
    payload = render(fake_saleor, "ORDER_CREATED")

    def store(issued_at: str) -> WebhookDelivery:
        """The same order delivered again: another event, as Saleor's issuedAt tells."""
        body = json.dumps({**payload, "issuedAt": issued_at}).encode()
        delivery, created = ingest.store_delivery(installation, WEBHOOKS["ORDER_CREATED"], body, {})
        assert created
        return delivery

    return store


def test_the_worker_processes_each_delivery_of_a_batch(stored):
    first, second = stored("2026-11-20T10:00:00+00:00"), stored("2026-11-20T10:00:01+00:00")

    statuses = tasks.process_deliveries_task([first.pk, second.pk, first.pk])

    assert statuses == [DeliveryStatus.PROCESSED, DeliveryStatus.PROCESSED, None]  # a redelivered id is skipped
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.PROCESSED}


def test_a_delivery_joins_the_batch_and_a_retry_is_sent_on_its_own(monkeypatch):
    added, sent = [], []
    monkeypatch.setattr(ingest.batches, "add", added.append)
    monkeypatch.setattr(tasks.process_delivery_task, "apply_async", lambda args, **options: sent.append((args, options)))
    monkeypatch.setitem(tasks.process_delivery_task.app.conf, "task_always_eager", False)

    ingest.enqueue(41)
    ingest.enqueue(42, eta="later")

    assert added == [41]
    assert sent == [((42,), {"eta": "later"})]


def test_a_process_exiting_normally_publishes_what_waits(tmp_path):
    out = tmp_path / "published"
    code = (
        "from saleor_lifecycle.events.batches import Batcher\n"
        f"batcher = Batcher(lambda batch: open({str(out)!r}, 'a').write(repr(batch)), linger=60, max_size=100)\n"
        "batcher.add(1); batcher.add(2)\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parent.parent, check=True, timeout=30)
    assert out.read_text() == "[1, 2]"
