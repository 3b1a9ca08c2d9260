"""Warehouse work: pick lists (waves across orders, in bin order) and pick confirmation.

A pick list takes the allocated units of the oldest ready orders of one warehouse:
confirmed, not on hold, and — for ship-complete orders — nothing backordered. Lines are
sorted by bin location so the picker walks the warehouse once.

A short pick means the stock was not where the ledger said: the missing units are
written off at that warehouse (an adjustment with the pick list as source), recorded as
an incident against the order's "complete" component, and the order is re-allocated —
from another warehouse if one has the units, otherwise they become backordered.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.db import insert_rows, table_of
from ordersmith.errors import Conflict, FieldError, NotFound, ValidationFailed
from ordersmith.fulfillment.allocation import allocate_order
from ordersmith.fulfillment.events import OrderShortPicked, PickListCompleted, PickListCreated
from ordersmith.fulfillment.models import (
    Allocation,
    AllocationStatus,
    IncidentKind,
    OrderIncident,
    PickList,
    PickListLine,
    PickListStatus,
)
from ordersmith.fulfillment.progress_refresh import refresh_progress
from ordersmith.fulfillment.wave_rules import ready_allocations
from ordersmith.ids import new_id
from ordersmith.inventory import ledger
from ordersmith.inventory.ledger import Entry
from ordersmith.inventory.models import MovementKind
from ordersmith.inventory.queries import get_warehouse
from ordersmith.orders.locking import lock_orders
from ordersmith.orders.models import Order, OrderLine, OrderReservation
from ordersmith.uow import UnitOfWork

MAX_WAVE_ORDERS = 500


@dataclass(frozen=True, slots=True)
class PickListRef:
    id: uuid.UUID
    number: str
    warehouse: str
    lines: int
    orders: int


def create_pick_list(
    uow: UnitOfWork,
    *,
    warehouse: str,
    max_orders: int = 50,
    order_ids: list[uuid.UUID] | None = None,
) -> PickListRef:
    """A wave for ``warehouse``: the oldest ready orders (or exactly ``order_ids``)."""
    uow.authorize(Permission.FULFILMENT_WRITE)
    if not 1 <= max_orders <= MAX_WAVE_ORDERS:
        raise ValidationFailed(
            f"max_orders must be from 1 to {MAX_WAVE_ORDERS}",
            fields=[FieldError("max_orders", f"from 1 to {MAX_WAVE_ORDERS}")],
        )
    number = f"PL-{uow.next_number('pick_list'):06d}"
    wh = get_warehouse(uow.session, warehouse)
    rows = ready_allocations(uow, wh.id, max_orders, order_ids)
    if not rows:
        raise Conflict(f"nothing is ready to pick at {wh.code}", code="nothing_to_pick")
    now = clock.now()
    pick_list_id = new_id()
    insert_rows(
        uow.session.connection(),
        table_of(PickList),
        [
            {
                "id": pick_list_id,
                "number": number,
                "warehouse_id": wh.id,
                "status": PickListStatus.OPEN.value,
                "created_by": uow.actor,
                "created_at": now,
                "completed_by": None,
                "completed_at": None,
            }
        ],
    )
    walk = sorted(rows, key=lambda r: (r["bin_location"] or "~", r["sku"], r["created_at"]))
    insert_rows(
        uow.session.connection(),
        table_of(PickListLine),
        [
            {
                "id": new_id(),
                "pick_list_id": pick_list_id,
                "sequence": i + 1,
                "allocation_id": r["id"],
                "order_id": r["order_id"],
                "line_id": r["line_id"],
                "product_id": r["product_id"],
                "sku": r["sku"],
                "name": r["name"],
                "bin_location": r["bin_location"] or "",
                "quantity": r["quantity"],
                "picked_quantity": None,
            }
            for i, r in enumerate(walk)
        ],
    )
    allocations = table_of(Allocation)
    uow.session.execute(
        sa.update(allocations)
        .where(allocations.c.id.in_([r["id"] for r in rows]))
        .values(status=AllocationStatus.PICKING.value, pick_list_id=pick_list_id, updated_at=now)
    )
    orders = len({r["order_id"] for r in rows})
    uow.record(
        PickListCreated(
            aggregate_id=pick_list_id, number=number, warehouse=wh.code, lines=len(rows)
        )
    )
    return PickListRef(pick_list_id, number, wh.code, len(rows), orders)


def confirm_pick_list(
    uow: UnitOfWork,
    *,
    pick_list_id: uuid.UUID,
    picked: Mapping[int, int] | None = None,
    notes: Mapping[int, str] | None = None,
) -> dict[str, int]:
    """Confirm what was picked: ``picked`` maps line sequence -> units found (lines not
    named were picked in full). Short lines are written off and re-allocated; ``notes``
    (line sequence -> why it is short, as the picker said) go on their incidents."""
    uow.authorize(Permission.FULFILMENT_WRITE)
    pick_lists, pick_lines = table_of(PickList), table_of(PickListLine)
    head = (
        uow.session.execute(
            sa.select(pick_lists).where(pick_lists.c.id == pick_list_id).with_for_update()
        )
        .mappings()
        .one_or_none()
    )
    if head is None:
        raise NotFound(f"no pick list {pick_list_id}", code="pick_list_not_found")
    if head["status"] != PickListStatus.OPEN.value:
        raise Conflict(f"pick list {head['number']} is {head['status']}", code="pick_list_closed")
    rows = list(
        uow.session.execute(
            sa.select(pick_lines)
            .where(pick_lines.c.pick_list_id == pick_list_id)
            .order_by(pick_lines.c.sequence)
        ).mappings()
    )
    given = dict(picked or {})
    _check_picked(rows, given)
    # The orders before their allocations (ADR 0013): a short pick writes stock off and
    # re-allocates its order; a cancellation holds the order, then stock, allocations.
    lock_orders(uow, {r["order_id"] for r in rows})
    now = clock.now()
    shorts = 0
    for row in rows:
        units = given.get(row["sequence"], row["quantity"])
        uow.session.execute(
            sa.update(pick_lines).where(pick_lines.c.id == row["id"]).values(picked_quantity=units)
        )
        if _take_picked(uow, row, units, now) and units < row["quantity"]:
            shorts += 1
            note = (notes or {}).get(row["sequence"], "").strip()[:500]
            _short_pick(uow, head, row, row["quantity"] - units, note)
    uow.session.execute(
        sa.update(pick_lists)
        .where(pick_lists.c.id == pick_list_id)
        .values(status=PickListStatus.COMPLETED.value, completed_by=uow.actor, completed_at=now)
    )
    warehouse = get_warehouse(uow.session, str(head["warehouse_id"])).code
    uow.record(
        PickListCompleted(
            aggregate_id=pick_list_id,
            number=head["number"],
            warehouse=warehouse,
            short_lines=shorts,
        )
    )
    return {"lines": len(rows), "short_lines": shorts}


def _check_picked(rows: list[Any], given: dict[int, int]) -> None:
    by_sequence = {r["sequence"]: r for r in rows}
    problems = []
    for sequence, units in given.items():
        row = by_sequence.get(sequence)
        if row is None:
            problems.append(FieldError(f"picked.{sequence}", "no such line on this pick list"))
        elif isinstance(units, bool) or not isinstance(units, int):
            problems.append(FieldError(f"picked.{sequence}", "must be a whole number"))
        elif not 0 <= units <= row["quantity"]:
            problems.append(FieldError(f"picked.{sequence}", f"from 0 to {row['quantity']}"))
    if problems:
        raise ValidationFailed("the picked quantities are not valid", fields=problems)


def _take_picked(uow: UnitOfWork, row: Any, units: int, now: Any) -> bool:
    """Record the picked units on the allocation; False when the allocation was closed
    meanwhile (its order cancelled): the goods go back to the shelf."""
    allocations = table_of(Allocation)
    done = uow.session.scalar(
        sa.update(allocations)
        .where(
            allocations.c.id == row["allocation_id"],
            allocations.c.status == AllocationStatus.PICKING.value,
        )
        .values(
            picked_quantity=allocations.c.picked_quantity + units,
            status=AllocationStatus.PICKED.value,
            updated_at=now,
        )
        .returning(allocations.c.id)
    )
    return done is not None


def _short_pick(uow: UnitOfWork, head: Any, row: Any, short: int, note: str) -> None:
    allocations, lines, reservations = (
        table_of(Allocation),
        table_of(OrderLine),
        table_of(OrderReservation),
    )
    order = (
        uow.session.execute(
            sa.select(table_of(Order)).where(table_of(Order).c.id == row["order_id"])
        )
        .mappings()
        .one()
    )
    warehouse_id = head["warehouse_id"]
    ledger.post(
        uow.session,
        [
            Entry(
                warehouse_id,
                row["product_id"],
                MovementKind.ADJUSTMENT,
                on_hand_delta=-short,
                reserved_delta=-short,
                reason="short pick: not found at the bin",
                source_type="pick_list",
                source_id=head["number"],
            )
        ],
        actor=uow.actor,
    )
    uow.session.execute(
        sa.update(reservations)
        .where(
            reservations.c.order_id == row["order_id"],
            reservations.c.warehouse_id == warehouse_id,
            reservations.c.product_id == row["product_id"],
        )
        .values(quantity=reservations.c.quantity - short)
    )
    uow.session.execute(
        sa.update(allocations)
        .where(allocations.c.id == row["allocation_id"])
        .values(
            quantity=allocations.c.quantity - short,
            status=sa.case(
                (allocations.c.picked_quantity == 0, AllocationStatus.CANCELLED.value),
                else_=AllocationStatus.PICKED.value,
            ),
        )
    )
    uow.session.execute(
        sa.update(lines)
        .where(lines.c.id == row["line_id"])
        .values(reserved_quantity=lines.c.reserved_quantity - short)
    )
    insert_rows(
        uow.session.connection(),
        table_of(OrderIncident),
        [
            {
                "id": new_id(),
                "order_id": row["order_id"],
                "line_id": row["line_id"],
                "kind": IncidentKind.SHORT_PICK.value,
                "quantity": short,
                "warehouse_id": warehouse_id,
                "note": f"{head['number']} line {row['sequence']}: {short} not found"
                + (f" ({note})" if note else ""),
                "actor": uow.actor,
                "at": clock.now(),
            }
        ],
    )
    before = _backordered(uow, row["line_id"])
    outcome = allocate_order(uow, order_id=row["order_id"], trigger="short_pick", required=False)
    if outcome is None:  # the order is on hold: the units wait as a backorder
        uow.session.execute(
            sa.update(lines)
            .where(lines.c.id == row["line_id"])
            .values(backordered_quantity=lines.c.backordered_quantity + short)
        )
        refresh_progress(uow, row["order_id"])
    after = _backordered(uow, row["line_id"])
    uow.record(
        OrderShortPicked(
            aggregate_id=row["order_id"],
            number=order["number"],
            warehouse=get_warehouse(uow.session, str(warehouse_id)).code,
            sku=row["sku"],
            short=short,
            reallocated=short - (after - before),
            backordered=after - before,
        )
    )


def _backordered(uow: UnitOfWork, line_id: uuid.UUID) -> int:
    lines = table_of(OrderLine)
    return int(
        uow.session.scalar(sa.select(lines.c.backordered_quantity).where(lines.c.id == line_id))
        or 0
    )
