"""Read side of fulfilment: an order's allocations and the decisions behind them, its
pick lists, and a pick list with its lines in walking order."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.db import table_of
from ordersmith.errors import NotFound
from ordersmith.fulfillment.models import (
    Allocation,
    AllocationDecision,
    IncidentKind,
    OrderIncident,
    PickList,
    PickListLine,
    PickListStatus,
)
from ordersmith.inventory.models import Warehouse
from ordersmith.orders.models import Order, OrderLine


@dataclass(frozen=True, slots=True)
class AllocationView:
    id: uuid.UUID
    line_id: uuid.UUID
    line_no: int
    sku: str
    warehouse: str
    quantity: int
    picked_quantity: int
    packed_quantity: int
    shipped_quantity: int
    status: str
    pick_list_id: uuid.UUID | None
    decision_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class DecisionView:
    id: uuid.UUID
    at: datetime
    actor: str
    trigger: str
    ship_policy: str
    rules: list[str]
    decided_by: str
    summary: str
    trace: dict[str, Any]


@dataclass(frozen=True, slots=True)
class IncidentView:
    id: uuid.UUID
    kind: str
    line_id: uuid.UUID | None
    quantity: int
    note: str
    actor: str
    at: datetime


def order_allocations(session: Session, order_id: uuid.UUID) -> list[AllocationView]:
    allocations, lines, warehouses = (
        table_of(Allocation),
        table_of(OrderLine),
        table_of(Warehouse),
    )
    rows = session.execute(
        sa.select(
            allocations.c.id,
            allocations.c.line_id,
            lines.c.line_no,
            lines.c.sku,
            warehouses.c.code,
            allocations.c.quantity,
            allocations.c.picked_quantity,
            allocations.c.packed_quantity,
            allocations.c.shipped_quantity,
            allocations.c.status,
            allocations.c.pick_list_id,
            allocations.c.decision_id,
        )
        .join(lines, lines.c.id == allocations.c.line_id)
        .join(warehouses, warehouses.c.id == allocations.c.warehouse_id)
        .where(allocations.c.order_id == order_id)
        .order_by(lines.c.line_no, allocations.c.created_at, warehouses.c.code)
    )
    return [AllocationView(*r[:9], str(r[9]), r[10], r[11]) for r in rows]


def allocation_decisions(session: Session, order_id: uuid.UUID) -> list[DecisionView]:
    decisions = table_of(AllocationDecision)
    rows = session.execute(
        sa.select(
            decisions.c.id,
            decisions.c.at,
            decisions.c.actor,
            decisions.c.trigger,
            decisions.c.ship_policy,
            decisions.c.rules,
            decisions.c.decided_by,
            decisions.c.summary,
            decisions.c.trace,
        )
        .where(decisions.c.order_id == order_id)
        .order_by(decisions.c.at, decisions.c.id)
    )
    return [DecisionView(*r) for r in rows]


def order_incidents(
    session: Session, order_id: uuid.UUID, kind: IncidentKind | None = None
) -> list[IncidentView]:
    incidents = table_of(OrderIncident)
    query = sa.select(
        incidents.c.id,
        incidents.c.kind,
        incidents.c.line_id,
        incidents.c.quantity,
        incidents.c.note,
        incidents.c.actor,
        incidents.c.at,
    ).where(incidents.c.order_id == order_id)
    if kind is not None:
        query = query.where(incidents.c.kind == kind.value)
    rows = session.execute(query.order_by(incidents.c.at, incidents.c.id))
    return [IncidentView(r[0], str(r[1]), *r[2:]) for r in rows]


def pick_list_id(session: Session, id_or_number: str) -> uuid.UUID:
    """Resolve a pick list id or number (PL-000001)."""
    lists = table_of(PickList)
    try:
        match = lists.c.id == uuid.UUID(id_or_number)
    except ValueError:
        match = lists.c.number == id_or_number.strip().upper()
    found: uuid.UUID | None = session.scalar(sa.select(lists.c.id).where(match))
    if found is None:
        raise NotFound(f"no pick list {id_or_number!r}", code="pick_list_not_found")
    return found


@dataclass(frozen=True, slots=True)
class PickListLineView:
    sequence: int
    bin_location: str
    sku: str
    name: str
    quantity: int
    picked_quantity: int | None
    order_number: str
    line_no: int


@dataclass(frozen=True, slots=True)
class PickListView:
    id: uuid.UUID
    number: str
    warehouse: str
    warehouse_name: str
    status: str
    created_by: str
    created_at: datetime
    completed_by: str | None
    completed_at: datetime | None
    lines: tuple[PickListLineView, ...]


def get_pick_list(session: Session, id_or_number: str) -> PickListView:
    """The pick list with this id or number (PL-000001): see ``pick_list_by_id``."""
    return pick_list_by_id(session, pick_list_id(session, id_or_number))


def pick_list_by_id(session: Session, list_id: uuid.UUID) -> PickListView:
    """A pick list with its lines in walking order (bin, then SKU) and what was picked;
    raises NotFound (``pick_list_not_found``)."""
    found = _pick_lists(session, _pick_list_heads().where(table_of(PickList).c.id == list_id))
    if not found:
        raise NotFound(f"no pick list {list_id}", code="pick_list_not_found")
    return found[0]


def pick_lists(
    session: Session,
    *,
    warehouse: str | None = None,
    status: PickListStatus | None = None,
    limit: int = 20,
) -> list[PickListView]:
    """The newest pick lists first, with their lines: two statements whatever the limit
    (``ix_pick_lists_created``, ``ix_pick_lists_status_created``,
    ``ix_pick_lists_warehouse_created``)."""
    lists, warehouses = table_of(PickList), table_of(Warehouse)
    query = _pick_list_heads()
    if warehouse is not None:
        query = query.where(warehouses.c.code == warehouse.strip().upper())
    if status is not None:
        query = query.where(lists.c.status == status.value)
    query = query.order_by(lists.c.created_at.desc(), lists.c.id.desc()).limit(limit)
    return _pick_lists(session, query)


def _pick_list_heads() -> sa.Select[Any]:
    lists, warehouses = table_of(PickList), table_of(Warehouse)
    return sa.select(
        lists.c.id,
        lists.c.number,
        warehouses.c.code,
        warehouses.c.name,
        lists.c.status,
        lists.c.created_by,
        lists.c.created_at,
        lists.c.completed_by,
        lists.c.completed_at,
    ).join(warehouses, warehouses.c.id == lists.c.warehouse_id)


def _pick_lists(session: Session, heads_query: sa.Select[Any]) -> list[PickListView]:
    heads = session.execute(heads_query).all()
    if not heads:
        return []
    lines, orders, order_lines = table_of(PickListLine), table_of(Order), table_of(OrderLine)
    rows = session.execute(
        sa.select(
            lines.c.pick_list_id,
            lines.c.sequence,
            lines.c.bin_location,
            lines.c.sku,
            lines.c.name,
            lines.c.quantity,
            lines.c.picked_quantity,
            orders.c.number,
            order_lines.c.line_no,
        )
        .join(orders, orders.c.id == lines.c.order_id)
        .join(order_lines, order_lines.c.id == lines.c.line_id)
        .where(lines.c.pick_list_id.in_([h.id for h in heads]))
        .order_by(lines.c.pick_list_id, lines.c.sequence)
    )
    by_list: dict[uuid.UUID, list[PickListLineView]] = {h.id: [] for h in heads}
    for r in rows:
        by_list[r[0]].append(PickListLineView(*r[1:]))
    return [
        PickListView(
            id=h.id,
            number=h.number,
            warehouse=h.code,
            warehouse_name=h.name,
            status=str(h.status),
            created_by=h.created_by,
            created_at=h.created_at,
            completed_by=h.completed_by,
            completed_at=h.completed_at,
            lines=tuple(by_list[h.id]),
        )
        for h in heads
    ]


def order_pick_lists(session: Session, order_id: uuid.UUID) -> list[tuple[str, str]]:
    """(number, status) of the pick lists that carried units of the order, oldest first."""
    lists, allocations = table_of(PickList), table_of(Allocation)
    on_lists = sa.select(allocations.c.pick_list_id).where(allocations.c.order_id == order_id)
    rows = session.execute(
        sa.select(lists.c.number, lists.c.status)
        .where(lists.c.id.in_(on_lists))
        .order_by(lists.c.created_at, lists.c.number)
    )
    return [(r[0], str(r[1])) for r in rows]
