"""Fulfilment KPIs: the perfect-order rate with fill rates, cycle times, on-time dispatch."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.auth.services import Principal
from ordersmith.fulfillment.kpi_report import default_window, kpi_report
from ordersmith.web.deps import DbDep, require
from ordersmith.web.schemas.kpis import PerfectOrderOut

router = APIRouter(tags=["kpis"])
Reader = Annotated[Principal, Depends(require(Permission.ORDERS_READ))]


@router.get("/kpis/perfect-order", response_model=PerfectOrderOut)
def perfect_order(
    db: DbDep,
    _: Reader,
    date_from: Annotated[
        date | None,
        Query(alias="from", description="first day (YYYY-MM-DD, UTC); default: 29 days before to"),
    ] = None,
    date_to: Annotated[
        date | None, Query(alias="to", description="last day, included; default: today")
    ] = None,
) -> PerfectOrderOut:
    """The perfect-order rate over the orders delivered from `from` to `to` (both
    included, at most 366 days: more is `422 window_too_long`): complete, on time, damage free and
    correctly documented, each component's rate, and the failing orders with their
    reasons (the first 500; `failing_count` has them all). The same window gives the
    order and unit fill rates (first shipment left in the window), the cycle times
    (placed in the window; median and p90 in seconds) and the on-time dispatch rate
    (orders still waiting after their promised dispatch date count as late as of
    today). Rates are decimal strings, `null` when nothing was measured."""
    today = clock.today()
    start, end = default_window(date_from, date_to, today=today)
    with db.reader() as session:
        report = kpi_report(session, date_from=start, date_to=end, as_of=today)
    return PerfectOrderOut.of(report)
