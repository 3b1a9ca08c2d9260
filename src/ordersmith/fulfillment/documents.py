"""What a pick list prints: read from the database into ordersmith.documents' plain data."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.db import table_of
from ordersmith.documents import PickLine, PickListDocument
from ordersmith.errors import NotFound
from ordersmith.fulfillment.models import PickList, PickListLine
from ordersmith.inventory.models import Warehouse
from ordersmith.orders.models import Order, OrderLine


def pick_list_document(session: Session, pick_list_id: uuid.UUID) -> PickListDocument:
    pick_lists, warehouses = table_of(PickList), table_of(Warehouse)
    head = session.execute(
        sa.select(
            pick_lists.c.number, pick_lists.c.created_at, warehouses.c.code, warehouses.c.name
        )
        .join(warehouses, warehouses.c.id == pick_lists.c.warehouse_id)
        .where(pick_lists.c.id == pick_list_id)
    ).one_or_none()
    if head is None:
        raise NotFound(f"no pick list {pick_list_id}", code="pick_list_not_found")
    lines, orders, order_lines = table_of(PickListLine), table_of(Order), table_of(OrderLine)
    rows = session.execute(
        sa.select(
            lines.c.sequence,
            lines.c.bin_location,
            lines.c.sku,
            lines.c.name,
            lines.c.quantity,
            orders.c.number,
            order_lines.c.line_no,
        )
        .join(orders, orders.c.id == lines.c.order_id)
        .join(order_lines, order_lines.c.id == lines.c.line_id)
        .where(lines.c.pick_list_id == pick_list_id)
        .order_by(lines.c.sequence)
    )
    return PickListDocument(
        number=head.number,
        warehouse_code=head.code,
        warehouse_name=head.name,
        created_at=head.created_at,
        lines=tuple(PickLine(*r) for r in rows),
    )
