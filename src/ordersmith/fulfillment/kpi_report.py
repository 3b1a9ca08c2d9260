"""The fulfilment KPI report over a window of days (ordersmith.fulfillment.kpis computes,
ordersmith.fulfillment.kpi_facts gathers the facts).

A window is whole days in the business's time zone, ``date_from`` to ``date_to`` both
included, at most ``MAX_WINDOW_DAYS`` long; each KPI measures its own population of
orders in it (``KpiReport``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.db import table_of
from ordersmith.errors import FieldError, ValidationFailed
from ordersmith.fulfillment.kpi_facts import (
    BUSINESS_TZ,
    gather_facts,
    inside,
    placed_ids,
    shipped_ids,
)
from ordersmith.fulfillment.kpis import (
    ComponentRate,
    CycleTimes,
    FillRates,
    OrderFacts,
    PerfectOrderReport,
    cycle_times,
    fill_rate,
    on_time_dispatch_rate,
    perfect_order_report,
)
from ordersmith.fulfillment.progress import FulfilmentStatus
from ordersmith.orders.models import Order

MAX_WINDOW_DAYS = 366
DEFAULT_WINDOW_DAYS = 30
OPEN_FULFILMENT = (
    FulfilmentStatus.ALLOCATED.value,
    FulfilmentStatus.BACKORDERED.value,
    FulfilmentStatus.PARTIALLY_SHIPPED.value,
)


@dataclass(frozen=True, slots=True)
class KpiReport:
    """The fulfilment KPIs over the days ``date_from`` to ``date_to`` (both included).

    - ``perfect_order``: orders DELIVERED in the window;
    - ``fill_rates``: orders whose first shipment was DISPATCHED in the window;
    - ``on_time_dispatch``: orders whose last unit left in the window, plus orders whose
      promised dispatch date is in the window and that are still not fully dispatched
      (late already when that date is before ``as_of``);
    - ``cycle_times``: orders PLACED in the window.
    """

    date_from: date
    date_to: date
    as_of: date
    perfect_order: PerfectOrderReport
    fill_rates: FillRates
    cycle_times: CycleTimes
    on_time_dispatch: ComponentRate


# --- windows -----------------------------------------------------------------------------


EARLIEST_DAY, LATEST_DAY = date(1970, 1, 1), date(9998, 12, 31)


def day_start(day: date) -> datetime:
    """Midnight at the start of ``day`` in the business's time zone."""
    return datetime.combine(day, time.min, tzinfo=BUSINESS_TZ)


def default_window(
    date_from: date | None, date_to: date | None, *, today: date
) -> tuple[date, date]:
    """The window a caller meant: ``to`` defaults to today, ``from`` to the 30 days
    ending at ``to``. Days outside EARLIEST_DAY..LATEST_DAY are refused (422), so
    date arithmetic at the calendar's edges never overflows."""
    for name, day in (("from", date_from), ("to", date_to)):
        if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
            raise ValidationFailed(
                f"{name} {day} is outside {EARLIEST_DAY}..{LATEST_DAY}",
                fields=[FieldError(name, f"from {EARLIEST_DAY} to {LATEST_DAY}")],
            )
    end = date_to or today
    return date_from or end - timedelta(days=DEFAULT_WINDOW_DAYS - 1), end


def check_window(date_from: date, date_to: date) -> None:
    if date_from > date_to:
        raise ValidationFailed(
            f"the window starts ({date_from}) after it ends ({date_to})",
            fields=[FieldError("from", "must be on or before to")],
        )
    days = (date_to - date_from).days + 1
    if days > MAX_WINDOW_DAYS:
        raise ValidationFailed(
            f"the window has {days} days; at most {MAX_WINDOW_DAYS} are reported at once",
            code="window_too_long",
            fields=[FieldError("to", f"at most {MAX_WINDOW_DAYS} days from 'from'")],
        )


def _due_ids(first: date, last: date) -> sa.Select[Any]:
    """Open orders (not fully dispatched) promised to leave from ``first`` to ``last``."""
    orders = table_of(Order)
    return sa.select(orders.c.id.label("order_id")).where(
        orders.c.fulfilment_status.in_(OPEN_FULFILMENT),
        orders.c.promised_dispatch_date >= first,
        orders.c.promised_dispatch_date <= last,
    )


# --- the report --------------------------------------------------------------------------


def kpi_report(session: Session, *, date_from: date, date_to: date, as_of: date) -> KpiReport:
    """Every fulfilment KPI over the days ``date_from``..``date_to`` (see ``KpiReport``
    for which orders each one measures). One pass: the orders of all four populations
    are gathered together, then sorted into them."""
    check_window(date_from, date_to)
    start, end = day_start(date_from), day_start(date_to + timedelta(days=1))
    candidates = sa.union(
        placed_ids(start, end),
        shipped_ids("dispatched_at", start, end),
        shipped_ids("delivered_at", start, end),
        _due_ids(date_from, date_to),
    )
    facts = gather_facts(session, candidates)

    def still_due(f: OrderFacts) -> bool:
        promise = f.promised_dispatch_date
        return (
            f.fully_dispatched_at is None
            and promise is not None
            and date_from <= promise <= date_to
        )

    return KpiReport(
        date_from=date_from,
        date_to=date_to,
        as_of=as_of,
        perfect_order=perfect_order_report(
            [f for f in facts if inside(f.delivered_at, start, end)]
        ),
        fill_rates=fill_rate([f for f in facts if inside(f.dispatched_at, start, end)]),
        cycle_times=cycle_times([f for f in facts if inside(f.placed_at, start, end)]),
        on_time_dispatch=on_time_dispatch_rate(
            [f for f in facts if inside(f.fully_dispatched_at, start, end) or still_due(f)],
            as_of=as_of,
        ),
    )
