"""What of an order may be returned: per line, the units shipped, the units other returns
already claim, when the goods reached the customer and where they left from.

Four reads whatever the number of lines (the order's date; its lines; the claims of
returns on them, grouped; the dispatched shipments carrying them). Read-side SQL joins the
shipping tables to stay set-based (CONTRIBUTING.md).

A return claims, per line, the units asked for until the goods are back, then the units
that arrived; rejected and cancelled returns claim nothing (``returns.status``).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.db import UtcDateTime, table_of
from ordersmith.orders.models import Order, OrderLine
from ordersmith.returns.models import Return, ReturnLine
from ordersmith.returns.status import GOODS_BACK, VOID
from ordersmith.returns.views import ReturnableLine
from ordersmith.shipping.models import Shipment, ShipmentLine
from ordersmith.shipping.status import ShipmentStatus

_R, _RL = table_of(Return), table_of(ReturnLine)


def claimed_quantity() -> sa.ColumnElement[Any]:
    """Per return line, the units it claims (see the module doc)."""
    return sa.case(
        (_R.c.status.in_([s.value for s in GOODS_BACK]), _RL.c.received_quantity),
        else_=_RL.c.quantity,
    )


def delivered_time() -> sa.ColumnElement[Any]:
    """When a shipment's goods reached the customer: its delivery scan, else its dispatch
    (a carrier without scans never reports delivery)."""
    shipments = table_of(Shipment)
    return sa.func.coalesce(
        shipments.c.delivered_at, shipments.c.dispatched_at, type_=UtcDateTime()
    )


def returnable_lines(session: Session, order_id: uuid.UUID) -> dict[int, ReturnableLine]:
    """Every line of the order by line number (lines never shipped included, with 0). A
    line shipped by no shipment on record (imported history) counts as delivered when
    the order was placed: its window closes no later than it really did."""
    lines, orders = table_of(OrderLine), table_of(Order)
    placed = session.scalar(sa.select(orders.c.created_at).where(orders.c.id == order_id))
    rows = session.execute(
        sa.select(
            lines.c.id,
            lines.c.line_no,
            lines.c.product_id,
            lines.c.sku,
            lines.c.name,
            lines.c.shipped_quantity,
        )
        .where(lines.c.order_id == order_id)
        .order_by(lines.c.line_no)
    ).all()
    ids = [r.id for r in rows]
    claims = _claims(session, ids)
    sent = _shipments(session, ids)
    out = {}
    for r in rows:
        delivered_at, warehouse_id = sent.get(r.id, (placed if r.shipped_quantity else None, None))
        out[r.line_no] = ReturnableLine(
            line_no=r.line_no,
            order_line_id=r.id,
            product_id=r.product_id,
            sku=r.sku,
            name=r.name,
            shipped=int(r.shipped_quantity),
            claimed=claims.get(r.id, 0),
            delivered_at=delivered_at,
            warehouse_id=warehouse_id,
        )
    return out


def _claims(session: Session, line_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    if not line_ids:
        return {}
    rows = session.execute(
        sa.select(_RL.c.order_line_id, sa.func.sum(claimed_quantity()))
        .join(_R, _R.c.id == _RL.c.return_id)
        .where(_RL.c.order_line_id.in_(line_ids), _R.c.status.not_in([s.value for s in VOID]))
        .group_by(_RL.c.order_line_id)
    )
    return {line_id: int(total or 0) for line_id, total in rows}


def _shipments(
    session: Session, line_ids: list[uuid.UUID]
) -> dict[uuid.UUID, tuple[datetime, uuid.UUID]]:
    """Per order line: (latest delivery time, warehouse of its latest shipment)."""
    if not line_ids:
        return {}
    shipments, shipment_lines = table_of(Shipment), table_of(ShipmentLine)
    rows = session.execute(
        sa.select(
            shipment_lines.c.line_id,
            delivered_time().label("delivered_at"),
            shipments.c.warehouse_id,
        )
        .join(shipments, shipments.c.id == shipment_lines.c.shipment_id)
        .where(
            shipment_lines.c.line_id.in_(line_ids),
            shipments.c.dispatched_at.is_not(None),
            shipments.c.status != ShipmentStatus.CANCELLED.value,
        )
        .order_by(shipment_lines.c.line_id, shipments.c.dispatched_at, shipments.c.id)
    )
    out: dict[uuid.UUID, tuple[datetime, uuid.UUID]] = {}
    for line_id, delivered_at, warehouse_id in rows:
        before = out.get(line_id)
        latest = delivered_at if before is None else max(before[0], delivered_at)
        out[line_id] = (latest, warehouse_id)  # rows in dispatch order: the last one's
    return out
