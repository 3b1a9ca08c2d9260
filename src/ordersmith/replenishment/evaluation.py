"""Evaluating (warehouse, SKU) pairs: raise, update or withdraw their requests.

For each pair, in SKU then warehouse order, over a ``Snapshot`` read set-based:

- an **approved** request, or one raised by hand, is left as the person made it (the
  pair is ``unchanged``);
- the rules (``rules.suggest``) say what the pair needs now; a transfer claims the
  source's surplus, so the next warehouse in the same evaluation cannot be promised the
  same units;
- needed, with an **open** request: the request is updated (reason, suggested
  quantity, numbers, sentence; kind, supplier and source too unless a person edited it);
- needed, no request: a new ``open`` one is raised;
- not needed, with an open request that nobody edited: it is rejected with the reason
  ("no longer needed: …") — *withdrawn*.

The writes are one statement each whatever the number of pairs: one multi-row INSERT
(conflicts with a twin raised concurrently are skipped: the partial unique index), one
executemany UPDATE for the updates and one for the withdrawals.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ordersmith import clock
from ordersmith.db import core, table_of
from ordersmith.events import DomainEvent
from ordersmith.ids import new_id
from ordersmith.replenishment.events import ReplenishmentRequestRaised, ReplenishmentRequestRejected
from ordersmith.replenishment.models import ReplenishmentRequest, RequestKind, RequestReason
from ordersmith.replenishment.rules import Suggestion, need_of, pick_source, suggest
from ordersmith.replenishment.snapshot import Key, Pair, Snapshot, with_claimed
from ordersmith.replenishment.status import RequestStatus
from ordersmith.uow import UnitOfWork

Progress = Callable[[int, int], None]
"""``progress(done, total)`` after each pair."""
_RQ = table_of(ReplenishmentRequest)


@dataclass
class Outcome:
    evaluated: int = 0
    raised: int = 0
    updated: int = 0
    withdrawn: int = 0
    unchanged: int = 0
    transfers: int = 0
    without_supplier: int = 0
    raised_ids: list[uuid.UUID] = field(default_factory=list)


@dataclass
class _Plan:
    inserts: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    withdrawals: list[dict[str, Any]] = field(default_factory=list)
    events: dict[uuid.UUID, DomainEvent] = field(default_factory=dict)


def evaluate(
    uow: UnitOfWork,
    snapshot: Snapshot,
    keys: list[Key],
    *,
    reason: RequestReason,
    run_id: uuid.UUID | None = None,
    progress: Progress | None = None,
) -> Outcome:
    """Evaluate ``keys`` (pairs of ``snapshot``, read in this unit of work with ``lock``)."""
    now, out, plan = clock.now(), Outcome(), _Plan()
    claimed: dict[Key, int] = {}
    for done, key in enumerate(keys, start=1):
        out.evaluated += 1
        pair, active = snapshot.pairs[key], snapshot.requests.get(key)
        if active is not None and (
            active.status is RequestStatus.APPROVED or active.reason is RequestReason.MANUAL
        ):
            out.unchanged += 1
        elif (found := _suggestion(snapshot, key, claimed)) is not None:
            if run_id is not None:
                found.numbers["run_id"] = str(run_id)
            out.transfers += found.kind is RequestKind.TRANSFER
            out.without_supplier += found.kind is RequestKind.PURCHASE and not found.supplier_id
            if active is None:
                plan.inserts.append(_new_row(uow, pair, found, reason, now))
            else:
                out.updated += 1
                edited = active.edited_at is not None
                plan.updates.append(
                    {
                        "rid": active.id,
                        "b_kind": (active.kind if edited else found.kind).value,
                        "b_supplier": active.supplier_id if edited else found.supplier_id,
                        "b_source": (
                            active.source_warehouse_id if edited else found.source_warehouse_id
                        ),
                        "b_reason": reason.value,
                        "b_suggested": found.quantity,
                        "b_numbers": found.numbers,
                        "b_explanation": found.explanation,
                        "b_now": now,
                    }
                )
        elif active is not None and active.edited_at is None:
            out.withdrawn += 1
            why = _no_longer_needed(pair)
            plan.withdrawals.append(
                {"rid": active.id, "b_reason": why, "b_actor": uow.actor, "b_now": now}
            )
            plan.events[active.id] = ReplenishmentRequestRejected(
                aggregate_id=active.id,
                warehouse=pair.warehouse,
                sku=pair.sku,
                reason=why,
                automatic=True,
            )
        elif active is not None:
            out.unchanged += 1
        if progress is not None:
            progress(done, len(keys))
    raised = _write(uow, plan)
    out.raised, out.raised_ids = len(raised), raised
    uow.record(*plan.events.values())
    return out


def _suggestion(snapshot: Snapshot, key: Key, claimed: dict[Key, int]) -> Suggestion | None:
    pair = snapshot.pairs[key]
    if pair.target is None or need_of(pair.stock, pair.target) <= 0:
        return None
    need = need_of(pair.stock, pair.target)
    sources = with_claimed(snapshot.sources_for(key), claimed, pair.product_id)
    found = suggest(
        pair.warehouse,
        pair.stock,
        pair.target,
        snapshot.suppliers.get(pair.product_id),
        pick_source(sources, need),
    )
    if found is not None and found.source_warehouse_id is not None:
        taken = (found.source_warehouse_id, pair.product_id)
        claimed[taken] = claimed.get(taken, 0) + found.quantity
    return found


def _no_longer_needed(pair: Pair) -> str:
    if pair.target is None:
        return "no longer suggested: the policy is manual"
    target = pair.target
    level = "reorder point" if target.forecast is not None else "min"
    return (
        f"no longer needed: {pair.warehouse} projects {pair.stock.position}, "
        f"above its {level} {target.reorder_at}"
    )


def _new_row(
    uow: UnitOfWork, pair: Pair, found: Suggestion, reason: RequestReason, now: datetime
) -> dict[str, Any]:
    request_id = new_id()
    return {
        "id": request_id,
        "warehouse_id": pair.warehouse_id,
        "product_id": pair.product_id,
        "status": RequestStatus.OPEN.value,
        "kind": found.kind.value,
        "reason": reason.value,
        "supplier_id": found.supplier_id,
        "source_warehouse_id": found.source_warehouse_id,
        "suggested_quantity": found.quantity,
        "quantity": None,
        "numbers": found.numbers,
        "explanation": found.explanation,
        "created_by": uow.actor,
        "created_at": now,
        "updated_at": now,
        "evaluated_at": now,
        "edited_by": "",
        "edited_at": None,
        "approved_by": "",
        "approved_at": None,
        "rejected_by": "",
        "rejected_at": None,
        "reject_reason": "",
        "ordered_by": "",
        "ordered_at": None,
        "ordered_quantity": None,
        "purchase_order_id": None,
        "transfer_id": None,
        "document_number": "",
        # not columns: for the event
        "_event": ReplenishmentRequestRaised(
            aggregate_id=request_id,
            warehouse=pair.warehouse,
            sku=pair.sku,
            kind=found.kind.value,
            quantity=found.quantity,
            reason=reason.value,
            supplier=(found.numbers.get("purchase") or {}).get("supplier", "")
            if found.kind is RequestKind.PURCHASE
            else "",
            source_warehouse=(found.numbers.get("transfer") or {}).get("source_warehouse", ""),
        ),
    }


def insert_requests(uow: UnitOfWork, rows: list[dict[str, Any]]) -> list[uuid.UUID]:
    """INSERT the rows in one statement, skipping any that conflict (a twin raised
    concurrently for the same pair); the ids inserted."""
    if not rows:
        return []
    session = uow.session
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt: Any = pg_insert(_RQ).on_conflict_do_nothing()
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        stmt = sqlite_insert(_RQ).on_conflict_do_nothing()
    result = core(session).execute(stmt.returning(_RQ.c.id), rows)
    return list(result.scalars())


def _write(uow: UnitOfWork, plan: _Plan) -> list[uuid.UUID]:
    conn = core(uow.session)
    events = {row["id"]: row.pop("_event") for row in plan.inserts}
    raised = insert_requests(uow, plan.inserts)
    plan.events.update({i: events[i] for i in raised})
    if plan.updates:
        conn.execute(
            sa.update(_RQ)
            .where(_RQ.c.id == sa.bindparam("rid"), _RQ.c.status == RequestStatus.OPEN.value)
            .values(
                kind=sa.bindparam("b_kind"),
                supplier_id=sa.bindparam("b_supplier"),
                source_warehouse_id=sa.bindparam("b_source"),
                reason=sa.bindparam("b_reason"),
                suggested_quantity=sa.bindparam("b_suggested"),
                numbers=sa.bindparam("b_numbers"),
                explanation=sa.bindparam("b_explanation"),
                evaluated_at=sa.bindparam("b_now"),
                updated_at=sa.bindparam("b_now"),
            ),
            plan.updates,
        )
    if plan.withdrawals:
        conn.execute(
            sa.update(_RQ)
            .where(_RQ.c.id == sa.bindparam("rid"), _RQ.c.status == RequestStatus.OPEN.value)
            .values(
                status=RequestStatus.REJECTED.value,
                reject_reason=sa.bindparam("b_reason"),
                rejected_by=sa.bindparam("b_actor"),
                rejected_at=sa.bindparam("b_now"),
                updated_at=sa.bindparam("b_now"),
            ),
            plan.withdrawals,
        )
    return raised
