"""The case SLA: hours to resolve by priority, the due time, the stopped clock, breach.

``ORDERSMITH_CASE_SLA_HOURS`` (``urgent=4,high=8,normal=24,low=72``) gives the hours
from opening to resolution per priority; it is parsed here when the settings load.

The clock runs only while a case is ``open``. When it stops (the case waits on the
customer, or is resolved) ``clock_stopped_at`` is set; when the case is open again the
due time moves later by the stopped span and ``clock_stopped_at`` is cleared. So:

- a running case is **breached** when now is past its due time;
- a stopped case (waiting, resolved, closed) is breached when its clock stopped after
  its due time — for a resolved case: it was resolved late.

``breached_clause`` is that rule in SQL (the ``breached`` list filter, served by
``ix_cases_status_due``), ``is_breached`` the same rule in Python (ADR 0021).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa

from ordersmith import clock

if TYPE_CHECKING:
    from ordersmith.config import Settings


class CasePriority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


DEFAULT_SLA_HOURS = "urgent=4,high=8,normal=24,low=72"
MAX_SLA_HOURS = 24 * 366


def parse_sla_hours(value: str) -> dict[CasePriority, int]:
    """``{priority: hours}`` from ``urgent=4,high=8,...``; every priority once, whole
    hours from 1 to a year. ValueError with a clear message otherwise."""
    hours: dict[CasePriority, int] = {}
    for item in value.split(","):
        name, sep, number = item.strip().partition("=")
        if not sep:
            raise ValueError(f"write priority=hours, e.g. {DEFAULT_SLA_HOURS}; got {item!r}")
        try:
            priority = CasePriority(name.strip().lower())
        except ValueError:
            known = ", ".join(p.value for p in CasePriority)
            raise ValueError(f"unknown priority {name.strip()!r} (known: {known})") from None
        if priority in hours:
            raise ValueError(f"priority {priority.value} is given twice")
        try:
            count = int(number.strip())
        except ValueError:
            raise ValueError(f"{priority.value}: {number.strip()!r} is not whole hours") from None
        if not 1 <= count <= MAX_SLA_HOURS:
            raise ValueError(f"{priority.value}: hours must be from 1 to {MAX_SLA_HOURS}")
        hours[priority] = count
    missing = [p.value for p in CasePriority if p not in hours]
    if missing:
        raise ValueError(f"no hours for {', '.join(missing)}")
    return hours


def due_at(opened_at: datetime, hours: int) -> datetime:
    return opened_at + timedelta(hours=hours)


def is_breached(sla_due_at: datetime, clock_stopped_at: datetime | None, now: datetime) -> bool:
    due = clock.as_utc(sla_due_at)
    if clock_stopped_at is None:
        return clock.as_utc(now) > due
    return clock.as_utc(clock_stopped_at) > due


def breached_clause(
    status: sa.ColumnElement[str],
    due: sa.ColumnElement[datetime],
    stopped: sa.ColumnElement[datetime],
    now: datetime,
) -> sa.ColumnElement[bool]:
    """The breach rule in SQL over a case's ``status``, ``sla_due_at`` and
    ``clock_stopped_at`` (the clock runs exactly while the case is open, so the first
    branch is an index range on ``(status, sla_due_at)``)."""
    return sa.or_(
        sa.and_(status == "open", due < now),
        sa.and_(status != "open", stopped > due),
    )


def sla_hours(settings: Settings, priority: CasePriority) -> int:
    """The hours to resolve a case of ``priority`` (``ORDERSMITH_CASE_SLA_HOURS``)."""
    return parse_sla_hours(settings.case_sla_hours)[priority]
