"""Placement's prices and duplicate check in one read (ADR 0037).

The duplicate check rides on the prices statement as a scalar subquery column: one
statement fewer per order. It still sees a twin that committed while this order waited
for the twin lock: the lock is taken by the statement before (the customer's profile),
and under READ COMMITTED each statement reads what was committed when it started.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.catalog.pricing import (
    PricedProduct,
    priced_products,
    prices_params,
    prices_statement,
    resolve_prices,
)
from ordersmith.customers.profile import OrderingProfile
from ordersmith.db import core
from ordersmith.hot_reads import HotRead
from ordersmith.orders.duplicates import duplicate_params, duplicate_statement, window_start
from ordersmith.orders.lines import check_orderable
from ordersmith.orders.requests import PlaceOrder, sku_quantities
from ordersmith.uow import UnitOfWork


def prices_and_duplicate(
    uow: UnitOfWork,
    request: PlaceOrder,
    customer: OrderingProfile,
    fingerprint: str,
    on: date,
) -> tuple[dict[str, PricedProduct], uuid.UUID | None]:
    """The customer's price of every SKU of the request, each checked orderable, and
    the newest open order with the same lines within the duplicate window (None when
    there is none, or no window). The caller holds the twin lock, where one is needed
    (``orders.duplicates.twin_lock``)."""
    quantities = sku_quantities(request.lines)
    since = window_start(uow)
    if since is None:
        return price_request(uow.session, request, customer, on), None
    params = prices_params(
        quantities, customer.customer_group, customer.currency, on, customer.tier_price_list
    )
    params |= duplicate_params(customer.id, fingerprint, since)
    rows = _PRICES_AND_DUPLICATE.rows(core(uow.session), params)
    prices = priced_products(rows, quantities, customer.currency)
    check_orderable(request.lines, prices, customer.currency)
    return prices, rows[0].duplicate_of if rows else None


def price_request(
    session: Session, request: PlaceOrder, customer: OrderingProfile, on: date
) -> dict[str, PricedProduct]:
    """The customer's price of every SKU of the request (its group's and its loyalty
    tier's lists, ADR 0022), each checked orderable and priced; one statement."""
    prices = resolve_prices(
        session,
        quantities=sku_quantities(request.lines),
        customer_group=customer.customer_group,
        currency=customer.currency,
        on=on,
        tier_price_list=customer.tier_price_list,
    )
    check_orderable(request.lines, prices, customer.currency)
    return prices


def _with_duplicate(postgresql: bool) -> sa.Select[Any]:
    duplicate = duplicate_statement(postgresql).scalar_subquery().label("duplicate_of")
    return prices_statement(postgresql).add_columns(duplicate)


_PRICES_AND_DUPLICATE = HotRead(_with_duplicate)
