"""Backordered lines: when the missing units are expected, and telling the customer.

The date comes from staff (a supplier's promise) today and from open purchase orders
once purchasing exists. Setting it re-sends the backorder notice with the new date.
"""

from __future__ import annotations

import uuid
from datetime import date

import sqlalchemy as sa

from ordersmith import clock
from ordersmith.db import table_of
from ordersmith.errors import Conflict, FieldError, NotFound, ValidationFailed
from ordersmith.fulfillment.events import OrderBackordered
from ordersmith.orders.history import note_on_orders
from ordersmith.orders.locking import lock_order
from ordersmith.orders.models import OrderLine
from ordersmith.uow import UnitOfWork


def set_backorder_date(
    uow: UnitOfWork, *, order_id: uuid.UUID, line_no: int, expected: date
) -> None:
    if expected < clock.today():
        raise ValidationFailed(
            "the expected date is in the past",
            fields=[FieldError("expected_date", "today or later")],
        )
    order = lock_order(uow, order_id)
    lines = table_of(OrderLine)
    line = (
        uow.session.execute(
            sa.select(lines).where(lines.c.order_id == order_id, lines.c.line_no == line_no)
        )
        .mappings()
        .one_or_none()
    )
    if line is None:
        raise NotFound(f"order {order['number']} has no line {line_no}", code="line_not_found")
    if not line["backordered_quantity"]:
        raise Conflict(
            f"line {line_no} of {order['number']} is not backordered",
            code="line_not_backordered",
        )
    uow.session.execute(
        sa.update(lines).where(lines.c.id == line["id"]).values(backorder_expected_date=expected)
    )
    note_on_orders(
        uow,
        [(order["id"], order["status"])],
        action="backorder_date",
        reason=f"line {line_no} ({line['sku']}) expected {expected.isoformat()}",
        details={"line_no": line_no, "expected_date": expected.isoformat()},
    )
    uow.record(
        OrderBackordered(
            aggregate_id=order["id"],
            number=order["number"],
            customer_id=order["customer_id"],
            lines=[
                {
                    "sku": line["sku"],
                    "name": line["name"],
                    "quantity": line["backordered_quantity"],
                    "expected_date": expected,
                }
            ],
        )
    )
