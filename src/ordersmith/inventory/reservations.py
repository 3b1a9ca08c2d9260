"""Reserving and releasing stock for a document (an order, later a transfer).

``reserve`` sums demand per SKU across all lines first, reads the candidate stock rows
(locked in (warehouse, product) order on PostgreSQL), plans which rows to take from
(ordersmith.inventory.planning) and posts the reservation through the ledger's
conditional update. Oversold units under any concurrency: zero.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ordersmith.db import core
from ordersmith.events import DomainEvent
from ordersmith.inventory import ledger
from ordersmith.inventory.candidates import CANDIDATES, StockRow
from ordersmith.inventory.errors import InsufficientStock
from ordersmith.inventory.events import StockOut
from ordersmith.inventory.ledger import Entry, Key, Level
from ordersmith.inventory.models import MovementKind
from ordersmith.inventory.planning import (
    Candidate,
    Demand,
    DemandKey,
    aggregate,
    plan_reservation,
)
from ordersmith.lock_order import refuse_stock_lock
from ordersmith.pg_arrays import Rider
from ordersmith.uow import UnitOfWork


@dataclass
class Reservation:
    taken: dict[Key, int] = field(default_factory=dict)
    by_demand: dict[DemandKey, dict[uuid.UUID, int]] = field(default_factory=dict)
    short: dict[uuid.UUID, int] = field(default_factory=dict)  # product -> units not reserved
    available: dict[uuid.UUID, int] = field(default_factory=dict)  # product -> seen available
    events: list[DomainEvent] = field(default_factory=list)
    shortage_events: list[DomainEvent] = field(default_factory=list)
    rider: Rider | None = None
    """With ``reserve(carry=True)`` on PostgreSQL: the posting, still to be run."""

    def shortage_error(
        self,
        demands: Sequence[Demand],
        sku_of: Mapping[uuid.UUID, str],
        *,
        wanted: str = "requested",
        intro: str = "not enough stock for",
        outro: str = "",
    ) -> InsufficientStock:
        """The error for a reservation that fell short: each short SKU (in SKU order)
        with the units ``wanted`` and the units seen available, also as ``shortages``."""
        shortages = [
            {
                "sku": sku_of[pid],
                "requested": sum(d.quantity for d in demands if d.product_id == pid),
                "available": self.available.get(pid, 0),
            }
            for pid in sorted(self.short, key=lambda p: sku_of[p])
        ]
        listing = ", ".join(
            f"{s['sku']} ({wanted} {s['requested']}, available {s['available']})" for s in shortages
        )
        return InsufficientStock(f"{intro} {listing}{outro}", extra={"shortages": shortages})

    def taken_by_product(self) -> dict[uuid.UUID, int]:
        totals: dict[uuid.UUID, int] = {}
        for (_w, p), q in self.taken.items():
            totals[p] = totals.get(p, 0) + q
        return totals


def reserve(
    uow: UnitOfWork,
    *,
    demands: Sequence[Demand],
    allow_partial: bool,
    source_type: str,
    source_id: str,
    labels: dict[uuid.UUID, str] | None = None,
    carry: bool = False,
    locked: Sequence[StockRow] | None = None,
) -> Reservation:
    """Reserve ``demands``; with ``allow_partial`` false, a short demand takes nothing.

    ``carry`` (PostgreSQL only; ignored on SQLite): the ledger posting is not run but
    returned as ``Reservation.rider``, for the caller's next write statement to carry
    (``db.insert_together``); until then the stock rows are locked but not updated.
    ``locked``: the candidate rows, already read and locked in this transaction by the
    caller (order placement's prices read, ``candidates.locked_by_sku``); a superset of
    the demands' rows, so no read of its own."""
    session = uow.session
    demands = aggregate(d for d in demands if d.quantity > 0)
    if not demands:
        return Reservation()
    refuse_stock_lock(session)
    pinned = [d for d in demands if d.warehouse_id is not None]
    wanted = {(d.warehouse_id, d.product_id) for d in pinned}
    anywhere = {d.product_id for d in demands if d.warehouse_id is None}
    read = locked
    if read is None:
        params = {
            "anywhere": sorted(anywhere),
            "pinned_warehouses": sorted({d.warehouse_id for d in pinned if d.warehouse_id}),
            "pinned_products": sorted({d.product_id for d in pinned}),
        }
        read = CANDIDATES.rows(core(session), params)
    rows = [
        r for r in read if r.product_id in anywhere or (r.warehouse_id, r.product_id) in wanted
    ]  # the statement selects pinned warehouses x pinned products: keep the pairs asked for
    candidates = [
        Candidate(r.warehouse_id, r.product_id, r.on_hand - r.reserved, r.priority, r.code)
        for r in rows
    ]
    plan = plan_reservation(demands, candidates, allow_partial=allow_partial)

    result = Reservation(taken=plan.take, by_demand=plan.by_demand, short=plan.short)
    for c in candidates:
        result.available[c.product_id] = result.available.get(c.product_id, 0) + c.available
    names = dict(labels or {})
    names.update({c.warehouse_id: c.code for c in candidates})
    if plan.take and (allow_partial or plan.complete):
        entries = [
            Entry(
                w,
                p,
                MovementKind.RESERVATION,
                reserved_delta=q,
                source_type=source_type,
                source_id=source_id,
            )
            for (w, p), q in ledger.in_key_order(plan.take)
        ]
        if carry and ledger.is_postgresql(session):
            levels = {
                (r.warehouse_id, r.product_id): Level(r.on_hand, r.reserved, r.reorder_point)
                for r in rows
            }
            new_levels, result.rider = ledger.post_carried(
                session, entries, levels, actor=uow.actor
            )
        else:
            new_levels = _post_locked(uow, entries)
        result.events = ledger.threshold_events(session, entries, new_levels, labels=names)
    elif not allow_partial:
        result.taken, result.by_demand = {}, {}
    for product_id, shortfall in plan.short.items():
        requested = sum(d.quantity for d in demands if d.product_id == product_id)
        pinned_to = next(
            (d.warehouse_id for d in demands if d.product_id == product_id and d.warehouse_id), None
        )
        result.shortage_events.append(
            StockOut(
                aggregate_id=product_id,
                warehouse_id=pinned_to,
                warehouse=names.get(pinned_to, "") if pinned_to else "",
                sku=names.get(product_id, ""),
                available=result.available.get(product_id, 0),
                requested=requested,
                shortfall=shortfall,
                source=f"{source_type}:{source_id}",
            )
        )
    return result


def _post_locked(uow: UnitOfWork, entries: list[Entry]) -> dict[Key, Level]:
    try:
        return ledger.post(uow.session, entries, actor=uow.actor, already_locked=True)
    except ledger.LedgerRejected as exc:  # impossible while the rows are locked
        raise RuntimeError(f"stock changed under a held lock: {exc.keys}") from exc


def release(
    uow: UnitOfWork, *, taken: dict[Key, int], source_type: str, source_id: str, reason: str = ""
) -> None:
    """Give reserved units back (cancellation, changes): ``taken`` as ``reserve`` returned."""
    entries = [
        Entry(
            w,
            p,
            MovementKind.RELEASE,
            reserved_delta=-q,
            reason=reason,
            source_type=source_type,
            source_id=source_id,
        )
        for (w, p), q in ledger.in_key_order(taken)
        if q > 0
    ]
    try:
        ledger.post(uow.session, entries, actor=uow.actor)
    except ledger.LedgerRejected as exc:
        raise RuntimeError(f"release of unreserved stock: {exc.keys}") from exc
