"""A process's short memory of the API tokens it has checked (ADR 0035).

Checking a bearer token costs a read transaction of its own (on PostgreSQL: pool
checkout, pre-ping, BEGIN, SELECT, ROLLBACK), about as much CPU as a small order's
whole write. A token checked within the last ``ttl_seconds`` is trusted without that
read. The rules:

- keyed by the token's SHA-256, never the token;
- an entry is good while ``read_at <= now < read_at + ttl`` by ``ordersmith.clock``,
  checked on every hit (a clock that went back ends an entry, never lengthens it);
- only a token that was let in is remembered: an unknown or revoked one is read again
  on every try;
- at most ``max_entries``, the least recently used making room;
- ``forget`` drops a token at once (its revocation committed in this process), and a
  read that began before the forget is not remembered when it finishes (``generation``);
- ``ttl_seconds == 0`` remembers nothing.

One lives on each ``Database`` (made with it at start-up, none at import), shared by
the server's threads; another process (the CLI, a second server worker) has its own,
so a revocation there takes effect here within ``ttl_seconds``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime, timedelta
from typing import Generic, TypeVar

V = TypeVar("V")

DEFAULT_MAX_ENTRIES = 1_000


class TokenCache(Generic[V]):
    def __init__(self, ttl_seconds: int, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        self._ttl = timedelta(seconds=ttl_seconds)
        self._max = max_entries
        self._entries: OrderedDict[str, tuple[V, datetime]] = OrderedDict()
        self._generation = 0
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self._ttl > timedelta(0) and self._max > 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str, now: datetime) -> V | None:
        """The value remembered for ``key`` if it is still good at ``now``."""
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            value, read_at = found
            if not read_at <= now < read_at + self._ttl:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return value

    def generation(self) -> int:
        """Take this before reading a token, and give it to ``put``."""
        return self._generation

    def put(self, key: str, value: V, *, read_at: datetime, generation: int) -> None:
        """Remember ``value``, read from the database starting at ``read_at`` (take the
        time before the read: the entry then never outlives the read by more than the
        ttl). Ignored if anything was forgotten since ``generation`` was taken."""
        if not self.enabled:
            return
        with self._lock:
            if generation != self._generation:
                return
            self._entries[key] = (value, read_at)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)

    def forget(self, key: str) -> None:
        with self._lock:
            self._generation += 1
            self._entries.pop(key, None)
