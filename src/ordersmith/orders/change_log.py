"""Recording an order change: the versioned ``order_changes`` row, the order's history
(the timeline shows it), the ``order.changed`` event and the customer's email — all in
the caller's transaction. And the read side: an order's changes, newest first."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith import clock
from ordersmith.db import table_of
from ordersmith.ids import new_id
from ordersmith.money import money_str
from ordersmith.notifications.models import MessageKind
from ordersmith.notifications.services import queue_message
from ordersmith.orders.change_rules import ChangeKind
from ordersmith.orders.events import OrderChanged
from ordersmith.orders.history import note_on_orders
from ordersmith.orders.models import Order, OrderChange, OrderLine
from ordersmith.uow import UnitOfWork

_ADDRESS_FIELDS = ("name", "line1", "line2", "city", "region", "postcode", "country")


@dataclass(frozen=True, slots=True)
class OrderChangeView:
    id: uuid.UUID
    order_id: uuid.UUID
    version: int
    kind: str
    summary: str
    before: dict[str, Any]
    after: dict[str, Any]
    total_before: Decimal
    total_after: Decimal
    actor: str
    reason: str
    created_at: datetime


def record_change(
    uow: UnitOfWork,
    *,
    order_id: uuid.UUID,
    kinds: list[ChangeKind],
    summary: str,
    reason: str,
    before: dict[str, Any],
    after: dict[str, Any],
    notify: bool = True,
) -> int:
    """Bump the order's version and record the change; the new version."""
    orders = table_of(Order)
    now = clock.now()
    row = (
        uow.session.execute(
            sa.update(orders)
            .where(orders.c.id == order_id)
            .values(version=orders.c.version + 1, updated_at=now)
            .returning(
                orders.c.version,
                orders.c.number,
                orders.c.status,
                orders.c.customer_id,
                orders.c.total,
                orders.c.currency,
            )
        )
        .mappings()
        .one()
    )
    kind = "+".join(k.value for k in kinds)
    uow.session.execute(
        sa.insert(table_of(OrderChange)),
        [
            {
                "id": new_id(),
                "order_id": order_id,
                "version": row["version"],
                "kind": kind,
                "summary": summary,
                "before": before,
                "after": after,
                "total_before": Decimal(before.get("total") or 0),
                "total_after": row["total"],
                "actor": uow.actor,
                "reason": reason,
                "created_at": now,
            }
        ],
    )
    note_on_orders(
        uow,
        [(order_id, str(row["status"]))],
        action="change",
        reason=reason,
        details={"version": row["version"], "kind": kind, "summary": summary},
        at=now,
    )
    event = OrderChanged(
        aggregate_id=order_id,
        number=row["number"],
        customer_id=row["customer_id"],
        version=row["version"],
        kind=kind,
        summary=summary,
        reason=reason,
        total=str(row["total"]),
        currency=row["currency"],
    )
    uow.record(event)
    if notify:
        _email(uow, order_id, row, summary, reason, after)
    return int(row["version"])


def _email(
    uow: UnitOfWork,
    order_id: uuid.UUID,
    row: Any,
    summary: str,
    reason: str,
    after: dict[str, Any],
) -> None:
    lines = table_of(OrderLine)
    items = [
        {"sku": r.sku, "name": r.name, "quantity": int(r.quantity)}
        for r in uow.session.execute(
            sa.select(lines.c.sku, lines.c.name, lines.c.quantity)
            .where(lines.c.order_id == order_id)
            .order_by(lines.c.line_no)
        )
    ]
    address = after.get("shipping_address") or {}
    queue_message(
        uow,
        kind=MessageKind.ORDER_CHANGED,
        customer_id=row["customer_id"],
        order_id=order_id,
        source_event_id=new_id(),
        context={
            "order_number": row["number"],
            "summary": summary,
            "reason": reason,
            "lines": items,
            "total": money_str(row["total"], row["currency"]),
            "shipping_address": [str(address[f]) for f in _ADDRESS_FIELDS if address.get(f)],
            "requested_delivery_date": after.get("requested_delivery_date") or "",
        },
    )


def list_changes(
    session: Session, order_id: uuid.UUID, *, limit: int = 50, before_version: int | None = None
) -> list[OrderChangeView]:
    """The order's changes, newest first, keyset-paginated on the version
    (UNIQUE(order_id, version) is the index)."""
    changes = table_of(OrderChange)
    query = sa.select(*(changes.c[f] for f in OrderChangeView.__dataclass_fields__)).where(
        changes.c.order_id == order_id
    )
    if before_version is not None:
        query = query.where(changes.c.version < before_version)
    rows = session.execute(query.order_by(changes.c.version.desc()).limit(limit)).all()
    return [OrderChangeView(*r) for r in rows]
