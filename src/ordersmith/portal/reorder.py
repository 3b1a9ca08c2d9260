"""Order again: a past order's lines at today's prices and availability (ADR 0029).

The preview prices the lines that can be ordered now with the placement's own pricing
(``orders.quote``) and lists the others with why (no longer sold, not enough in stock);
nothing is dropped silently. Placing it goes through ``orders`` placement (channel
``web``, the customer's default addresses), so it reserves stock like any order.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from ordersmith.catalog.queries import get_products_by_sku
from ordersmith.errors import ValidationFailed
from ordersmith.inventory.queries import availability
from ordersmith.orders.models import Channel
from ordersmith.orders.placement import place_order
from ordersmith.orders.queries import get_order
from ordersmith.orders.quote import Quote, quote_order
from ordersmith.orders.requests import LineRequest, PlaceOrder
from ordersmith.orders.views import OrderView
from ordersmith.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class Unavailable:
    sku: str
    name: str
    quantity: int
    why: str


@dataclass(frozen=True, slots=True)
class ReorderPreview:
    source: OrderView
    quote: Quote | None
    """The lines that can be ordered now, priced; None when there are none."""
    unavailable: list[Unavailable]


def _split(session: Session, source: OrderView) -> tuple[list[LineRequest], list[Unavailable]]:
    wanted: dict[str, int] = {}
    names: dict[str, str] = {}
    for line in source.lines:
        wanted[line.sku] = wanted.get(line.sku, 0) + line.quantity
        names[line.sku] = line.name
    products = get_products_by_sku(session, wanted)
    stocked = [sku for sku in wanted if sku in products and products[sku].stocked]
    stock = availability(session, stocked)
    lines, unavailable = [], []
    for sku, quantity in wanted.items():
        product = products.get(sku)
        if product is None or not product.orderable:
            unavailable.append(Unavailable(sku, names[sku], quantity, "no longer sold"))
            continue
        free = sum(max(units, 0) for _, units in stock.get(sku, []))
        if product.stocked and free < quantity:
            why = f"only {free} in stock" if free else "out of stock"
            unavailable.append(Unavailable(sku, product.name, quantity, why))
            continue
        lines.append(LineRequest(sku=sku, quantity=quantity))
    return lines, unavailable


def _request(customer_id: uuid.UUID, source: OrderView, lines: list[LineRequest]) -> PlaceOrder:
    return PlaceOrder(
        customer_id=customer_id,
        channel=Channel.WEB,
        lines=lines,
        details={"source": "portal", "reorder_of": source.number},
    )


def preview_reorder(uow: UnitOfWork, *, customer_id: uuid.UUID, order: str) -> ReorderPreview:
    """What ordering ``order`` (the customer's own: OrderNotFound otherwise) again would
    give now. Changes nothing."""
    source = get_order(uow.session, order, customer_id=customer_id)
    lines, unavailable = _split(uow.session, source)
    quote = quote_order(uow, _request(customer_id, source, lines)) if lines else None
    return ReorderPreview(source, quote, unavailable)


def place_reorder(uow: UnitOfWork, *, customer_id: uuid.UUID, order: str) -> OrderView:
    """Place a new order of the lines of ``order`` that can be ordered now, at today's
    prices, to the customer's default addresses."""
    with uow.db.reader() as session:  # placement takes its number before its first statement
        source = get_order(session, order, customer_id=customer_id)
        lines, _ = _split(session, source)
    if not lines:
        raise ValidationFailed(
            f"nothing of order {source.number} can be ordered now", code="nothing_to_reorder"
        )
    return place_order(uow, _request(customer_id, source, lines))
