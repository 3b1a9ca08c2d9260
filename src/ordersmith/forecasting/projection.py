"""Projected stock of a SKU at a warehouse, week by week over the next quarter.

``project`` is pure Decimal arithmetic; ``projections`` reads its inputs for the latest
forecasts of one product. Week 1 is the current week (Monday, UTC), then 12 more:

    start           = available (on hand - reserved) - backordered, today
    opening(1)      = start;  opening(w + 1) = closing(w)
    receipts(w)     = units on open purchase order lines expected in week w; lines
                      already overdue count in week 1, and so do units in transit on
                      transfers to the warehouse (a transfer has no expected date)
    demand(w)       = the forecast mean of week w; week 1 only for the days left of it,
                      today included (what was ordered earlier this week is already
                      reserved or backordered); weeks past the forecast at its average
    closing(w)      = opening(w) + receipts(w) - demand(w)

The **stock-out week** is the first whose closing is below 0; its **date** is estimated
with the demand spread evenly over the week's days and that week's receipts arriving at
its start (today, in week 1, if the start is already short). The first week closing
below the safety stock (the run's buffer) is the **below-safety-stock week**: when
stock dips into the buffer. Nothing new is assumed to be ordered: the recommended order
is what would prevent it. Receipts expected after the last week are counted apart.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.orm import Session

from ordersmith.forecasting.demand import WEEK, monday_of
from ordersmith.forecasting.queries import ForecastView
from ordersmith.forecasting.supply import stock_positions
from ordersmith.inventory.transfer_queries import in_transit
from ordersmith.purchasing.queries import expected_receipts

WEEKS = 13
DAYS = 7
PLACES = Decimal("0.01")
ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class ProjectedWeek:
    week_start: date
    opening: Decimal
    receipts: int
    demand: Decimal
    closing: Decimal
    below_safety_stock: bool
    stock_out: bool  # closing below 0


@dataclass(frozen=True, slots=True)
class Projection:
    today: date
    available: int
    backordered: int
    in_transit: int
    safety_stock: int
    weeks: tuple[ProjectedWeek, ...]
    receipts_later: int  # expected after the last projected week
    stock_out_week: date | None
    stock_out_date: date | None
    below_safety_stock_week: date | None

    @property
    def start(self) -> int:
        return self.available - self.backordered


def _q(value: Decimal) -> Decimal:
    return value.quantize(PLACES, rounding=ROUND_HALF_UP)


def project(
    *,
    today: date,
    available: int,
    backordered: int,
    receipts: Sequence[tuple[date, int]],
    in_transit: int = 0,
    forecast: Sequence[tuple[date, Decimal]],
    safety_stock: int,
    weeks: int = WEEKS,
) -> Projection:
    """The week-by-week projection (module docstring); ``receipts`` are (expected date,
    units), ``forecast`` (week start, mean)."""
    first = monday_of(today)
    days_left = DAYS - today.weekday()
    means = {week: mean for week, mean in forecast}
    average = sum(means.values(), ZERO) / len(means) if means else ZERO
    arriving: dict[date, int] = {}
    later = 0
    last = first + (weeks - 1) * WEEK
    for day, units in receipts:
        week = max(first, monday_of(day))
        if week > last:
            later += units
        else:
            arriving[week] = arriving.get(week, 0) + units
    arriving[first] = arriving.get(first, 0) + in_transit
    rows: list[ProjectedWeek] = []
    opening = _q(Decimal(available - backordered))
    stock_out_week = stock_out_date = below = None
    for i in range(weeks):
        week = first + i * WEEK
        mean = means.get(week, average)
        demand = _q(mean * days_left / DAYS) if i == 0 else _q(mean)
        came = arriving.get(week, 0)
        closing = opening + came - demand
        row = ProjectedWeek(
            week, opening, came, demand, closing, closing < safety_stock, closing < 0
        )
        rows.append(row)
        if row.below_safety_stock and below is None:
            below = week
        if row.stock_out and stock_out_week is None:
            stock_out_week = week
            begins = today if i == 0 else week
            stock_out_date = begins + _days_covered(
                opening + came, demand, days_left if i == 0 else DAYS
            )
        opening = closing
    return Projection(
        today=today,
        available=available,
        backordered=backordered,
        in_transit=in_transit,
        safety_stock=safety_stock,
        weeks=tuple(rows),
        receipts_later=later,
        stock_out_week=stock_out_week,
        stock_out_date=stock_out_date,
        below_safety_stock_week=below,
    )


def _days_covered(stock: Decimal, demand: Decimal, days: int) -> timedelta:
    """Whole days the stock lasts with the demand spread over ``days`` days."""
    if stock <= 0 or demand <= 0:
        return timedelta(0)
    return timedelta(days=min(days - 1, math.floor(stock * days / demand)))


def projections(
    session: Session, forecasts: Sequence[ForecastView], *, today: date
) -> dict[uuid.UUID, Projection]:
    """The projection of each latest forecast of one product, by warehouse id: three
    statements (stock, purchase order lines, transfers) whatever the warehouses."""
    if not forecasts:
        return {}
    product_id, sku = forecasts[0].product_id, forecasts[0].sku
    keys = [(f.warehouse_id, product_id) for f in forecasts]
    positions = stock_positions(session, keys)
    coming: dict[uuid.UUID, list[tuple[date, int]]] = {}
    for r in expected_receipts(
        session, product_ids=[product_id], warehouse_ids=[f.warehouse_id for f in forecasts]
    ):
        coming.setdefault(r.warehouse_id, []).append((r.expected_date, r.quantity))
    travelling = {t.warehouse_id: t.quantity for t in in_transit(session, sku=sku)}
    found = {}
    for f in forecasts:
        position = positions[(f.warehouse_id, product_id)]
        found[f.warehouse_id] = project(
            today=today,
            available=position.available,
            backordered=position.backordered,
            receipts=coming.get(f.warehouse_id, []),
            in_transit=travelling.get(f.warehouse_id, 0),
            forecast=[(p.week_start, p.mean) for p in f.points],
            safety_stock=f.safety_stock,
        )
    return found
