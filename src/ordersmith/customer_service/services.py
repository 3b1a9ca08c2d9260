"""Case use cases after opening: the lifecycle (wait, reopen, resolve, close), assign,
change priority. Opening is ``customer_service.opening``, notes ``.notes``.

Every use case locks the case row (``lock_case``), checks the transition table
(``customer_service.status``), moves the case with a conditional UPDATE (the status it
was read in is the backstop), keeps the SLA clock (``customer_service.sla``) and
records an event — in the caller's transaction. A case locks nothing else.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.customer_service import inputs
from ordersmith.customer_service.errors import CaseClosed, CaseNotFound
from ordersmith.customer_service.events import (
    CaseAssigned,
    CasePriorityChanged,
    CaseStatusChanged,
)
from ordersmith.customer_service.models import Case
from ordersmith.customer_service.queries import get_case
from ordersmith.customer_service.sla import CasePriority, due_at, is_breached, sla_hours
from ordersmith.customer_service.status import (
    CLOCK_RUNS,
    CaseAction,
    CaseStatus,
    check_transition,
)
from ordersmith.customer_service.views import CaseView
from ordersmith.db import table_of
from ordersmith.errors import InvalidTransition
from ordersmith.uow import UnitOfWork
from ordersmith.validation import FieldChecks, one_of

_C = table_of(Case)


@dataclass(frozen=True, slots=True)
class Locked:
    """A case's row, locked for this unit of work."""

    row: Any

    @property
    def status(self) -> CaseStatus:
        return CaseStatus(self.row["status"])

    def event_head(self) -> dict[str, Any]:
        return {
            "aggregate_id": self.row["id"],
            "number": self.row["number"],
            "customer_id": self.row["customer_id"],
            "order_id": self.row["order_id"],
        }


def lock_case(uow: UnitOfWork, case_id: uuid.UUID) -> Locked:
    row = (
        uow.session.execute(sa.select(_C).where(_C.c.id == case_id).with_for_update())
        .mappings()
        .one_or_none()
    )
    if row is None:
        raise CaseNotFound(f"no case {case_id}")
    return Locked(row)


def clock_values(locked: Locked, target: CaseStatus, now: datetime) -> dict[str, Any]:
    """The SLA columns after moving to ``target``: the clock stops when the case leaves
    ``open`` and, when it is open again, the due time moves later by the stopped span."""
    running, runs = locked.status in CLOCK_RUNS, target in CLOCK_RUNS
    if running and not runs:
        return {"clock_stopped_at": now}
    if not running and runs:
        stopped = clock.as_utc(locked.row["clock_stopped_at"])
        span = max(now - stopped, timedelta(0))
        return {
            "clock_stopped_at": None,
            "sla_due_at": clock.as_utc(locked.row["sla_due_at"]) + span,
            "paused_seconds": int(locked.row["paused_seconds"]) + int(span.total_seconds()),
        }
    return {}


def move(uow: UnitOfWork, locked: Locked, action: CaseAction, **values: Any) -> CaseStatus:
    """Take ``action`` (InvalidTransition unless the table allows it), keep the SLA
    clock, write ``values``, record ``CaseStatusChanged``."""
    target = check_transition(locked.status, action)
    now = clock.now()
    sla = clock_values(locked, target, now)
    moved = uow.session.execute(
        sa.update(_C)
        .where(_C.c.id == locked.row["id"], _C.c.status == locked.status.value)
        .values(status=target.value, updated_at=now, **sla, **values)
        .returning(_C.c.sla_due_at, _C.c.clock_stopped_at)
    ).first()
    if moved is None:  # the lock makes this unreachable; the WHERE is the backstop
        raise InvalidTransition(f"case {locked.row['number']} changed meanwhile; try again")
    uow.record(
        CaseStatusChanged(
            **locked.event_head(),
            action=action.value,
            from_status=locked.status.value,
            to_status=target.value,
            breached=is_breached(moved[0], moved[1], now),
        )
    )
    return target


def wait_on_customer(uow: UnitOfWork, *, case_id: uuid.UUID) -> CaseView:
    """Staff wait for the customer's answer: the SLA clock stops until the case is open
    again (``reopen``, or the customer's reply)."""
    uow.authorize(Permission.CASES_WRITE)
    move(uow, lock_case(uow, case_id), CaseAction.WAIT)
    return get_case(uow.session, case_id)


def reopen_case(uow: UnitOfWork, *, case_id: uuid.UUID) -> CaseView:
    """Open a waiting or resolved case again; its due time moves later by the time its
    clock was stopped. A resolved case loses its resolution (kept in the event)."""
    uow.authorize(Permission.CASES_WRITE)
    reopen(uow, lock_case(uow, case_id))
    return get_case(uow.session, case_id)


def reopen(uow: UnitOfWork, locked: Locked) -> None:
    """Move a locked waiting or resolved case back to open."""
    values: dict[str, Any] = {}
    if locked.status is CaseStatus.RESOLVED:
        values = {"resolved_at": None, "resolved_by": "", "resolution": ""}
    move(uow, locked, CaseAction.REOPEN, **values)


def resolve_case(uow: UnitOfWork, *, case_id: uuid.UUID, resolution: str) -> CaseView:
    """The case is answered: ``resolution`` (required) says how. Resolved after its due
    time (the clock running), the case stays breached."""
    uow.authorize(Permission.CASES_WRITE)
    checks = FieldChecks()
    clean = checks.run("resolution", inputs.RESOLUTION, resolution) or ""
    checks.raise_if_any("the resolution is not valid")
    locked = lock_case(uow, case_id)
    move(
        uow,
        locked,
        CaseAction.RESOLVE,
        resolution=clean,
        resolved_by=uow.actor,
        resolved_at=clock.now(),
    )
    return get_case(uow.session, case_id)


def close_case(uow: UnitOfWork, *, case_id: uuid.UUID) -> CaseView:
    """Close a resolved case for good (no more notes, no reopening)."""
    uow.authorize(Permission.CASES_WRITE)
    locked = lock_case(uow, case_id)
    move(uow, locked, CaseAction.CLOSE, closed_by=uow.actor, closed_at=clock.now())
    return get_case(uow.session, case_id)


def assign_case(uow: UnitOfWork, *, case_id: uuid.UUID, assignee: str) -> CaseView:
    """Give the case to a staff member (free text; empty: unassigned)."""
    uow.authorize(Permission.CASES_WRITE)
    checks = FieldChecks()
    clean = checks.run("assignee", inputs.ASSIGNEE, assignee) or ""
    checks.raise_if_any("the assignee is not valid")
    locked = lock_case(uow, case_id)
    _closed_is_final(locked)
    uow.session.execute(
        sa.update(_C).where(_C.c.id == case_id).values(assignee=clean, updated_at=clock.now())
    )
    uow.record(CaseAssigned(**locked.event_head(), assignee=clean))
    return get_case(uow.session, case_id)


def change_priority(uow: UnitOfWork, *, case_id: uuid.UUID, priority: str) -> CaseView:
    """A new priority: the due time becomes opened + the new priority's hours + the
    time the clock was stopped so far."""
    uow.authorize(Permission.CASES_WRITE)
    checks = FieldChecks()
    level = checks.run("priority", one_of(CasePriority), priority)
    checks.raise_if_any("the priority is not valid")
    assert level is not None
    locked = lock_case(uow, case_id)
    _closed_is_final(locked)
    hours = sla_hours(uow.settings, level)
    paused = timedelta(seconds=int(locked.row["paused_seconds"]))
    due = due_at(clock.as_utc(locked.row["created_at"]), hours) + paused
    uow.session.execute(
        sa.update(_C)
        .where(_C.c.id == case_id)
        .values(priority=level.value, sla_hours=hours, sla_due_at=due, updated_at=clock.now())
    )
    uow.record(
        CasePriorityChanged(**locked.event_head(), priority=level.value, sla_due_at=due.isoformat())
    )
    return get_case(uow.session, case_id)


def _closed_is_final(locked: Locked) -> None:
    if locked.status is CaseStatus.CLOSED:
        raise CaseClosed(f"case {locked.row['number']} is closed: nothing more changes")
