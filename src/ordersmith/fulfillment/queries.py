"""Read side of fulfilment: an order's allocations and the decisions behind them."""

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
)
from ordersmith.inventory.models import Warehouse
from ordersmith.orders.models import OrderLine


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
