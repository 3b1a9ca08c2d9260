"""Return analytics: how much comes back, by SKU, reason, customer or supplier.

Over a window of whole days (``date_from``..``date_to``, both included, UTC, at most a
year, as the fulfilment KPIs):

- units returned: the units on return lines of returns **requested** in the window that
  were not rejected or cancelled — what arrived once the goods are back, what was asked
  for before (``eligibility.claimed_quantity``);
- units delivered: the units of shipments that **reached the customer** in the window —
  their delivery scan, else their dispatch for a carrier without scans
  (``eligibility.delivered_time``), cancelled shipments excluded;
- return rate = returned / delivered, four places, half up (``fulfillment.kpis.ratio``),
  ``None`` when nothing was delivered.

Rates are per period, as shops report them: a unit delivered in March and returned in
April counts in each month's own figure. ``by``: ``sku``; ``customer``; ``supplier``
(the product's preferred supplier, "no preferred supplier" when it has none); ``reason``
(each reason's units over all units delivered, so the reasons' rates add up to the
overall rate). Rows are the keys with units returned, most returned first. Two grouped
statements whatever the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.catalog.models import Product
from ordersmith.customers.models import Customer
from ordersmith.db import table_of
from ordersmith.fulfillment.kpi_report import check_window, day_start
from ordersmith.fulfillment.kpis import ratio
from ordersmith.purchasing.models import Supplier, SupplierProduct
from ordersmith.returns.eligibility import claimed_quantity
from ordersmith.returns.models import Return, ReturnLine
from ordersmith.returns.status import VOID
from ordersmith.shipping.models import Shipment, ShipmentLine
from ordersmith.shipping.status import ShipmentStatus

NO_SUPPLIER = "(no preferred supplier)"


class AnalyticsBy(StrEnum):
    SKU = "sku"
    REASON = "reason"
    CUSTOMER = "customer"
    SUPPLIER = "supplier"


@dataclass(frozen=True, slots=True)
class ReturnRateRow:
    key: str
    """The SKU, reason, customer number or supplier code."""
    label: str
    """The product's, customer's or supplier's name ("" for a reason)."""
    returns: int
    units_returned: int
    units_delivered: int
    return_rate: Decimal | None


@dataclass(frozen=True, slots=True)
class ReturnAnalytics:
    by: AnalyticsBy
    date_from: date
    date_to: date
    returns: int
    units_returned: int
    units_delivered: int
    return_rate: Decimal | None
    rows: list[ReturnRateRow]


def return_analytics(
    session: Session, *, by: AnalyticsBy, date_from: date, date_to: date
) -> ReturnAnalytics:
    check_window(date_from, date_to)
    start, end = day_start(date_from), day_start(date_to + timedelta(days=1))
    returned = _returned(session, by, start, end)
    delivered = _delivered(session, by, start, end)
    total_delivered = sum(delivered.values())
    rows = []
    for key, (label, count, units) in returned.items():
        out_of = total_delivered if by is AnalyticsBy.REASON else delivered.get(key, 0)
        rows.append(
            ReturnRateRow(
                key=key or NO_SUPPLIER,
                label=label or "",
                returns=count,
                units_returned=units,
                units_delivered=out_of,
                return_rate=ratio(units, out_of),
            )
        )
    rows.sort(key=lambda r: (-r.units_returned, r.key))
    units = sum(units for _label, _count, units in returned.values())
    return ReturnAnalytics(
        by=by,
        date_from=date_from,
        date_to=date_to,
        returns=_return_count(session, start, end),
        units_returned=units,
        units_delivered=total_delivered,
        return_rate=ratio(units, total_delivered),
        rows=rows,
    )


def _key_columns(by: AnalyticsBy, product_id: Any, customer_id: Any) -> tuple[Any, ...]:
    """What to join for ``by`` (products, customers or the preferred suppliers), the
    join's ON clause, the key column and the label column."""
    products, customers = table_of(Product), table_of(Customer)
    suppliers, offers = table_of(Supplier), table_of(SupplierProduct)
    if by is AnalyticsBy.SKU:
        return products, products.c.id == product_id, products.c.sku, products.c.name
    if by is AnalyticsBy.CUSTOMER:
        return customers, customers.c.id == customer_id, customers.c.number, customers.c.name
    preferred = (
        sa.select(offers.c.product_id, suppliers.c.code, suppliers.c.name)
        .join(suppliers, suppliers.c.id == offers.c.supplier_id)
        .where(offers.c.preferred.is_(True))
        .subquery("preferred")
    )
    return preferred, preferred.c.product_id == product_id, preferred.c.code, preferred.c.name


def _returned(
    session: Session, by: AnalyticsBy, start: Any, end: Any
) -> dict[str | None, tuple[str | None, int, int]]:
    """key -> (label, returns, units returned)."""
    returns, lines = table_of(Return), table_of(ReturnLine)
    base = sa.select().select_from(lines).join(returns, returns.c.id == lines.c.return_id)
    if by is AnalyticsBy.REASON:
        key, label = lines.c.reason, sa.literal("")
        query = base
    else:
        joined, on, key, label = _key_columns(by, lines.c.product_id, returns.c.customer_id)
        outer = by is AnalyticsBy.SUPPLIER
        query = base.join(joined, on, isouter=outer)
    rows = session.execute(
        query.add_columns(
            key.label("key"),
            sa.func.max(label).label("label"),
            sa.func.count(sa.distinct(returns.c.id)),
            sa.func.sum(claimed_quantity()),
        )
        .where(
            returns.c.created_at >= start,
            returns.c.created_at < end,
            returns.c.status.not_in([s.value for s in VOID]),
        )
        .group_by(key)
    )
    return {
        (str(k) if k is not None else None): (lbl, int(n), int(u or 0))
        for k, lbl, n, u in rows
        if int(u or 0) > 0
    }


def _delivered(session: Session, by: AnalyticsBy, start: Any, end: Any) -> dict[str | None, int]:
    """key -> units delivered in the window (one total under the key None for reasons)."""
    shipments, lines = table_of(Shipment), table_of(ShipmentLine)
    reached = sa.or_(
        sa.and_(shipments.c.delivered_at >= start, shipments.c.delivered_at < end),
        sa.and_(
            shipments.c.delivered_at.is_(None),
            shipments.c.dispatched_at >= start,
            shipments.c.dispatched_at < end,
        ),
    )
    query = (
        sa.select()
        .select_from(lines)
        .join(shipments, shipments.c.id == lines.c.shipment_id)
        .where(reached, shipments.c.status != ShipmentStatus.CANCELLED.value)
    )
    if by is AnalyticsBy.REASON:
        total = session.scalar(query.add_columns(sa.func.sum(lines.c.quantity)))
        return {None: int(total or 0)}
    joined, on, key, _label = _key_columns(by, lines.c.product_id, shipments.c.customer_id)
    query = query.join(joined, on, isouter=by is AnalyticsBy.SUPPLIER)
    rows = session.execute(query.add_columns(key, sa.func.sum(lines.c.quantity)).group_by(key))
    return {(str(k) if k is not None else None): int(u or 0) for k, u in rows}


def _return_count(session: Session, start: Any, end: Any) -> int:
    returns = table_of(Return)
    found = session.scalar(
        sa.select(sa.func.count()).where(
            returns.c.created_at >= start,
            returns.c.created_at < end,
            returns.c.status.not_in([s.value for s in VOID]),
        )
    )
    return int(found or 0)
