"""The stock rows a reservation may take from, read and (on PostgreSQL) locked in
(warehouse, product) order.

Two shapes of one rule: ``CANDIDATES`` reads them by product id, for any document that
reserves (``reservations.reserve``); ``locked_by_sku`` is the same rows by SKU and
warehouse code, a CTE that order placement's prices read carries on PostgreSQL, so the
lock costs no statement of its own (ADR 0042).
"""

from __future__ import annotations

import uuid
from typing import Any, NamedTuple

import sqlalchemy as sa

from ordersmith.catalog.models import Product
from ordersmith.db import table_of
from ordersmith.hot_reads import HotRead, one_of
from ordersmith.inventory.models import StockLevel, Warehouse


class StockRow(NamedTuple):
    """A candidate stock row as read (and locked) before a reservation is planned."""

    warehouse_id: uuid.UUID
    product_id: uuid.UUID
    on_hand: int
    reserved: int
    reorder_point: int
    priority: int
    code: str


def _select(
    anywhere: sa.ColumnElement[bool],
    pinned: sa.ColumnElement[bool],
    *extra: sa.ColumnElement[bool],
    by_sku: bool = False,
    lock: bool,
) -> sa.Select[Any]:
    """The rows of active warehouses that match ``anywhere`` or ``pinned``, in key order
    (locked in that order with ``lock``); ``by_sku`` joins the products."""
    levels, warehouses, products = table_of(StockLevel), table_of(Warehouse), table_of(Product)
    query = sa.select(
        levels.c.warehouse_id,
        levels.c.product_id,
        levels.c.on_hand,
        levels.c.reserved,
        levels.c.reorder_point,
        warehouses.c.priority,
        warehouses.c.code,
    ).join(warehouses, warehouses.c.id == levels.c.warehouse_id)
    if by_sku:
        query = query.join(products, products.c.id == levels.c.product_id)
    query = query.where(sa.or_(anywhere, pinned), *extra, warehouses.c.active.is_(True))
    query = query.order_by(levels.c.warehouse_id, levels.c.product_id)
    return query.with_for_update(of=levels) if lock else query


def _candidates_statement(postgresql: bool) -> sa.Select[Any]:
    """By product id: ``anywhere`` (any active warehouse) and ``pinned_warehouses`` x
    ``pinned_products``, a small superset the planner narrows down. A hot read."""
    levels = table_of(StockLevel)
    return _select(
        one_of(levels.c.product_id, "anywhere", postgresql=postgresql),
        sa.and_(
            one_of(levels.c.warehouse_id, "pinned_warehouses", postgresql=postgresql),
            one_of(levels.c.product_id, "pinned_products", postgresql=postgresql),
        ),
        lock=postgresql,
    )


CANDIDATES = HotRead(_candidates_statement)


def locked_by_sku() -> sa.Select[Any]:
    """PostgreSQL: the candidates of stocked products by SKU, locked in key order.
    Parameters: ``anywhere_skus`` (lines that name no warehouse), ``pinned_codes`` x
    ``pinned_skus`` (lines that do; codes as stored). Meant as a MATERIALIZED CTE of a
    statement that reads every row of it."""
    warehouses, products = table_of(Warehouse), table_of(Product)
    return _select(
        one_of(products.c.sku, "anywhere_skus", postgresql=True),
        sa.and_(
            one_of(warehouses.c.code, "pinned_codes", postgresql=True),
            one_of(products.c.sku, "pinned_skus", postgresql=True),
        ),
        products.c.stocked.is_(True),
        by_sku=True,
        lock=True,
    )
