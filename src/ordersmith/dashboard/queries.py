"""The dashboard's read statements: each widget is one grouped statement over a date
window or an open-status set that an index serves, so the page costs the same at a
thousand orders or millions.

- today's orders by channel: ``ix_orders_created`` (today's range), grouped;
- open orders by status, holds by reason: ``ix_orders_status_created`` (open states);
- backorders: open orders (``ix_orders_status_created``) joined to their lines
  (``uq_order_lines_order_line_no``);
- dispatches due: ``ix_orders_fulfilment_created`` (open fulfilment states), then the
  promised dispatch date;
- overdue invoices: ``ix_invoices_status_due`` (open states, due before today);
- perfect order: the deliveries of the last weeks (``ix_shipments_delivered``), through
  the KPI facts of ordersmith.fulfillment (two statements);
- sales trend: ``ix_orders_created`` over eight weeks, grouped by week and currency;
- low stock: ``stock_levels`` (one row per SKU and warehouse, not per order).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlencode

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.auth.permissions import Permission
from ordersmith.billing.models import Invoice, InvoiceStatus
from ordersmith.catalog.models import Product
from ordersmith.dashboard.views import (
    Amount,
    Backorders,
    Count,
    Dashboard,
    DispatchesDue,
    LowStock,
    LowStockWidget,
    OverdueInvoices,
    PerfectOrderWeek,
    SalesWeek,
)
from ordersmith.db import Fixed, table_of
from ordersmith.fulfillment.kpi_facts import BUSINESS_TZ, gather_facts, shipped_ids
from ordersmith.fulfillment.kpi_report import OPEN_FULFILMENT
from ordersmith.fulfillment.kpis import perfect_order_report
from ordersmith.inventory.models import StockLevel, Warehouse
from ordersmith.orders.models import Order, OrderLine
from ordersmith.orders.status import OrderStatus

SALES_WEEKS = 8
PERFECT_ORDER_WEEKS = 6
LOW_STOCK_SHOWN = 10
OPEN_ORDER_STATUSES = (
    OrderStatus.DRAFT.value,
    OrderStatus.PLACED.value,
    OrderStatus.CONFIRMED.value,
    OrderStatus.ON_HOLD.value,
)
RESERVING = (OrderStatus.PLACED.value, OrderStatus.CONFIRMED.value, OrderStatus.ON_HOLD.value)
NOT_SALES = (OrderStatus.DRAFT.value, OrderStatus.CANCELLED.value)
OPEN_INVOICES = (InvoiceStatus.ISSUED.value, InvoiceStatus.PARTIALLY_PAID.value)
P = Permission


def orders_link(**params: object) -> str:
    """The orders list filtered by ``params`` (empty values left out)."""
    query = urlencode({k: str(v) for k, v in params.items() if v not in (None, "")})
    return f"/orders?{query}" if query else "/orders"


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=BUSINESS_TZ)


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def dashboard(
    session: Session, today: date, *, allowed: frozenset[Permission] | None = None
) -> Dashboard:
    """Every widget ``allowed`` lets the reader see (all of them without ``allowed``)."""

    def may(permission: Permission) -> bool:
        return allowed is None or permission in allowed

    orders = may(P.ORDERS_READ)
    fulfilment = may(P.FULFILMENT_READ)
    return Dashboard(
        today=today,
        orders_today=orders_today(session, today) if orders else None,
        open_orders=open_orders(session) if orders else None,
        on_hold=on_hold(session) if orders else None,
        backorders=backorders(session) if orders else None,
        low_stock=low_stock(session) if may(P.INVENTORY_READ) else None,
        dispatches_due=dispatches_due(session, today) if fulfilment else None,
        overdue_invoices=overdue_invoices(session, today) if may(P.BILLING_READ) else None,
        perfect_order=perfect_order_weeks(session, today) if fulfilment else None,
        sales_trend=sales_trend(session, today) if orders else None,
    )


def orders_today(session: Session, today: date) -> list[Count]:
    """Orders placed today (drafts are not orders yet), per channel, most first."""
    orders = table_of(Order)
    rows = session.execute(
        sa.select(orders.c.channel, sa.func.count())
        .where(
            orders.c.created_at >= day_start(today),
            orders.c.created_at < day_start(today + timedelta(days=1)),
            orders.c.status != OrderStatus.DRAFT.value,
        )
        .group_by(orders.c.channel)
    ).all()
    day = today.isoformat()
    counts = [
        Count(str(channel), n, orders_link(channel=channel, created_from=day, created_to=day))
        for channel, n in rows
    ]
    return sorted(counts, key=lambda c: (-c.count, c.key))


def open_orders(session: Session) -> list[Count]:
    """Open orders per status, in lifecycle order (a status with none is shown as 0)."""
    orders = table_of(Order)
    rows = session.execute(
        sa.select(orders.c.status, sa.func.count())
        .where(orders.c.status.in_(OPEN_ORDER_STATUSES))
        .group_by(orders.c.status)
    ).all()
    found = {str(status): int(n) for status, n in rows}
    return [
        Count(status, found.get(status, 0), orders_link(status=status))
        for status in OPEN_ORDER_STATUSES
    ]


def on_hold(session: Session) -> list[Count]:
    """Orders on hold per reason, most first."""
    orders = table_of(Order)
    rows = session.execute(
        sa.select(orders.c.hold_reason, sa.func.count())
        .where(orders.c.status == OrderStatus.ON_HOLD.value)
        .group_by(orders.c.hold_reason)
    ).all()
    counts = [
        Count(str(reason or "unknown"), n, orders_link(status="on_hold", hold_reason=reason))
        for reason, n in rows
    ]
    return sorted(counts, key=lambda c: (-c.count, c.key))


def backorders(session: Session) -> Backorders:
    """Lines of open orders still waiting for stock: orders, lines and units."""
    orders, lines = table_of(Order), table_of(OrderLine)
    row = session.execute(
        sa.select(
            sa.func.count(sa.distinct(lines.c.order_id)),
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(lines.c.backordered_quantity), 0),
        )
        .select_from(orders)
        .join(lines, lines.c.order_id == orders.c.id)
        .where(orders.c.status.in_(RESERVING), lines.c.backordered_quantity > 0)
    ).one()
    return Backorders(int(row[0]), int(row[1]), int(row[2]), orders_link(backordered="1"))


def low_stock(session: Session, *, shown: int = LOW_STOCK_SHOWN) -> LowStockWidget:
    """(SKU, warehouse) pairs with a reorder point whose available stock is at or below
    it: how many, and the ones furthest below first."""
    levels, products, warehouses = table_of(StockLevel), table_of(Product), table_of(Warehouse)
    available = levels.c.on_hand - levels.c.reserved
    low = sa.and_(levels.c.reorder_point > 0, available <= levels.c.reorder_point)
    count = session.scalar(sa.select(sa.func.count()).select_from(levels).where(low)) or 0
    rows = session.execute(
        sa.select(
            products.c.sku,
            products.c.name,
            warehouses.c.code,
            levels.c.on_hand,
            available,
            levels.c.reorder_point,
        )
        .join(products, products.c.id == levels.c.product_id)
        .join(warehouses, warehouses.c.id == levels.c.warehouse_id)
        .where(low)
        .order_by((available - levels.c.reorder_point), products.c.sku, warehouses.c.code)
        .limit(shown)
    ).all()
    items = [
        LowStock(sku, name, code, int(on_hand), int(avail), int(rop), f"/inventory/{quote(sku)}")
        for sku, name, code, on_hand, avail, rop in rows
    ]
    return LowStockWidget(int(count), items)


def dispatches_due(session: Session, today: date) -> DispatchesDue:
    """Orders promised to leave today (or earlier) that have not fully left."""
    orders = table_of(Order)
    count = session.scalar(
        sa.select(sa.func.count()).where(
            orders.c.fulfilment_status.in_(OPEN_FULFILMENT),
            orders.c.status.in_(RESERVING),
            orders.c.promised_dispatch_date <= today,
        )
    )
    return DispatchesDue(today, int(count or 0), orders_link(dispatch_due=today.isoformat()))


def overdue_invoices(session: Session, today: date) -> OverdueInvoices:
    """Invoices due before today with a balance left: how many, and the balance per
    currency (the ``overdue`` of ordersmith.billing.queries)."""
    invoices = table_of(Invoice)
    balance = invoices.c.total - invoices.c.amount_paid - invoices.c.amount_credited
    rows = session.execute(
        sa.select(
            invoices.c.currency,
            sa.func.count(),
            sa.type_coerce(sa.func.sum(balance), Fixed(4)),
        )
        .where(
            invoices.c.status.in_(OPEN_INVOICES),
            invoices.c.due_date < today,
            balance > 0,
        )
        .group_by(invoices.c.currency)
        .order_by(invoices.c.currency)
    ).all()
    return OverdueInvoices(
        count=sum(int(n) for _, n, _ in rows),
        amounts=[Amount(currency, Decimal(total)) for currency, _, total in rows],
    )


def perfect_order_weeks(
    session: Session, today: date, *, weeks: int = PERFECT_ORDER_WEEKS
) -> list[PerfectOrderWeek]:
    """The perfect-order rate and its components for each of the last ``weeks`` weeks
    (this one included), over the orders delivered in each (the KPI report's rule)."""
    first = week_start(today) - timedelta(weeks=weeks - 1)
    start, end = day_start(first), day_start(today + timedelta(days=1))
    facts = gather_facts(session, shipped_ids("delivered_at", start, end))
    buckets: dict[date, list[Any]] = {first + timedelta(weeks=i): [] for i in range(weeks)}
    for f in facts:
        if f.delivered_at is None or not start <= f.delivered_at < end:
            continue
        buckets[week_start(f.delivered_at.astimezone(BUSINESS_TZ).date())].append(f)
    result = []
    for monday, measured in buckets.items():
        report = perfect_order_report(measured)
        result.append(
            PerfectOrderWeek(
                week_start=monday,
                orders=report.orders,
                perfect=report.perfect,
                rate=report.rate,
                components={c.name: c.rate for c in report.components},
            )
        )
    return result


def sales_trend(session: Session, today: date, *, weeks: int = SALES_WEEKS) -> list[SalesWeek]:
    """Orders placed and their value per currency in each of the last ``weeks`` weeks
    (this one included); drafts and cancelled orders are not sales."""
    orders = table_of(Order)
    mondays = [week_start(today) - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]
    bucket = sa.case(
        *((orders.c.created_at >= day_start(m), i) for i, m in reversed(list(enumerate(mondays)))),
        else_=-1,
    ).label("week")
    rows = session.execute(
        sa.select(
            bucket,
            orders.c.currency,
            sa.func.count(),
            sa.type_coerce(sa.func.sum(orders.c.total), Fixed(4)),
        )
        .where(
            orders.c.created_at >= day_start(mondays[0]),
            orders.c.created_at < day_start(today + timedelta(days=1)),
            orders.c.status.not_in(NOT_SALES),
        )
        .group_by(bucket, orders.c.currency)
    ).all()
    counts: dict[int, int] = {}
    amounts: dict[int, list[Amount]] = {}
    for week, currency, n, total in sorted(rows, key=lambda r: (r[0], r[1])):
        counts[week] = counts.get(week, 0) + int(n)
        amounts.setdefault(week, []).append(Amount(currency, Decimal(total)))
    result = []
    for i, monday in enumerate(mondays):
        last = min(monday + timedelta(days=6), today)
        link = orders_link(created_from=monday.isoformat(), created_to=last.isoformat())
        result.append(SalesWeek(monday, counts.get(i, 0), amounts.get(i, []), link))
    return result
