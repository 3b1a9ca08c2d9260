"""Drafts: an order saved without reserving stock (a quote, a sales form in progress),
placed later at the prices and stock of that moment."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from ordersmith.auth.permissions import Permission
from ordersmith.config import BackorderPolicy, ShipPolicy
from ordersmith.db import table_of
from ordersmith.inventory.queries import warehouse_codes
from ordersmith.orders.errors import OrderNotFound
from ordersmith.orders.models import Channel, Order, OrderLine
from ordersmith.orders.placement import prepare, write_children
from ordersmith.orders.requests import LineRequest, PlaceOrder
from ordersmith.orders.status import OrderAction, OrderStatus, check_transition
from ordersmith.orders.views import OrderView
from ordersmith.uow import UnitOfWork

_KEPT = ("id", "number", "created_at", "created_by")


def place_draft(uow: UnitOfWork, *, order_id: uuid.UUID) -> OrderView:
    """Place a draft: re-price it, check duplicates and reserve stock, as a new order would."""
    uow.authorize(Permission.ORDERS_CREATE)
    session = uow.session
    orders, lines = table_of(Order), table_of(OrderLine)
    row = (
        session.execute(sa.select(orders).where(orders.c.id == order_id).with_for_update())
        .mappings()
        .one_or_none()
    )
    if row is None:
        raise OrderNotFound(f"no order {order_id}")
    check_transition(OrderStatus(row["status"]), OrderAction.PLACE)
    stored = session.execute(
        sa.select(lines.c.sku, lines.c.quantity, lines.c.discount, lines.c.warehouse_id)
        .where(lines.c.order_id == order_id)
        .order_by(lines.c.line_no)
    ).all()
    codes = warehouse_codes(session, {r.warehouse_id for r in stored if r.warehouse_id})
    request = PlaceOrder(
        customer_id=row["customer_id"],
        channel=Channel(row["channel"]),
        lines=[
            LineRequest(sku, quantity, discount, codes[w] if w is not None else None)
            for sku, quantity, discount, w in stored
        ],
        external_ref=row["external_ref"],
        billing_address=row["billing_address"] or None,
        shipping_address=row["shipping_address"] or None,
        backorder_policy=BackorderPolicy(row["backorder_policy"]),
        ship_policy=ShipPolicy(row["ship_policy"]),
        requested_delivery_date=row["requested_delivery_date"],
        notes=row["notes"],
        shipping_amount=row["shipping_total"],
    )
    prepared = prepare(
        uow, request, order_id=row["id"], number=row["number"], created_at=row["created_at"]
    )
    prepared.history[0].update(action=OrderAction.PLACE.value, from_status=OrderStatus.DRAFT.value)
    session.execute(
        sa.update(orders)
        .where(orders.c.id == order_id)
        .values({k: v for k, v in prepared.row.items() if k not in _KEPT})
    )
    session.execute(sa.delete(lines).where(lines.c.order_id == order_id))
    write_children(uow, prepared)
    return prepared.view
