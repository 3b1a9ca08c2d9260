"""Weekly demand per (product, warehouse) from the order history, in one statement.

Demand is what customers *ordered*, not what was shipped: a line's ordered quantity
counts in the week its order was placed (``orders.created_at``; ISO weeks, starting
Monday 00:00 UTC). So backordered units count (the customer wanted them that week) and
so does imported history (ordersmith.orders.history_import: completed orders). Not
counted: cancelled orders and drafts, and products that are not stocked (services).

Which warehouse a unit is demand at:

1. the warehouse it was **allocated** to: each non-cancelled allocation of the line
   counts its quantity there (a line split over two warehouses is demand at both);
2. the rest of the line (never allocated: backordered, not yet confirmed, or history
   from before Ordersmith) at the **line's own warehouse** if the order named one;
3. otherwise at the **default warehouse**: the active one with the lowest priority
   number (then code), where unallocated demand is reserved from first.

Imported history names no warehouse, so all of it lands at the default warehouse: in
a business with several warehouses the first forecasts of the others rest only on the
orders placed since Ordersmith allocates them (docs/forecasting.md).

The weeks of a series run from its first week with demand (no zeros are invented before
a product's first sale) to the last complete week (``last_week``); weeks without demand
in between are zeros. The statement groups by product, warehouse and week in the
database; the zero weeks are filled in here.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from ordersmith.catalog.models import Product
from ordersmith.catalog.status import ProductStatus
from ordersmith.db import table_of
from ordersmith.fulfillment.models import Allocation, AllocationStatus
from ordersmith.inventory.models import Warehouse
from ordersmith.orders.models import Order, OrderLine
from ordersmith.orders.status import OrderStatus

WEEK = timedelta(days=7)
NOT_DEMAND = (OrderStatus.DRAFT.value, OrderStatus.CANCELLED.value)


@dataclass(frozen=True, slots=True)
class DemandSeries:
    product_id: uuid.UUID
    sku: str
    warehouse_id: uuid.UUID
    warehouse: str  # code
    start: date  # the Monday of the first week
    values: tuple[int, ...]  # units per week, oldest first

    @property
    def key(self) -> tuple[uuid.UUID, uuid.UUID]:
        return (self.warehouse_id, self.product_id)

    def weeks(self) -> list[date]:
        return [self.start + i * WEEK for i in range(len(self.values))]


def monday_of(day: date) -> date:
    """The Monday that starts ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


def last_complete_week(today: date) -> date:
    """The Monday of the last week that has ended by ``today`` (UTC)."""
    return monday_of(today) - WEEK


class week_start(FunctionElement[date]):  # noqa: N801  (a SQL function, named like one)
    """The Monday (a DATE) of the ISO week of a UTC timestamp, on either database."""

    type = sa.Date()
    inherit_cache = True


@compiles(week_start, "postgresql")
def _week_start_postgresql(element: week_start, compiler: SQLCompiler, **kw: Any) -> str:
    (at,) = element.clauses
    return f"CAST(date_trunc('week', {compiler.process(at, **kw)} AT TIME ZONE 'UTC') AS DATE)"


@compiles(week_start, "sqlite")
def _week_start_sqlite(element: week_start, compiler: SQLCompiler, **kw: Any) -> str:
    # timestamps are stored as naive UTC text; 'weekday 0' moves to the next Sunday
    # (or stays on a Sunday), six days back is that week's Monday
    (at,) = element.clauses
    return f"date({compiler.process(at, **kw)}, 'weekday 0', '-6 days')"


def default_warehouse() -> sa.ScalarSelect[Any]:
    warehouses = table_of(Warehouse)
    return (
        sa.select(warehouses.c.id)
        .where(warehouses.c.active.is_(True))
        .order_by(warehouses.c.priority, warehouses.c.code)
        .limit(1)
        .scalar_subquery()
    )


def weekly_demand(
    session: Session,
    *,
    first_week: date,
    last_week: date,
    product_ids: Collection[uuid.UUID] = (),
    warehouse_ids: Collection[uuid.UUID] = (),
    active_products_only: bool = False,
) -> list[DemandSeries]:
    """Every (product, warehouse) series with demand from ``first_week`` to ``last_week``
    (Mondays, both included), zero-filled, sorted by SKU then warehouse code. Empty
    filters mean every product and every warehouse."""
    if first_week > last_week:
        return []
    rows = session.execute(
        _statement(first_week, last_week, product_ids, warehouse_ids, active_products_only)
    )
    found: dict[tuple[uuid.UUID, uuid.UUID], dict[date, int]] = defaultdict(dict)
    names: dict[tuple[uuid.UUID, uuid.UUID], tuple[str, str]] = {}
    for product_id, sku, warehouse_id, code, week, units in rows:
        key = (product_id, warehouse_id)
        found[key][_as_date(week)] = int(units)
        names[key] = (sku, code)
    series = [
        _zero_filled(product_id, warehouse_id, names[(product_id, warehouse_id)], weeks, last_week)
        for (product_id, warehouse_id), weeks in found.items()
    ]
    return sorted(series, key=lambda s: (s.sku, s.warehouse))


def _as_date(value: date | str) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _zero_filled(
    product_id: uuid.UUID,
    warehouse_id: uuid.UUID,
    names: tuple[str, str],
    weeks: dict[date, int],
    last_week: date,
) -> DemandSeries:
    start = min(weeks)
    count = (last_week - start) // WEEK + 1
    values = tuple(weeks.get(start + i * WEEK, 0) for i in range(count))
    return DemandSeries(product_id, names[0], warehouse_id, names[1], start, values)


def _statement(
    first_week: date,
    last_week: date,
    product_ids: Collection[uuid.UUID],
    warehouse_ids: Collection[uuid.UUID],
    active_products_only: bool,
) -> sa.Select[Any]:
    orders, lines, products = table_of(Order), table_of(OrderLine), table_of(Product)
    allocations, warehouses = table_of(Allocation), table_of(Warehouse)
    start = datetime.combine(first_week, time.min, tzinfo=UTC)
    end = datetime.combine(last_week + WEEK, time.min, tzinfo=UTC)
    placed = (
        sa.select(
            lines.c.id,
            lines.c.product_id,
            lines.c.warehouse_id,
            lines.c.quantity,
            week_start(orders.c.created_at).label("week"),
        )
        .join(orders, orders.c.id == lines.c.order_id)
        .join(products, products.c.id == lines.c.product_id)
        .where(
            orders.c.created_at >= start,
            orders.c.created_at < end,
            orders.c.status.not_in(NOT_DEMAND),
            products.c.stocked.is_(True),
        )
    )
    if active_products_only:
        placed = placed.where(products.c.status == ProductStatus.ACTIVE.value)
    if product_ids:
        placed = placed.where(lines.c.product_id.in_(sorted(product_ids)))
    demand_lines = placed.cte("demand_lines")
    counted = allocations.c.status != AllocationStatus.CANCELLED.value
    allocated = (
        sa.select(
            demand_lines.c.product_id,
            allocations.c.warehouse_id,
            demand_lines.c.week,
            allocations.c.quantity,
        )
        .join(allocations, allocations.c.line_id == demand_lines.c.id)
        .where(counted)
    )
    allocated_units = (
        sa.select(sa.func.coalesce(sa.func.sum(allocations.c.quantity), 0))
        .where(allocations.c.line_id == demand_lines.c.id, counted)
        .scalar_subquery()
    )
    rest = sa.select(
        demand_lines.c.product_id,
        sa.func.coalesce(demand_lines.c.warehouse_id, default_warehouse()),
        demand_lines.c.week,
        demand_lines.c.quantity - allocated_units,
    )
    parts = sa.union_all(allocated, rest).subquery("parts")
    product_id, warehouse_id, week, units = parts.c
    query = (
        sa.select(
            product_id, products.c.sku, warehouse_id, warehouses.c.code, week, sa.func.sum(units)
        )
        .join(products, products.c.id == product_id)
        .join(warehouses, warehouses.c.id == warehouse_id)
        .where(units > 0)
        .group_by(product_id, products.c.sku, warehouse_id, warehouses.c.code, week)
    )
    if warehouse_ids:
        query = query.where(warehouse_id.in_(sorted(warehouse_ids)))
    return query
