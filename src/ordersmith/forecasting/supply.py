"""What the buffer needs from the supply side: lead times and the stock position.

``lead_times`` is the one place that says how long replenishing a (warehouse, product)
takes. Until purchasing knows suppliers and their lead times, every pair gets the
``default_lead_time_days`` setting; switching to supplier lead times changes this
function only (one grouped statement over the supplier items, the default for the
rest).

``stock_positions`` reads, for many (warehouse, product) pairs at once:

- ``available``: on hand - reserved (``stock_levels``; 0 where the pair has no row);
- ``backordered``: units of open orders (placed, confirmed, on hold) still backordered,
  at the line's own warehouse or else the default warehouse (the rule of
  ordersmith.forecasting.demand for units that were never allocated);
- ``on_order``: units on open purchase orders, 0 until purchasing exists.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.config import Settings
from ordersmith.db import table_of
from ordersmith.forecasting.demand import default_warehouse
from ordersmith.inventory.models import StockLevel
from ordersmith.orders.models import Order, OrderLine
from ordersmith.orders.status import RESERVING_STATUSES

Key = tuple[uuid.UUID, uuid.UUID]  # (warehouse_id, product_id)
_IN_CHUNK = 500


@dataclass(frozen=True, slots=True)
class Position:
    available: int = 0
    backordered: int = 0
    on_order: int = 0


def lead_times(session: Session, settings: Settings, keys: Collection[Key]) -> dict[Key, int]:
    """Replenishment lead time in days for each (warehouse, product)."""
    del session  # supplier lead times will be read here (purchasing)
    return dict.fromkeys(keys, settings.default_lead_time_days)


def stock_positions(session: Session, keys: Collection[Key]) -> dict[Key, Position]:
    """The stock position of each (warehouse, product): one statement for the default
    warehouse, then two per 500 products."""
    wanted = set(keys)
    products = sorted({product_id for _, product_id in wanted})
    available: dict[Key, int] = {}
    backordered: dict[Key, int] = {}
    levels, lines, orders = table_of(StockLevel), table_of(OrderLine), table_of(Order)
    open_statuses = sorted(s.value for s in RESERVING_STATUSES)
    fallback = session.scalar(sa.select(default_warehouse()))
    for start in range(0, len(products), _IN_CHUNK):
        chunk = products[start : start + _IN_CHUNK]
        for warehouse_id, product_id, units in session.execute(
            sa.select(
                levels.c.warehouse_id, levels.c.product_id, levels.c.on_hand - levels.c.reserved
            ).where(levels.c.product_id.in_(chunk))
        ):
            available[(warehouse_id, product_id)] = int(units)
        for warehouse_id, product_id, units in session.execute(
            sa.select(
                lines.c.warehouse_id, lines.c.product_id, sa.func.sum(lines.c.backordered_quantity)
            )
            .join(orders, orders.c.id == lines.c.order_id)
            .where(
                lines.c.product_id.in_(chunk),
                lines.c.backordered_quantity > 0,
                orders.c.status.in_(open_statuses),
            )
            .group_by(lines.c.warehouse_id, lines.c.product_id)
        ):
            at = warehouse_id or fallback
            if at is not None:  # no warehouse at all: nowhere to be short
                backordered[(at, product_id)] = backordered.get((at, product_id), 0) + int(units)
    return {
        key: Position(available.get(key, 0), backordered.get(key, 0), on_order=0) for key in wanted
    }
