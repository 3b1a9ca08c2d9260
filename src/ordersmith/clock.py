"""The one source of 'now': timezone-aware UTC, so tests and reports agree.

``simulated(at)`` runs a block as if it were ``at`` (this thread/task only): the demo
uses it to play weeks of fulfilment — placed, picked, dispatched, delivered — in a few
seconds, with every timestamp, promise and KPI as real code computes them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime

_simulated: ContextVar[datetime | None] = ContextVar("simulated_now", default=None)


def now() -> datetime:
    return _simulated.get() or datetime.now(UTC)


def today() -> date:
    return now().date()


def as_utc(value: datetime) -> datetime:
    """Treat naive datetimes (SQLite returns them) as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@contextmanager
def simulated(at: datetime) -> Iterator[None]:
    """Within the block, ``now()`` is ``at`` (timezone-aware)."""
    if at.tzinfo is None:
        raise ValueError("a simulated time must be timezone-aware")
    token = _simulated.set(at.astimezone(UTC))
    try:
        yield
    finally:
        _simulated.reset(token)
