"""Small per-process caches for rows that every webhook reads and staff rarely change.

A webhook's installation, its shop's lifecycle settings and enabled scenarios are read on
every delivery; reading them costs more than the work the delivery does with them. Each
``PerProcess`` keeps what its loader returned for ``ttl`` seconds. Saving a row in this
process forgets its entry at once (the owner connects ``post_save``/``post_delete`` to
``forget``); a change made elsewhere (another process, or ``QuerySet.update()``) is seen
within ``ttl`` seconds. Cached model instances are shared: callers read them, never save them.
"""

import threading
import time
import weakref
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Value = TypeVar("Value")

_all: "weakref.WeakSet[PerProcess]" = weakref.WeakSet()


class PerProcess(Generic[Value]):
    def __init__(
        self,
        load: Callable[[Hashable], Value],
        *,
        ttl: float,
        keep: Callable[[Value], bool] = lambda value: True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``keep``: whether a loaded value may be kept (e.g. not an unknown installation)."""
        self.load = load
        self.ttl = ttl
        self.keep = keep
        self.clock = clock
        self._lock = threading.Lock()
        self._entries: dict[Hashable, tuple[float, Value]] = {}
        _all.add(self)

    def get(self, key: Hashable) -> Value:
        now = self.clock()
        entry = self._entries.get(key)
        if entry is not None and entry[0] > now:
            return entry[1]
        value = self.load(key)
        with self._lock:
            if self.keep(value):
                self._entries[key] = (now + self.ttl, value)
            else:
                self._entries.pop(key, None)
        return value

    def forget(self, key: Hashable | None = None) -> None:
        """Drop one key's entry, or all of them."""
        with self._lock:
            if key is None:
                self._entries.clear()
            else:
                self._entries.pop(key, None)


def forget_all() -> None:
    """Empty every cache of this process (tests: the database was rolled back under them)."""
    for cache in list(_all):
        cache.forget()
