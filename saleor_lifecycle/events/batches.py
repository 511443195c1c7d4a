"""Handing items to a slow consumer in batches, from one background thread per process.

The webhook view uses it to queue stored deliveries: one Celery message costs more CPU
than verifying, storing and answering a delivery together (kombu builds a Redis client
and the message envelope on every call), so the ids of deliveries stored within a few
milliseconds share one message, published while the request threads answer Saleor.
"""

import atexit
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

logger = logging.getLogger(__name__)

Item = TypeVar("Item")


class Batcher(Generic[Item]):
    """Collects items from any thread and passes them to ``publish`` in lists.

    One daemon thread calls ``publish(items)`` at most ``linger`` seconds after the
    first item of a batch arrived, or at once when ``max_size`` items wait. An item
    is published once; if ``publish`` raises, the batch is logged and dropped, so
    ``publish`` must only be used where something else catches up on what a lost
    batch carried (for deliveries: the outbox rows and ``requeue_due_deliveries``).

    A process exiting normally publishes what waits (``flush`` runs at exit); one that
    is killed loses at most the last ``linger`` seconds of items. After ``fork`` the
    child starts with an empty batch and its own thread, on first use.
    """

    def __init__(self, publish: Callable[[list[Item]], None], *, linger: float, max_size: int) -> None:
        self.publish = publish
        self.linger = linger
        self.max_size = max_size
        self._pid: int | None = None

    def _start(self) -> None:
        # Called with no lock held by this process: a child inherits the parent's
        # attributes (maybe a lock held by a parent thread), so everything is new here.
        self._pid = os.getpid()
        self._changed = threading.Condition()
        self._waiting: list[Item] = []
        self._in_flight = 0
        self._thread = threading.Thread(target=self._run, name="batcher", daemon=True)
        self._thread.start()
        atexit.register(self.flush)

    def add(self, item: Item) -> None:
        if self._pid != os.getpid():
            with _start_lock:
                if self._pid != os.getpid():
                    self._start()
        with self._changed:
            self._waiting.append(item)
            if len(self._waiting) == 1 or len(self._waiting) >= self.max_size:
                self._changed.notify_all()

    def flush(self, timeout: float = 5.0) -> None:
        """Publish what waits now, in this thread, and wait for a batch being published."""
        if self._pid != os.getpid():
            return
        with self._changed:
            batch, self._waiting = self._waiting, []
        if batch:
            self._publish(batch)
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._in_flight and (remaining := deadline - time.monotonic()) > 0:
                self._changed.wait(remaining)

    def _run(self) -> None:
        while True:
            with self._changed:
                while not self._waiting:
                    self._changed.wait()
                deadline = time.monotonic() + self.linger
                while len(self._waiting) < self.max_size and (remaining := deadline - time.monotonic()) > 0:
                    self._changed.wait(remaining)
                batch = self._waiting[: self.max_size]
                del self._waiting[: self.max_size]
                self._in_flight += 1
            try:
                self._publish(batch)
            finally:
                with self._changed:
                    self._in_flight -= 1
                    self._changed.notify_all()

    def _publish(self, batch: list[Item]) -> None:
        try:
            self.publish(batch)
        except Exception:
            logger.exception("could not publish a batch", extra={"items": len(batch), "first": batch[0]})


_start_lock = threading.Lock()
