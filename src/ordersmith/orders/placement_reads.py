"""Placement's reads before the write: prices, the duplicate check and, on PostgreSQL,
the stock rows to reserve from and the pinned warehouses, in one statement.

- The duplicate check rides on the prices statement as a scalar subquery column (ADR
  0037). It still sees a twin that committed while this order waited for the twin
  lock: the lock is taken by the statement before (the customer's profile), and under
  READ COMMITTED each statement reads what was committed when it started.
- On PostgreSQL the same statement locks the reservation's candidate stock rows in key
  order (a MATERIALIZED CTE, ``inventory.candidates.locked_by_sku``) and returns them,
  with the ids of the warehouses the lines pin, as rows of their own kind after the
  price rows (``UNION ALL``; ADR 0042). Two statements fewer for an order that pins a
  warehouse, one for any other.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
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
from ordersmith.inventory.candidates import StockRow, locked_by_sku
from ordersmith.inventory.queries import active_by_code, ids_as_given, stored_codes
from ordersmith.lock_order import refuse_stock_lock
from ordersmith.orders.duplicates import duplicate_params, duplicate_statement, window_start
from ordersmith.orders.lines import check_orderable
from ordersmith.orders.requests import PlaceOrder, sku_quantities
from ordersmith.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class PlacementRead:
    prices: dict[str, PricedProduct]
    duplicate_of: uuid.UUID | None
    locked: list[StockRow] | None = None
    """PostgreSQL: the candidate stock rows of the stocked SKUs, locked in key order."""
    warehouses: dict[str, uuid.UUID] | None = None
    """PostgreSQL: the ids of the active warehouses the lines pin, by code as given."""


def placement_read(
    uow: UnitOfWork,
    request: PlaceOrder,
    customer: OrderingProfile,
    fingerprint: str,
    on: date,
) -> PlacementRead:
    """The customer's price of every SKU of the request, each checked orderable, and
    the newest open order with the same lines within the duplicate window (None when
    there is none, or no window); on PostgreSQL with a window, also the stock rows and
    warehouses above. The caller holds the twin lock, where one is needed
    (``orders.duplicates.twin_lock``)."""
    quantities = sku_quantities(request.lines)
    since = window_start(uow)
    if since is None:
        return PlacementRead(price_request(uow.session, request, customer, on), None)
    params = prices_params(
        quantities, customer.customer_group, customer.currency, on, customer.tier_price_list
    )
    params |= duplicate_params(customer.id, fingerprint, since)
    conn = core(uow.session)
    postgresql = conn.dialect.name == "postgresql"
    codes = {line.warehouse for line in request.lines if line.warehouse}
    rows: Sequence[Any]
    price_rows: Sequence[Any]
    if postgresql:  # the stock rows are locked by this read
        refuse_stock_lock(uow.session)
        params |= {
            "anywhere_skus": sorted({line.sku for line in request.lines if not line.warehouse}),
            "pinned_skus": sorted({line.sku for line in request.lines if line.warehouse}),
            "pinned_codes": stored_codes(codes),
        }
        rows = _WITH_STOCK.rows(conn, params)
        price_rows = [r for r in rows if r.kind == "p"]
    else:
        rows = price_rows = _PRICES_AND_DUPLICATE.rows(conn, params)
    prices = priced_products(price_rows, quantities, customer.currency)
    check_orderable(request.lines, prices, customer.currency)
    duplicate_of = price_rows[0].duplicate_of if price_rows else None
    if not postgresql:
        return PlacementRead(prices, duplicate_of)
    locked = [
        StockRow(
            r.warehouse_id,
            r.product_id,
            r.on_hand,
            r.reserved,
            r.reorder_point,
            r.warehouse_priority,
            r.warehouse_code,
        )
        for r in rows
        if r.kind == "s"
    ]
    found = {r.warehouse_code: r.warehouse_id for r in rows if r.kind == "w"}
    return PlacementRead(prices, duplicate_of, locked, ids_as_given(codes, found))


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


def _with_stock(postgresql: bool) -> sa.CompoundSelect[Any]:
    """PostgreSQL only: price rows (``kind`` 'p'), then the locked stock rows ('s'), then
    the pinned warehouses ('w'); each kind's columns are NULL in the other kinds' rows."""
    assert postgresql, "a PostgreSQL statement"
    stock = locked_by_sku().cte("stock").prefix_with("MATERIALIZED")
    pinned = active_by_code(True, "pinned_codes").subquery("pinned")
    branches = [
        ("p", _with_duplicate(True)),
        (
            "s",
            sa.select(
                stock.c.warehouse_id,
                stock.c.product_id,
                stock.c.on_hand,
                stock.c.reserved,
                stock.c.reorder_point,
                stock.c.priority.label("warehouse_priority"),
                stock.c.code.label("warehouse_code"),
            ),
        ),
        ("w", sa.select(pinned.c.id.label("warehouse_id"), pinned.c.code.label("warehouse_code"))),
    ]
    names = list(dict.fromkeys(c.key for _k, b in branches for c in b.selected_columns))
    padded = []
    for kind, branch in branches:
        own = {c.key: c for c in branch.selected_columns}
        padded.append(
            branch.with_only_columns(
                sa.literal_column(f"'{kind}'").label("kind"),
                *(own[n] if n in own else sa.null().label(n) for n in names),
            )
        )
    return sa.union_all(*padded)


_PRICES_AND_DUPLICATE = HotRead(_with_duplicate)
_WITH_STOCK = HotRead(_with_stock)
