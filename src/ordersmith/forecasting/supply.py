"""What the buffer needs from the supply side: lead times and the stock position.

``lead_times`` is the one place that says how long replenishing a (warehouse, product)
takes: the lead time of the product's preferred supplier (``supplier_products``,
purchasing), else the ``default_lead_time_days`` setting. A supplier's lead time is the
same for every warehouse it delivers to.

``stock_positions`` reads, for many (warehouse, product) pairs at once:

- ``available``: on hand - reserved (``stock_levels``; 0 where the pair has no row);
- ``backordered``: units of open orders (placed, confirmed, on hold) still backordered,
  at the line's own warehouse or else the default warehouse (the rule of
  ordersmith.forecasting.demand for units that were never allocated);
- ``on_order``: units still to come on approved, sent and partly received purchase
  orders delivered to the warehouse (``purchasing.queries.on_order``; drafts are not on
  order);
- ``in_transit``: units shipped on open transfers to the warehouse and not yet received
  (``inventory.transfer_queries.in_transit``).

Both are set-based: a fixed number of statements per 500 products, never one per pair.
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
from ordersmith.inventory.transfer_queries import in_transit
from ordersmith.orders.models import Order, OrderLine
from ordersmith.orders.status import RESERVING_STATUSES
from ordersmith.purchasing.queries import on_order, supplier_products

Key = tuple[uuid.UUID, uuid.UUID]  # (warehouse_id, product_id)
_IN_CHUNK = 500


@dataclass(frozen=True, slots=True)
class Position:
    available: int = 0
    backordered: int = 0
    on_order: int = 0
    in_transit: int = 0

    @property
    def incoming(self) -> int:
        """Units on their way to the warehouse: on order plus in transit."""
        return self.on_order + self.in_transit

    @property
    def position(self) -> int:
        """available - backordered + on order + in transit."""
        return self.available - self.backordered + self.incoming


def _chunks(ids: Collection[uuid.UUID]) -> list[list[uuid.UUID]]:
    ordered = sorted(set(ids))
    return [ordered[i : i + _IN_CHUNK] for i in range(0, len(ordered), _IN_CHUNK)]


def preferred_lead_times(
    session: Session, product_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """The preferred supplier's lead time in days per product that has one: one
    statement per 500 products."""
    found: dict[uuid.UUID, int] = {}
    for chunk in _chunks(product_ids):
        for item in supplier_products(session, product_ids=chunk):
            if item.preferred:
                found[item.product_id] = item.lead_time_days
    return found


def lead_times(session: Session, settings: Settings, keys: Collection[Key]) -> dict[Key, int]:
    """Replenishment lead time in days for each (warehouse, product): the preferred
    supplier's, else ``default_lead_time_days``."""
    preferred = preferred_lead_times(session, {product_id for _, product_id in keys})
    return {key: preferred.get(key[1], settings.default_lead_time_days) for key in set(keys)}


def stock_positions(session: Session, keys: Collection[Key]) -> dict[Key, Position]:
    """The stock position of each (warehouse, product): one statement for the default
    warehouse and one for what is in transit, then three per 500 products."""
    wanted = set(keys)
    available: dict[Key, int] = {}
    backordered: dict[Key, int] = {}
    ordered: dict[Key, int] = {}
    levels, lines, orders = table_of(StockLevel), table_of(OrderLine), table_of(Order)
    open_statuses = sorted(s.value for s in RESERVING_STATUSES)
    fallback = session.scalar(sa.select(default_warehouse()))
    for chunk in _chunks({product_id for _, product_id in wanted}):
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
        for row in on_order(session, product_ids=chunk):
            ordered[(row.warehouse_id, row.product_id)] = row.quantity
    travelling = (
        {(row.warehouse_id, row.product_id): row.quantity for row in in_transit(session)}
        if wanted
        else {}
    )
    return {
        key: Position(
            available.get(key, 0),
            backordered.get(key, 0),
            on_order=ordered.get(key, 0),
            in_transit=travelling.get(key, 0),
        )
        for key in wanted
    }
