"""Allocating an order's units to warehouses (and re-allocating them when things change).

One code path serves every trigger (confirmation, release from hold, stock arriving for
backorders, a short pick): what a line still needs is ``quantity - shipped - allocated``;
what a warehouse can give is its available stock plus this order's own reservation
there that no allocation holds yet (both read by ordersmith.fulfillment.allocation_inputs).
The sourcing planner (pure) chooses; this module moves the reservation in the ledger by
the difference, in one post, so no unit is ever counted twice, and records the
allocations, the decision's trace, the promised dates and the history.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.db import insert_rows, table_of
from ordersmith.errors import InvalidTransition
from ordersmith.fulfillment import allocation_inputs as inputs
from ordersmith.fulfillment.events import OrderAllocated, OrderBackordered
from ordersmith.fulfillment.models import (
    Allocation,
    AllocationDecision,
    AllocationStatus,
    IncidentKind,
    OrderIncident,
)
from ordersmith.fulfillment.progress_refresh import allocation_decided, refresh_progress
from ordersmith.fulfillment.sourcing import Decision, LineNeed, choose
from ordersmith.ids import new_id
from ordersmith.inventory import ledger
from ordersmith.inventory.ledger import Entry, Key
from ordersmith.inventory.models import MovementKind
from ordersmith.orders.history import note_on_orders
from ordersmith.orders.locking import lock_order
from ordersmith.orders.models import Order, OrderLine, OrderReservation
from ordersmith.orders.status import OrderStatus
from ordersmith.shipping.carriers import default_transit_days
from ordersmith.shipping.promise import promised_delivery, promised_dispatch
from ordersmith.uow import UnitOfWork

ALLOCATABLE = frozenset({OrderStatus.CONFIRMED})


@dataclass(frozen=True, slots=True)
class AllocationOutcome:
    order_id: uuid.UUID
    number: str
    allocated: int
    backordered: int
    summary: str
    decided_by: str
    fulfilment_status: str


def allocate_order(
    uow: UnitOfWork,
    *,
    order_id: uuid.UUID,
    trigger: str,
    required: bool = True,
    only_if_progress: bool = False,
) -> AllocationOutcome | None:
    """Allocate what the order still needs. ``required``: refuse (InvalidTransition) an
    order that is not confirmed; otherwise quietly do nothing (event subscribers).
    ``only_if_progress``: write nothing unless at least one unit gets allocated."""
    uow.authorize(Permission.FULFILMENT_WRITE)
    order = lock_order(uow, order_id)
    if OrderStatus(order["status"]) not in ALLOCATABLE:
        if required:
            raise InvalidTransition(
                f"only confirmed orders are allocated; {order['number']} is {order['status']}",
                code="order_not_allocatable",
            )
        return None
    lines = inputs.order_lines(uow, order_id)
    open_by_line, open_by_key = inputs.open_allocations(uow, order_id)
    own_reserved = inputs.own_reservations(uow, order_id)
    needs = inputs.line_needs(lines, open_by_line)
    if not needs:
        return None
    sites, usable = inputs.sites(uow, order, needs, own_reserved, open_by_key)
    decision = choose(needs, sites, usable, rules=uow.settings.allocation_rules)
    if only_if_progress and decision.plan.covered == 0:
        return None
    target = dict(open_by_key)
    for line_id, warehouse_id, units in decision.plan.take:
        key = (warehouse_id, _product_of(needs, line_id))
        target[key] = target.get(key, 0) + units
    _move_reservation(uow, order, own_reserved, target)
    first = not allocation_decided(uow, order_id)
    if first:
        _promise(uow, order)
    decision_id = _record_decision(uow, order, trigger, decision)
    newly_backordered = _write_allocations(
        uow, order, lines, needs, decision, decision_id, first=first
    )
    status = refresh_progress(uow, order_id)
    codes = sorted({s.code for s in sites if s.warehouse_id in decision.plan.warehouses()})
    uow.record(
        OrderAllocated(
            aggregate_id=order_id,
            number=order["number"],
            trigger=trigger,
            warehouses=codes,
            summary=decision.summary,
            fulfilment_status=status,
        )
    )
    if newly_backordered:
        uow.record(
            OrderBackordered(
                aggregate_id=order_id,
                number=order["number"],
                customer_id=order["customer_id"],
                lines=newly_backordered,
            )
        )
    return AllocationOutcome(
        order_id,
        order["number"],
        decision.plan.covered,
        sum(q for _l, q in decision.plan.short),
        decision.summary,
        decision.decided_by,
        status,
    )


def _product_of(needs: list[LineNeed], line_id: uuid.UUID) -> uuid.UUID:
    return next(n.product_id for n in needs if n.line_id == line_id)


def _move_reservation(
    uow: UnitOfWork, order: Any, current: dict[Key, int], target: dict[Key, int]
) -> None:
    entries = []
    for key in sorted(set(current) | set(target)):
        delta = target.get(key, 0) - current.get(key, 0)
        if delta:
            entries.append(
                Entry(
                    key[0],
                    key[1],
                    MovementKind.RESERVATION if delta > 0 else MovementKind.RELEASE,
                    reserved_delta=delta,
                    reason="allocation",
                    source_type="order",
                    source_id=order["number"],
                )
            )
    if entries:
        try:
            ledger.post(uow.session, entries, actor=uow.actor)
        except ledger.LedgerRejected as exc:  # rows were locked (PG) / writer serialised
            raise RuntimeError(f"stock changed under a held lock: {exc.keys}") from exc
    reservations = table_of(OrderReservation)
    uow.session.execute(sa.delete(reservations).where(reservations.c.order_id == order["id"]))
    rows = [
        {"order_id": order["id"], "warehouse_id": w, "product_id": p, "quantity": q}
        for (w, p), q in sorted(target.items())
        if q > 0
    ]
    if rows:
        insert_rows(uow.session.connection(), reservations, rows)


def _record_decision(uow: UnitOfWork, order: Any, trigger: str, decision: Decision) -> uuid.UUID:
    decision_id = new_id()
    insert_rows(
        uow.session.connection(),
        table_of(AllocationDecision),
        [
            {
                "id": decision_id,
                "order_id": order["id"],
                "at": clock.now(),
                "actor": uow.actor,
                "trigger": trigger,
                "ship_policy": order["ship_policy"],
                "rules": list(uow.settings.allocation_rules),
                "decided_by": decision.decided_by,
                "summary": decision.summary,
                "trace": decision.trace,
            }
        ],
    )
    return decision_id


def _write_allocations(
    uow: UnitOfWork,
    order: Any,
    lines: list[Any],
    needs: list[LineNeed],
    decision: Decision,
    decision_id: uuid.UUID,
    *,
    first: bool,
) -> list[dict[str, Any]]:
    """Allocation rows, line quantities, history and backorder incidents.
    Returns the lines that are newly (or further) backordered; on the ``first``
    allocation, every backordered line (placement's backorders included)."""
    now = clock.now()
    by_need = {n.line_id: n for n in needs}
    taken: dict[uuid.UUID, int] = defaultdict(int)
    rows = []
    for line_id, warehouse_id, units in decision.plan.take:
        taken[line_id] += units
        rows.append(
            {
                "id": new_id(),
                "order_id": order["id"],
                "line_id": line_id,
                "warehouse_id": warehouse_id,
                "product_id": by_need[line_id].product_id,
                "quantity": units,
                "picked_quantity": 0,
                "packed_quantity": 0,
                "shipped_quantity": 0,
                "status": AllocationStatus.ALLOCATED.value,
                "pick_list_id": None,
                "decision_id": decision_id,
                "created_at": now,
                "updated_at": now,
            }
        )
    if rows:
        insert_rows(uow.session.connection(), table_of(Allocation), rows)
    order_lines = table_of(OrderLine)
    backordered: list[dict[str, Any]] = []
    incidents = []
    for line in lines:
        need = by_need.get(line["id"])
        if need is None:
            continue
        short = need.quantity - taken[line["id"]]
        reserved = line["quantity"] - line["shipped_quantity"] - short
        uow.session.execute(
            sa.update(order_lines)
            .where(order_lines.c.id == line["id"])
            .values(reserved_quantity=reserved, backordered_quantity=short)
        )
        if short > (0 if first else line["backordered_quantity"]):
            backordered.append(
                {
                    "sku": line["sku"],
                    "name": line["name"],
                    "quantity": short,
                    "expected_date": line["backorder_expected_date"],
                }
            )
            incidents.append(
                {
                    "id": new_id(),
                    "order_id": order["id"],
                    "line_id": line["id"],
                    "kind": IncidentKind.BACKORDER.value,
                    "quantity": short,
                    "warehouse_id": None,
                    "note": decision.summary,
                    "actor": uow.actor,
                    "at": now,
                }
            )
    if incidents:
        insert_rows(uow.session.connection(), table_of(OrderIncident), incidents)
    note_on_orders(
        uow,
        [(order["id"], order["status"])],
        action="allocate",
        reason=decision.summary,
        details={"decided_by": decision.decided_by, "decision_id": str(decision_id)},
        at=now,
    )
    return backordered


def _promise(uow: UnitOfWork, order: Any) -> None:
    """The dates the customer is promised, fixed when the order is first allocated."""
    settings = uow.settings
    dispatch = promised_dispatch(
        clock.now(), cutoff_hour=settings.dispatch_cutoff_hour, handling_days=settings.handling_days
    )
    delivery = promised_delivery(
        dispatch,
        transit_days=default_transit_days(uow.session),
        requested=order["requested_delivery_date"],
    )
    orders = table_of(Order)
    uow.session.execute(
        sa.update(orders)
        .where(orders.c.id == order["id"])
        .values(promised_dispatch_date=dispatch, promised_delivery_date=delivery)
    )
