"""Factories for orders: requests with sensible defaults, placed through the real service."""

from __future__ import annotations

import uuid
from typing import Any

from ordersmith.orders.models import Channel
from ordersmith.orders.placement import LineRequest, PlaceOrder, place_order
from ordersmith.orders.views import OrderView
from ordersmith.uow import Database


def order_request(
    customer_id: uuid.UUID, *lines: tuple[str, int], channel: Channel = Channel.PHONE, **kw: Any
) -> PlaceOrder:
    """``order_request(customer.id, ("A-1", 2), ("B-2", 1))``."""
    return PlaceOrder(
        customer_id=customer_id,
        channel=channel,
        lines=[LineRequest(sku=sku, quantity=qty) for sku, qty in lines],
        **kw,
    )


def place(db: Database, request: PlaceOrder, *, actor: str = "test") -> OrderView:
    with db.unit_of_work(actor=actor) as uow:
        return place_order(uow, request)


def change(db: Database, order: OrderView, *, actor: str = "user:carol", **kw: Any) -> OrderView:
    """Change a placed order through the real service: ``change(db, order,
    quantities={1: 3}, reason="customer called")``; a reason is given unless passed."""
    from ordersmith.orders.change_rules import ChangeOrder
    from ordersmith.orders.changes import change_order

    kw.setdefault("reason", "customer asked")
    with db.unit_of_work(actor=actor) as uow:
        return change_order(uow, order_id=order.id, request=ChangeOrder(**kw))
