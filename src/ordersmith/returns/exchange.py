"""The replacement order of an exchange: placed and confirmed at once, at no charge.

The replacement goes through the orders area's placement steps (``placement.validate``,
``prepare``, ``write_children``: what ``place_order`` runs), so it is priced, checked
for duplicates and **reserved in the same transaction** as any order, under the
``reject`` backorder policy: without stock for it the exchange is refused
(``insufficient_stock``, naming the SKUs) and nothing changes. Its number is taken
before the unit of work's first statement (ADR 0003), hence ``take_order_number``.

Pricing (ADR 0019): each line's discount is its whole gross amount, so the replacement
totals zero and needs no payment; the customer already paid for the goods on the
original order, whose invoice stands (no credit note). A replacement of other goods
than were returned is staff's decision; a price difference is a separate order or
credit note.

Then it is confirmed (``confirm_order``: allocated to a warehouse) as staff would. A
replacement held as a suspected duplicate of its original is released first, with the
note saying why; one held for credit control stays held for a person with
``credit:release``.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from ordersmith import clock
from ordersmith.catalog.pricing import resolve_prices
from ordersmith.config import BackorderPolicy
from ordersmith.customers.profile import ordering_profile
from ordersmith.db import core, table_of
from ordersmith.ids import new_id
from ordersmith.orders.models import Channel, Order
from ordersmith.orders.placement import prepare, validate, write_children
from ordersmith.orders.queries import get_order
from ordersmith.orders.requests import LineRequest, PlaceOrder
from ordersmith.orders.services import confirm_order, release_order
from ordersmith.orders.status import HoldReason, OrderStatus
from ordersmith.orders.views import OrderView
from ordersmith.returns.inputs import ExchangeLineInput
from ordersmith.uow import UnitOfWork


def take_order_number(uow: UnitOfWork) -> str:
    """The replacement's ``SO-<year>-NNNNNN`` (before the unit of work's first statement)."""
    series = f"{uow.settings.order_number_prefix}-{clock.now().year}"
    return f"{series}-{uow.next_number(series):06d}"


def place_replacement(
    uow: UnitOfWork,
    *,
    number: str,
    original: Any,
    lines: Sequence[ExchangeLineInput],
    return_number: str,
) -> OrderView:
    """Place, reserve and confirm the replacement of ``original`` (its locked row)."""
    session = uow.session
    profile = ordering_profile(session, original["customer_id"])
    quantities: dict[str, int] = {}
    for line in lines:
        quantities[line.sku] = quantities.get(line.sku, 0) + line.quantity
    prices = resolve_prices(
        session,
        quantities=quantities,
        customer_group=profile.customer_group,
        currency=profile.currency,
        on=clock.today(),
    )
    request = PlaceOrder(
        customer_id=original["customer_id"],
        channel=Channel(original["channel"]),
        lines=[
            LineRequest(sku=line.sku, quantity=line.quantity, discount=_whole(line, prices))
            for line in lines
        ],
        billing_address=original["billing_address"] or None,
        shipping_address=original["shipping_address"] or None,
        backorder_policy=BackorderPolicy.REJECT,
        notes=f"Replacement for return {return_number} of order {original['number']}",
        details={"return": return_number, "replaces": original["number"]},
    )
    validate(request)
    prepared = prepare(uow, request, order_id=new_id(), number=number, created_at=clock.now())
    core(session).execute(sa.insert(table_of(Order)), [prepared.row])
    write_children(uow, prepared)
    view = prepared.view
    why = f"replacement for return {return_number} of order {original['number']}"
    with uow.as_system():  # the replacement is the exchange's consequence (ADR 0023)
        if view.hold_reason == HoldReason.SUSPECTED_DUPLICATE.value:
            view = release_order(uow, order_id=view.id, note=f"not a duplicate: the {why}")
        if view.status == OrderStatus.PLACED.value:
            view = confirm_order(uow, order_id=view.id, note=why)
    return get_order(session, str(view.id))


def _whole(line: ExchangeLineInput, prices: dict[str, Any]) -> Decimal:
    """The line's whole gross amount as its discount (an unknown SKU or one without a
    price is refused by placement itself, with its own error)."""
    priced = prices.get(line.sku)
    if priced is None or priced.unit_price is None:
        return Decimal(0)
    return Decimal(line.quantity * priced.unit_price)
