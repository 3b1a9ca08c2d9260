"""Pricing an order without placing it: the sales form's running totals.

A quote runs the same functions as placement (``placement.price_request`` for the
customer's prices, ``placement.price_amounts`` for the lines and totals, and the
``suspected_duplicate`` rule of ``orders.duplicates``), so the totals a form shows are
the totals the placed order gets. Nothing is written and no stock is reserved: whether
the stock is still there is decided when the order is placed.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from ordersmith import clock
from ordersmith.customers.profile import OrderingProfile, ordering_profile
from ordersmith.db import table_of
from ordersmith.money import ZERO
from ordersmith.orders.duplicates import recent_duplicate
from ordersmith.orders.models import Order
from ordersmith.orders.placement import price_amounts, price_request
from ordersmith.orders.requests import LineRequest, PlaceOrder, lines_fingerprint, validate
from ordersmith.orders.totals import OrderTotals
from ordersmith.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class QuoteLine:
    sku: str
    name: str
    quantity: int
    unit_price: Decimal
    discount: Decimal
    tax_rate: Decimal
    net: Decimal
    tax: Decimal
    price_source: str
    stocked: bool


@dataclass(frozen=True, slots=True)
class DuplicateOrder:
    """A recent open order of the customer with the same SKUs and quantities."""

    id: uuid.UUID
    number: str
    status: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Quote:
    customer: OrderingProfile
    currency: str
    lines: list[QuoteLine]
    totals: OrderTotals
    duplicate: DuplicateOrder | None


def quote_order(uow: UnitOfWork, request: PlaceOrder) -> Quote:
    """Price ``request`` as ``place_order`` would, and find a recent duplicate of it.
    Raises what placement raises before reserving (validation, unknown SKU, not
    orderable, no price, amount too large); changes nothing."""
    validate(request)
    customer = ordering_profile(uow.session, request.customer_id)
    prices = price_request(uow.session, request, customer, clock.now().date())
    amounts, totals = price_amounts(request, prices, customer.currency)
    lines = []
    for line, amount in zip(request.lines, amounts, strict=True):
        priced = prices[line.sku]
        lines.append(
            QuoteLine(
                sku=priced.sku,
                name=priced.name,
                quantity=line.quantity,
                unit_price=priced.unit_price if priced.unit_price is not None else ZERO,
                discount=amount.discount,
                tax_rate=priced.tax_rate,
                net=amount.net,
                tax=amount.tax,
                price_source=priced.price_source,
                stocked=priced.stocked,
            )
        )
    duplicate = None if request.draft else duplicate_order(uow, customer.id, request.lines)
    return Quote(customer, customer.currency, lines, totals, duplicate)


def duplicate_order(
    uow: UnitOfWork, customer_id: uuid.UUID, lines: Sequence[LineRequest]
) -> DuplicateOrder | None:
    """The order that placing these lines now would be held as a duplicate of, if any
    (the rule of ``recent_duplicate``: same customer, same lines, within the window)."""
    found = recent_duplicate(uow, customer_id, lines_fingerprint(lines))
    if found is None:
        return None
    orders = table_of(Order)
    row = uow.session.execute(
        sa.select(orders.c.number, orders.c.status, orders.c.created_at).where(orders.c.id == found)
    ).one()
    return DuplicateOrder(found, row.number, row.status, clock.as_utc(row.created_at))
