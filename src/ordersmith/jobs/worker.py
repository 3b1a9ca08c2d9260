"""Deliver outbox events, and the worker loop around it and the mail queue.

Delivery is at-least-once. An event is claimed, its handlers run and it is marked
delivered in ONE transaction, so a crash before the commit leaves it pending and it
is handled again (handlers are idempotent); a crash after the commit loses nothing.
Each event runs in a savepoint of its own: a handler that raises rolls back only its
event's work, which is retried with capped exponential backoff (``retry.backoff``)
and marked dead after ``outbox_max_attempts`` tries; the rest of the batch commits.

Several worker processes may run. PostgreSQL: the claim is ``FOR UPDATE SKIP LOCKED``,
so workers take disjoint batches (events are then delivered oldest first per worker,
not in one global order). SQLite: the unit of work's BEGIN IMMEDIATE lets one worker
claim at a time. An idle poll only reads (no write lock is taken on SQLite).
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
import structlog
from sqlalchemy.orm import Session

from ordersmith import clock
from ordersmith.adapters.mail import Mailer, mailer_for
from ordersmith.db import table_of
from ordersmith.jobs.handlers import Handlers, OutboxRecord, default_handlers
from ordersmith.jobs.mailing import WORKER_ACTOR, Batch, send_batch
from ordersmith.jobs.retry import retry_at
from ordersmith.jobs.scheduled import DailyJobs, default_daily_jobs
from ordersmith.notifications.queries import count_by_status
from ordersmith.notifications.services import replay_dead_messages
from ordersmith.notifications.status import MessageStatus
from ordersmith.outbox.models import OutboxEvent
from ordersmith.uow import Database, UnitOfWork

log = structlog.get_logger(__name__)

ERROR_LENGTH = 2000
_E = table_of(OutboxEvent)
_RECORD_COLUMNS = [_E.c[name] for name in OutboxRecord.__slots__]


@dataclass
class RunReport:
    """What one ``run_once`` did."""

    events_delivered: int = 0
    events_failed: int = 0
    messages_sent: int = 0
    messages_failed: int = 0

    def add_events(self, batch: Batch) -> None:
        self.events_delivered += batch.done
        self.events_failed += batch.failed

    def add_messages(self, batch: Batch) -> None:
        self.messages_sent += batch.done
        self.messages_failed += batch.failed


def deliver_events(
    db: Database, *, handlers: Handlers, limit: int, now: datetime | None = None
) -> int:
    """Deliver up to ``limit`` due events (oldest first) in one transaction; how many
    were delivered. ``now`` is when "due" is judged (tests move it forward)."""
    return deliver_batch(db, handlers=handlers, limit=limit, now=now).done


def deliver_batch(
    db: Database, *, handlers: Handlers, limit: int, now: datetime | None = None
) -> Batch:
    """``deliver_events`` with the full tally: claimed, delivered, failed."""
    now = now or clock.now()
    if not _events_due(db, now):
        return Batch(0, 0, 0)
    max_attempts = db.settings.outbox_max_attempts
    delivered: list[uuid.UUID] = []
    failed = 0
    with db.unit_of_work(actor=WORKER_ACTOR) as uow:
        records = _claim(uow.session, now, limit)
        for record in records:
            error = _run_handlers(uow, record, handlers)
            if error is None:
                delivered.append(record.id)
            else:
                failed += 1
                _record_failure(uow.session, record, error, now, max_attempts)
        if delivered:
            uow.session.execute(
                sa.update(_E)
                .where(_E.c.id.in_(delivered))
                .values(delivered_at=now, attempts=_E.c.attempts + 1, last_error="")
            )
    return Batch(len(records), len(delivered), failed)


def _due(now: datetime) -> sa.ColumnElement[bool]:
    # the first two terms are the partial index's predicate (ix_outbox_events_due)
    return sa.and_(
        _E.c.delivered_at.is_(None),
        _E.c.dead_at.is_(None),
        sa.or_(_E.c.next_attempt_at.is_(None), _E.c.next_attempt_at <= now),
    )


def _events_due(db: Database, now: datetime) -> bool:
    with db.reader() as session:
        return session.execute(sa.select(_E.c.id).where(_due(now)).limit(1)).first() is not None


def _claim(session: Session, now: datetime, limit: int) -> list[OutboxRecord]:
    query = (
        sa.select(*_RECORD_COLUMNS)
        .where(_due(now))
        .order_by(_E.c.created_at, _E.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return [OutboxRecord(*row) for row in session.execute(query)]


def _run_handlers(uow: UnitOfWork, record: OutboxRecord, handlers: Handlers) -> str | None:
    """Run the event's handlers in a savepoint; the error text if one raised."""
    recorded = len(uow.events)
    try:
        with uow.session.begin_nested():
            for handler in handlers.get(record.event_type, ()):
                handler(uow, record)
    except Exception as exc:  # any handler bug must not stop the other events
        del uow.events[recorded:]  # events a failed handler recorded are rolled back too
        log.warning(
            "event_handler_failed",
            event_id=str(record.id),
            event_type=record.event_type,
            attempt=record.attempts + 1,
            exc_info=True,
        )
        return f"{type(exc).__name__}: {exc}"[:ERROR_LENGTH]
    return None


def _record_failure(
    session: Session, record: OutboxRecord, error: str, now: datetime, max_attempts: int
) -> None:
    attempts = record.attempts + 1
    retry = retry_at(now, attempts, max_attempts)
    session.execute(
        sa.update(_E)
        .where(_E.c.id == record.id)
        .values(
            attempts=attempts,
            last_error=error,
            next_attempt_at=retry,
            dead_at=now if retry is None else None,
        )
    )
    if retry is None:
        log.error("event_dead", event_id=str(record.id), event_type=record.event_type)


def replay_dead_events(uow: UnitOfWork, *, now: datetime | None = None) -> int:
    """Make every dead event due again with a fresh count of tries; how many."""
    rows = uow.session.execute(
        sa.update(_E)
        .where(_E.c.dead_at.is_not(None), _E.c.delivered_at.is_(None))
        .values(dead_at=None, attempts=0, next_attempt_at=now or clock.now())
        .returning(_E.c.id)
    ).all()
    return len(rows)


def replay_dead(db: Database, *, actor: str) -> tuple[int, int]:
    """Dead events and dead messages due again, in one transaction: (events, messages)."""
    with db.unit_of_work(actor=actor) as uow:
        return replay_dead_events(uow), replay_dead_messages(uow)


def run_once(
    db: Database,
    *,
    mailer: Mailer | None = None,
    handlers: Handlers | None = None,
    now: datetime | None = None,
    stop: threading.Event | None = None,
) -> RunReport:
    """Deliver every event due now, then send every message due now."""
    handlers = default_handlers() if handlers is None else handlers
    mailer = mailer or mailer_for(db.settings)
    limit = db.settings.worker_batch_size
    report = RunReport()
    while stop is None or not stop.is_set():
        batch = deliver_batch(db, handlers=handlers, limit=limit, now=now)
        report.add_events(batch)
        if batch.claimed < limit:
            break
    while stop is None or not stop.is_set():
        batch = send_batch(db, mailer, limit=limit, now=now)
        report.add_messages(batch)
        if batch.claimed < limit:
            break
    return report


def run_worker(
    db: Database,
    *,
    stop: threading.Event,
    poll_ms: int,
    mailer: Mailer | None = None,
    handlers: Handlers | None = None,
    daily: DailyJobs | None = None,
) -> None:
    """Poll until ``stop`` is set. A failing cycle (the database away, say) is logged
    and tried again at the next poll; the worker itself never dies of it. Each cycle
    first runs the daily jobs that have not run today (UTC; ``jobs.scheduled``)."""
    mailer = mailer or mailer_for(db.settings)
    handlers = default_handlers() if handlers is None else handlers
    daily = daily or DailyJobs(default_daily_jobs())
    pause = timedelta(milliseconds=poll_ms).total_seconds()
    log.info("worker_started", poll_ms=poll_ms, mailer=type(mailer).__name__)
    while not stop.is_set():
        try:
            daily.run_due(db, clock.now())  # scheduled-jobs hook: logs its own failures
            report = run_once(db, mailer=mailer, handlers=handlers, stop=stop)
            if report != RunReport():
                log.info("worker_cycle", **vars(report))
        except Exception:
            log.exception("worker_cycle_failed")
        stop.wait(pause)
    log.info("worker_stopped")


@dataclass(frozen=True, slots=True)
class Backlog:
    """What is still waiting, and what waits for an operator."""

    events_waiting: int
    events_dead: int
    messages_waiting: int
    messages_dead: int


def backlog(db: Database) -> Backlog:
    with db.reader() as session:
        dead = _E.c.dead_at.is_not(None)
        waiting, dead_count = session.execute(
            sa.select(sa.func.count().filter(sa.not_(dead)), sa.func.count().filter(dead)).where(
                _E.c.delivered_at.is_(None)
            )
        ).one()
        messages = count_by_status(session)
    return Backlog(
        events_waiting=waiting,
        events_dead=dead_count,
        messages_waiting=messages[MessageStatus.QUEUED] + messages[MessageStatus.SENDING],
        messages_dead=messages[MessageStatus.DEAD],
    )
