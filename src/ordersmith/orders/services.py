"""Order lifecycle use cases: place (see placement), confirm, hold, release, cancel.

Each locks the order row, checks the transition table (status.py), writes the new
state, appends to the history and records an event — in the caller's transaction.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.db import table_of
from ordersmith.errors import FieldError, ValidationFailed
from ordersmith.events import DomainEvent
from ordersmith.ids import new_id
from ordersmith.inventory.reservations import release
from ordersmith.orders.events import OrderCancelled, OrderConfirmed, OrderHeld, OrderReleased
from ordersmith.orders.locking import lock_order
from ordersmith.orders.models import Order, OrderHistory, OrderLine, OrderReservation
from ordersmith.orders.placement import LineRequest, PlaceOrder, place_order
from ordersmith.orders.queries import get_order
from ordersmith.orders.status import HoldReason, OrderAction, OrderStatus, check_transition
from ordersmith.orders.views import OrderView
from ordersmith.uow import UnitOfWork
from ordersmith.validation import text

__all__ = [
    "LineRequest",
    "PlaceOrder",
    "cancel_order",
    "confirm_order",
    "hold_order",
    "place_order",
    "release_order",
]

MAX_REASON = 2_000


def _write_transition(
    uow: UnitOfWork,
    row: Any,
    action: OrderAction,
    target: OrderStatus,
    *,
    reason: str = "",
    values: dict[str, Any] | None = None,
    details: dict[str, Any] | None = None,
    event: DomainEvent | None = None,
) -> OrderView:
    now = clock.now()
    orders = table_of(Order)
    uow.session.execute(
        sa.update(orders)
        .where(orders.c.id == row["id"])
        .values(status=target.value, updated_at=now, **(values or {}))
    )
    uow.session.execute(
        sa.insert(table_of(OrderHistory)),
        [
            {
                "id": new_id(),
                "order_id": row["id"],
                "at": now,
                "actor": uow.actor,
                "action": action.value,
                "from_status": row["status"],
                "to_status": target.value,
                "reason": reason,
                "details": details or {},
            }
        ],
    )
    if event is not None:
        uow.record(event)
    return get_order(uow.session, str(row["id"]))


def _clean_reason(reason: str, *, required: bool, field: str = "reason") -> str:
    """A person's why: stripped, at most MAX_REASON characters, line breaks allowed."""
    try:
        return text(MAX_REASON, required=required, multiline=True)(reason)
    except ValueError as exc:
        raise ValidationFailed(f"{field} {exc}", fields=[FieldError(field, str(exc))]) from exc


def confirm_order(uow: UnitOfWork, *, order_id: uuid.UUID, note: str = "") -> OrderView:
    uow.authorize(Permission.ORDERS_MANAGE)
    row = lock_order(uow, order_id)
    target = check_transition(OrderStatus(row["status"]), OrderAction.CONFIRM)
    return _write_transition(
        uow,
        row,
        OrderAction.CONFIRM,
        target,
        reason=_clean_reason(note, required=False, field="note"),
        event=OrderConfirmed(aggregate_id=row["id"], number=row["number"]),
    )


def hold_order(
    uow: UnitOfWork, *, order_id: uuid.UUID, reason: HoldReason, note: str = ""
) -> OrderView:
    uow.authorize(Permission.ORDERS_MANAGE)
    row = lock_order(uow, order_id)
    current = OrderStatus(row["status"])
    target = check_transition(current, OrderAction.HOLD)
    note = _clean_reason(note, required=reason is HoldReason.MANUAL, field="note")
    return _write_transition(
        uow,
        row,
        OrderAction.HOLD,
        target,
        reason=reason.value,
        values={"hold_reason": reason.value, "held_from": current.value},
        details={"note": note} if note else {},
        event=OrderHeld(
            aggregate_id=row["id"], number=row["number"], reason=reason.value, note=note
        ),
    )


def release_order(uow: UnitOfWork, *, order_id: uuid.UUID, note: str = "") -> OrderView:
    """Lift a hold: the order returns to the state it was held from. Logged with who and why."""
    uow.authorize(Permission.ORDERS_MANAGE)
    row = lock_order(uow, order_id)
    held_from = OrderStatus(row["held_from"]) if row["held_from"] else None
    target = check_transition(OrderStatus(row["status"]), OrderAction.RELEASE, held_from=held_from)
    note = _clean_reason(note, required=True, field="note")
    return _write_transition(
        uow,
        row,
        OrderAction.RELEASE,
        target,
        reason=note,
        values={"hold_reason": None, "held_from": None},
        details={"hold_reason": row["hold_reason"]},
        event=OrderReleased(aggregate_id=row["id"], number=row["number"], status=target.value),
    )


def cancel_order(uow: UnitOfWork, *, order_id: uuid.UUID, reason: str = "") -> OrderView:
    """Cancel an open order and give its reserved stock back."""
    uow.authorize(Permission.ORDERS_MANAGE)
    row = lock_order(uow, order_id)
    target = check_transition(OrderStatus(row["status"]), OrderAction.CANCEL)
    reason = _clean_reason(reason, required=False)
    reservations, lines = table_of(OrderReservation), table_of(OrderLine)
    taken = {
        (r.warehouse_id, r.product_id): r.quantity
        for r in uow.session.execute(
            sa.select(
                reservations.c.warehouse_id, reservations.c.product_id, reservations.c.quantity
            ).where(reservations.c.order_id == row["id"])
        )
    }
    release(uow, taken=taken, source_type="order", source_id=row["number"], reason="cancelled")
    uow.session.execute(sa.delete(reservations).where(reservations.c.order_id == row["id"]))
    uow.session.execute(
        sa.update(lines)
        .where(lines.c.order_id == row["id"])
        .values(reserved_quantity=0, backordered_quantity=0)
    )
    return _write_transition(
        uow,
        row,
        OrderAction.CANCEL,
        target,
        reason=reason,
        details={"released": sum(taken.values())},
        event=OrderCancelled(aggregate_id=row["id"], number=row["number"], reason=reason),
    )
