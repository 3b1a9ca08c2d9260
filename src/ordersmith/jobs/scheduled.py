"""Daily jobs of the worker loop: run once per UTC day, at the first poll of the day.

The worker (``run_worker``) asks ``DailyJobs.run_due`` before each cycle. A job runs at
the first poll after midnight UTC, or at the worker's first poll when it starts (so a
worker that was down at midnight catches up), then not again that day. A failing job
is logged and tried again after ``RETRY_AFTER``, never at every poll.

The memory of "ran today" is per worker process: several workers each run the job once
a day, so every job must be idempotent. The payment reminders are: each (invoice, step)
is sent at most once (``billing.overdue``). Their events go through the outbox, so the
reminders are mailed by the same cycle's delivery.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import structlog

from ordersmith.billing.cash_sales import expire_unpaid_orders
from ordersmith.billing.overdue import send_payment_reminders
from ordersmith.customers.tiers import recalculate_tiers
from ordersmith.replenishment.runs import run_replenishment
from ordersmith.uow import Database

log = structlog.get_logger(__name__)

ACTOR = "worker:daily"
RETRY_AFTER = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class DailyJob:
    name: str
    run: Callable[[Database, date], int]
    """Does the day's work; returns how many things it did (for the log)."""


def payment_reminders(db: Database, today: date) -> int:
    with db.unit_of_work(actor=ACTOR) as uow:
        return send_payment_reminders(uow, today=today)


def expire_unpaid(db: Database, today: date) -> int:
    """Cash orders unpaid past ORDERSMITH_UNPAID_ORDER_EXPIRY_HOURS are cancelled."""
    del today  # expiry counts hours from each order's placement, not days
    return len(expire_unpaid_orders(db, actor=ACTOR))


def replenishment_review(db: Database, today: date) -> int:
    """Review every (warehouse, SKU): requests raised, updated or withdrawn (idempotent:
    a second run the same day updates the same requests)."""
    del today
    run = run_replenishment(db, actor=ACTOR)
    return run.raised + run.updated + run.withdrawn


def loyalty_tiers(db: Database, today: date) -> int:
    """Re-tier every customer on their history (idempotent: a second run changes nothing)."""
    del today
    with db.unit_of_work(actor=ACTOR) as uow:
        return recalculate_tiers(uow).changed


def default_daily_jobs() -> list[DailyJob]:
    return [
        DailyJob("payment_reminders", payment_reminders),
        DailyJob("expire_unpaid_orders", expire_unpaid),
        DailyJob("replenishment_review", replenishment_review),
        DailyJob("loyalty_tiers", loyalty_tiers),
    ]


@dataclass
class DailyJobs:
    jobs: Sequence[DailyJob]
    done: dict[str, date] = field(default_factory=dict)
    """The UTC day each job last ran to the end."""
    failed: dict[str, datetime] = field(default_factory=dict)
    """When each job last failed (it waits RETRY_AFTER before the next try)."""

    def run_due(self, db: Database, now: datetime) -> dict[str, int]:
        """Run every job that has not run on ``now``'s UTC day; what each did."""
        today, results = now.date(), {}
        for job in self.jobs:
            if self.done.get(job.name) == today:
                continue
            last_failure = self.failed.get(job.name)
            if last_failure is not None and now - last_failure < RETRY_AFTER:
                continue
            try:
                results[job.name] = job.run(db, today)
            except Exception:  # the loop must go on; the job is tried again later
                self.failed[job.name] = now
                log.exception("daily_job_failed", job=job.name, day=today.isoformat())
                continue
            self.done[job.name] = today
            self.failed.pop(job.name, None)
            log.info("daily_job_done", job=job.name, day=today.isoformat(), count=results[job.name])
        return results
