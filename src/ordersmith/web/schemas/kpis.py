"""Fulfilment KPI response models: rates as decimal strings ("0.4286"), durations in seconds."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field, PlainSerializer

from ordersmith.fulfillment.kpi_report import KpiReport
from ordersmith.fulfillment.kpis import ComponentRate, Percentiles

MAX_FAILING = 500


def _rate_str(value: Decimal) -> str:
    return f"{value:f}"


RateStr = Annotated[Decimal, PlainSerializer(_rate_str, return_type=str, when_used="json")]
"""A rate with four places as a string (``"0.4286"``); null when nothing was measured."""


def _seconds(value: timedelta | None) -> int | None:
    return None if value is None else value // timedelta(seconds=1)


class ComponentOut(BaseModel):
    name: str
    passed: int
    total: int
    rate: RateStr | None

    @classmethod
    def of(cls, c: ComponentRate) -> ComponentOut:
        return cls(name=c.name, passed=c.passed, total=c.total, rate=c.rate)


class FailingOrderOut(BaseModel):
    order_id: uuid.UUID
    number: str
    reasons: list[str] = Field(
        description="split_shipment, short_shipped, over_shipped, backordered, short_picked, "
        "late_by_<n>_day(s), damaged, missing_<document>, document_corrected"
    )


class FillRateOut(BaseModel):
    orders: int = Field(description="orders whose first shipment left in the window")
    orders_filled: int
    order_fill_rate: RateStr | None
    units_ordered: int
    units_filled: int
    unit_fill_rate: RateStr | None


class PercentilesOut(BaseModel):
    count: int
    median_seconds: int | None
    p90_seconds: int | None

    @classmethod
    def of(cls, p: Percentiles) -> PercentilesOut:
        return cls(count=p.count, median_seconds=_seconds(p.median), p90_seconds=_seconds(p.p90))


class CycleTimesOut(BaseModel):
    placed_to_first_dispatch: PercentilesOut = Field(description="orders placed in the window")
    placed_to_delivery: PercentilesOut


class OnTimeDispatchOut(BaseModel):
    passed: int
    total: int
    rate: RateStr | None


class PerfectOrderOut(BaseModel):
    """The perfect-order rate over orders delivered in the window, with the other
    fulfilment KPIs of the same window (docs/kpis.md)."""

    date_from: date = Field(serialization_alias="from")
    date_to: date = Field(serialization_alias="to")
    as_of: date = Field(
        description="orders still waiting after their promised dispatch date "
        "on this day count as dispatched late"
    )
    orders: int = Field(description="orders delivered in the window")
    perfect: int
    rate: RateStr | None
    components: list[ComponentOut]
    failing: list[FailingOrderOut] = Field(description=f"at most {MAX_FAILING}, in order placed")
    failing_count: int
    no_promise: int = Field(description="delivered orders counted on time for want of a promise")
    fill_rate: FillRateOut
    cycle_times: CycleTimesOut
    on_time_dispatch: OnTimeDispatchOut

    @classmethod
    def of(cls, report: KpiReport, *, max_failing: int = MAX_FAILING) -> PerfectOrderOut:
        perfect, fill, cycle = report.perfect_order, report.fill_rates, report.cycle_times
        return cls(
            date_from=report.date_from,
            date_to=report.date_to,
            as_of=report.as_of,
            orders=perfect.orders,
            perfect=perfect.perfect,
            rate=perfect.rate,
            components=[ComponentOut.of(c) for c in perfect.components],
            failing=[
                FailingOrderOut(order_id=f.order_id, number=f.number, reasons=list(f.reasons))
                for f in perfect.failing[:max_failing]
            ],
            failing_count=len(perfect.failing),
            no_promise=perfect.no_promise,
            fill_rate=FillRateOut(
                orders=fill.orders,
                orders_filled=fill.orders_filled,
                order_fill_rate=fill.order_fill_rate,
                units_ordered=fill.units_ordered,
                units_filled=fill.units_filled,
                unit_fill_rate=fill.unit_fill_rate,
            ),
            cycle_times=CycleTimesOut(
                placed_to_first_dispatch=PercentilesOut.of(cycle.placed_to_first_dispatch),
                placed_to_delivery=PercentilesOut.of(cycle.placed_to_delivery),
            ),
            on_time_dispatch=OnTimeDispatchOut(
                passed=report.on_time_dispatch.passed,
                total=report.on_time_dispatch.total,
                rate=report.on_time_dispatch.rate,
            ),
        )
