"""What an allocation run starts from, read inside its transaction.

The order's lines and what each stocked one still needs (``quantity - shipped -
allocated``), what its open allocations hold per line and per (warehouse, SKU), its own
reservations, and the active warehouses as sourcing sites with what each can give: the
available stock plus this order's own reservation there that no allocation holds yet.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

import sqlalchemy as sa

from ordersmith.catalog.models import Product
from ordersmith.db import table_of
from ordersmith.fulfillment.distance import zone_distance
from ordersmith.fulfillment.models import OPEN_ALLOCATION_STATUSES, Allocation
from ordersmith.fulfillment.sourcing import LineNeed, Site
from ordersmith.inventory import ledger
from ordersmith.inventory.ledger import Key
from ordersmith.inventory.models import StockLevel, Warehouse
from ordersmith.lock_order import refuse_stock_lock
from ordersmith.orders.models import OrderLine, OrderReservation
from ordersmith.uow import UnitOfWork


def order_lines(uow: UnitOfWork, order_id: uuid.UUID) -> list[Any]:
    """The order's lines in line order, each with its product's ``stocked`` flag."""
    lines, products = table_of(OrderLine), table_of(Product)
    return list(
        uow.session.execute(
            sa.select(lines, products.c.stocked)
            .join(products, products.c.id == lines.c.product_id)
            .where(lines.c.order_id == order_id)
            .order_by(lines.c.line_no)
        ).mappings()
    )


def line_needs(lines: list[Any], open_by_line: dict[uuid.UUID, int]) -> list[LineNeed]:
    """The stocked lines that still need units, with how many."""
    needs = [
        LineNeed(
            line["id"],
            line["line_no"],
            line["product_id"],
            line["sku"],
            line["quantity"] - line["shipped_quantity"] - open_by_line.get(line["id"], 0),
            line["warehouse_id"],
        )
        for line in lines
        if line["stocked"]
    ]
    return [n for n in needs if n.quantity > 0]


def open_allocations(
    uow: UnitOfWork, order_id: uuid.UUID
) -> tuple[dict[uuid.UUID, int], dict[Key, int]]:
    """Units the order's open allocations still hold: per line, and per (warehouse, SKU)."""
    allocations = table_of(Allocation)
    by_line: dict[uuid.UUID, int] = defaultdict(int)
    by_key: dict[Key, int] = defaultdict(int)
    for row in uow.session.execute(
        sa.select(
            allocations.c.line_id,
            allocations.c.warehouse_id,
            allocations.c.product_id,
            allocations.c.quantity - allocations.c.shipped_quantity,
        ).where(
            allocations.c.order_id == order_id,
            allocations.c.status.in_([s.value for s in OPEN_ALLOCATION_STATUSES]),
        )
    ):
        by_line[row[0]] += row[3]
        by_key[(row[1], row[2])] += row[3]
    return dict(by_line), dict(by_key)


def own_reservations(uow: UnitOfWork, order_id: uuid.UUID) -> dict[Key, int]:
    """The order's reservation per (warehouse, SKU)."""
    reservations = table_of(OrderReservation)
    return {
        (r.warehouse_id, r.product_id): r.quantity
        for r in uow.session.execute(
            sa.select(
                reservations.c.warehouse_id, reservations.c.product_id, reservations.c.quantity
            ).where(reservations.c.order_id == order_id)
        )
    }


def sites(
    uow: UnitOfWork,
    order: Any,
    needs: list[LineNeed],
    own_reserved: dict[Key, int],
    open_by_key: dict[Key, int],
) -> tuple[list[Site], dict[Key, int]]:
    """Active warehouses and what each can give (rows locked in key order on PostgreSQL)."""
    levels, warehouses = table_of(StockLevel), table_of(Warehouse)
    query = (
        sa.select(
            levels.c.warehouse_id,
            levels.c.product_id,
            levels.c.on_hand,
            levels.c.reserved,
        )
        .join(warehouses, warehouses.c.id == levels.c.warehouse_id)
        .where(
            levels.c.product_id.in_(sorted({n.product_id for n in needs})),
            warehouses.c.active.is_(True),
        )
        .order_by(levels.c.warehouse_id, levels.c.product_id)
    )
    refuse_stock_lock(uow.session)
    if ledger.is_postgresql(uow.session):
        query = query.with_for_update(of=levels)
    usable: dict[Key, int] = {}
    for row in uow.session.execute(query):
        key = (row.warehouse_id, row.product_id)
        unallocated_own = own_reserved.get(key, 0) - open_by_key.get(key, 0)
        usable[key] = row.on_hand - row.reserved + max(unallocated_own, 0)
    site_rows = uow.session.execute(
        sa.select(warehouses.c.id, warehouses.c.code, warehouses.c.priority, warehouses.c.address)
        .where(warehouses.c.active.is_(True))
        .order_by(warehouses.c.code)
    )
    ship_to = order["shipping_address"] or {}
    found = [
        Site(r.id, r.code, r.priority, zone_distance(r.address or {}, ship_to)) for r in site_rows
    ]
    return found, usable
