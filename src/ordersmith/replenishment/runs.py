"""What sets replenishment going: a review of every (warehouse, SKU), and a stock event.

``review_all`` (the daily job, ``ordersmith replenish run``, ``POST
/replenishment/runs``) evaluates every pair with a stock level, a policy, a forecast or an
open request, in one unit of work, set-based (``snapshot``, ``evaluation``), and stores
the run with what it did. Its requests' reason is ``scheduled_review``.

``evaluate_stock_event`` is what the worker does with ``stock.low`` and ``stock.out``
(``jobs.replenishment_triggers``): it evaluates just that (warehouse, SKU) — every
warehouse of the product when the event names none (demand refused anywhere) — with the
other warehouses of the product read too, for the transfer alternative. It runs in the
worker's transaction, never in the one that placed the order.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from ordersmith import clock
from ordersmith.db import insert_rows, table_of
from ordersmith.ids import new_id
from ordersmith.replenishment.evaluation import Outcome, Progress, evaluate
from ordersmith.replenishment.events import ReplenishmentRunCompleted
from ordersmith.replenishment.models import ReplenishmentRun, RequestReason
from ordersmith.replenishment.queries import get_run
from ordersmith.replenishment.snapshot import read_snapshot
from ordersmith.replenishment.views import RunView
from ordersmith.uow import Database, UnitOfWork

OnComplete = Callable[[UnitOfWork, RunView], None]
"""Runs inside the run's transaction (the API stores its Idempotency-Key answer there)."""


def review_all(uow: UnitOfWork, *, progress: Progress | None = None) -> RunView:
    """Evaluate every pair and store the run (one transaction)."""
    started, run_id = clock.now(), new_id()
    snapshot = read_snapshot(uow.session, uow.settings, lock=True)
    out = evaluate(
        uow,
        snapshot,
        snapshot.ordered_keys(),
        reason=RequestReason.SCHEDULED_REVIEW,
        run_id=run_id,
        progress=progress,
    )
    insert_rows(
        uow.session.connection(),
        table_of(ReplenishmentRun),
        [
            {
                "id": run_id,
                "started_at": started,
                "finished_at": clock.now(),
                "actor": uow.actor,
                "evaluated": out.evaluated,
                "raised": out.raised,
                "updated": out.updated,
                "withdrawn": out.withdrawn,
                "unchanged": out.unchanged,
                "transfers": out.transfers,
                "without_supplier": out.without_supplier,
                "note": _note(out),
            }
        ],
    )
    uow.record(
        ReplenishmentRunCompleted(
            aggregate_id=run_id,
            evaluated=out.evaluated,
            raised=out.raised,
            updated=out.updated,
            withdrawn=out.withdrawn,
        )
    )
    return get_run(uow.session, run_id)


def _note(out: Outcome) -> str:
    if not out.evaluated:
        return "no stocked product at an active warehouse has stock, a policy or a forecast"
    parts = [
        f"{out.evaluated} (warehouse, SKU) pairs reviewed: {out.raised} requests raised, "
        f"{out.updated} updated, {out.withdrawn} withdrawn as no longer needed"
    ]
    if out.unchanged:
        parts.append(f"{out.unchanged} left as people made them")
    if out.transfers:
        parts.append(f"{out.transfers} suggest a transfer")
    if out.without_supplier:
        parts.append(f"{out.without_supplier} have no preferred supplier")
    return "; ".join(parts)


def run_replenishment(
    db: Database,
    *,
    actor: str,
    progress: Progress | None = None,
    on_complete: OnComplete | None = None,
) -> RunView:
    """``review_all`` in its own unit of work."""
    with db.unit_of_work(actor=actor) as uow:
        view = review_all(uow, progress=progress)
        if on_complete is not None:
            on_complete(uow, view)
    return view


def evaluate_stock_event(
    uow: UnitOfWork,
    *,
    product_id: uuid.UUID,
    warehouse_id: uuid.UUID | None,
    reason: RequestReason,
) -> Outcome:
    """Evaluate one (warehouse, SKU) — or the product everywhere without a warehouse."""
    snapshot = read_snapshot(uow.session, uow.settings, [product_id], lock=True)
    keys = [
        key
        for key in snapshot.ordered_keys()
        if key[1] == product_id and (warehouse_id is None or key[0] == warehouse_id)
    ]
    return evaluate(uow, snapshot, keys, reason=reason)
