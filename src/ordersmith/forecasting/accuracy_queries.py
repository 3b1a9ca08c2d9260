"""The accuracy of a stored run, per series and overall (``ordersmith forecast backtest``,
``GET /forecasts/runs/{id}/accuracy``).

Reads what the run stored (ordersmith.forecasting.accuracy): per series the selection
rule's and the baseline's MASE and WAPE on backtest weeks the rule had not seen, and
the run's summary. No statistics are computed here (the server never loads numpy);
the subtotal of a filtered list is added up in Decimal from the stored sums.
"""

from __future__ import annotations

import statistics
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.catalog.models import Product
from ordersmith.db import table_of
from ordersmith.forecasting.errors import ForecastAccuracyUnavailable, ForecastRunNotFound
from ordersmith.forecasting.models import ForecastRun, ForecastRunStatus, ForecastSeries
from ordersmith.inventory.models import Warehouse
from ordersmith.validation import matchable

PLACES = Decimal("0.0001")
NOT_EVALUATED = "not_evaluated"


@dataclass(frozen=True, slots=True)
class AccuracyRow:
    sku: str
    warehouse: str
    demand_class: str
    model: str  # the model the run chose for the forecast
    method: str  # backtest or fallback
    baseline: str | None
    windows: int  # evaluated backtest windows (0: not evaluated)
    mase: Decimal | None
    wape: Decimal | None
    baseline_mase: Decimal | None
    baseline_wape: Decimal | None
    verdict: str  # better, same, worse, or not_evaluated
    actual: Decimal | None
    abs_error: Decimal | None
    baseline_abs_error: Decimal | None


@dataclass(frozen=True, slots=True)
class Subtotal:
    """The same figures over the rows listed (for a filtered list)."""

    series: int
    evaluated: int
    mase_mean: Decimal | None
    mase_median: Decimal | None
    wape: Decimal | None
    baseline_mase_mean: Decimal | None
    baseline_mase_median: Decimal | None
    baseline_wape: Decimal | None


@dataclass(frozen=True, slots=True)
class RunAccuracy:
    run_id: uuid.UUID
    started_at: datetime
    horizon_weeks: int
    overall: dict[str, Any]  # the stored summary (accuracy.Summary.as_json())
    rows: list[AccuracyRow]


def _decimal(value: Any) -> Decimal | None:
    return Decimal(value) if value is not None else None


def latest_completed_run(session: Session) -> uuid.UUID:
    runs = table_of(ForecastRun)
    found: uuid.UUID | None = session.scalar(
        sa.select(runs.c.id)
        .where(runs.c.status == ForecastRunStatus.COMPLETED.value)
        .order_by(runs.c.started_at.desc(), runs.c.id.desc())
        .limit(1)
    )
    if found is None:
        raise ForecastRunNotFound("no completed forecast run yet: run `ordersmith forecast run`")
    return found


def run_accuracy(
    session: Session,
    run_id: uuid.UUID,
    *,
    skus: Collection[str] = (),
    after: tuple[str, str] | None = None,
    limit: int | None = None,
) -> RunAccuracy:
    """A completed run's accuracy: its summary and its series by SKU then warehouse
    (only ``skus`` if given; keyset-paginated on (sku, warehouse code))."""
    runs = table_of(ForecastRun)
    head = session.execute(
        sa.select(
            runs.c.id, runs.c.status, runs.c.started_at, runs.c.horizon_weeks, runs.c.accuracy
        ).where(runs.c.id == run_id)
    ).one_or_none()
    if head is None:
        raise ForecastRunNotFound(f"no forecast run {run_id}")
    if head.status != ForecastRunStatus.COMPLETED.value:
        raise ForecastAccuracyUnavailable(
            f"forecast run {run_id} is {head.status}: only a completed run has an accuracy",
            extra={"status": str(head.status)},
        )
    if head.accuracy is None:
        raise ForecastAccuracyUnavailable(
            f"forecast run {run_id} was made before accuracy was recorded: run a new one",
            extra={"status": str(head.status)},
        )
    series, products, warehouses = (
        table_of(ForecastSeries),
        table_of(Product),
        table_of(Warehouse),
    )
    query = (
        sa.select(
            products.c.sku,
            warehouses.c.code,
            series.c.demand_class,
            series.c.model,
            series.c.method,
            series.c.accuracy,
        )
        .join(products, products.c.id == series.c.product_id)
        .join(warehouses, warehouses.c.id == series.c.warehouse_id)
        .where(series.c.run_id == run_id)
        .order_by(products.c.sku, warehouses.c.code)
    )
    if skus:
        query = query.where(products.c.sku.in_(sorted({s for s in skus if matchable(s)})))
    if after is not None and not matchable(*after):
        after = ("\uffff", "")  # a cursor we never made: nothing after it
    if after is not None:
        query = query.where(sa.tuple_(products.c.sku, warehouses.c.code) > sa.tuple_(*after))
    if limit is not None:
        query = query.limit(limit)
    rows = [_row(*r) for r in session.execute(query)]
    return RunAccuracy(head.id, head.started_at, head.horizon_weeks, head.accuracy, rows)


def _row(
    sku: str, code: str, demand_class: Any, model: str, method: Any, found: Any
) -> AccuracyRow:
    a: dict[str, Any] = found or {}
    return AccuracyRow(
        sku=sku,
        warehouse=code,
        demand_class=str(demand_class),
        model=model,
        method=str(method),
        baseline=a.get("baseline"),
        windows=int(a.get("windows", 0)),
        mase=_decimal(a.get("mase")),
        wape=_decimal(a.get("wape")),
        baseline_mase=_decimal(a.get("baseline_mase")),
        baseline_wape=_decimal(a.get("baseline_wape")),
        verdict=a.get("verdict", NOT_EVALUATED),
        actual=_decimal(a.get("actual")),
        abs_error=_decimal(a.get("abs_error")),
        baseline_abs_error=_decimal(a.get("baseline_abs_error")),
    )


def subtotal(rows: Collection[AccuracyRow]) -> Subtotal:
    """MASE mean and median and pooled WAPE over ``rows`` (from the stored sums)."""
    evaluated = [r for r in rows if r.verdict != NOT_EVALUATED and r.actual is not None]
    actual = sum((r.actual for r in evaluated if r.actual is not None), Decimal(0))

    def pooled(errors: list[Decimal | None]) -> Decimal | None:
        known = [e for e in errors if e is not None]
        if not actual or not known:
            return None
        return (sum(known, Decimal(0)) / actual).quantize(PLACES, ROUND_HALF_UP)

    def centre(values: list[Decimal | None], median: bool) -> Decimal | None:
        known = [v for v in values if v is not None]
        if not known:
            return None
        value = statistics.median(known) if median else sum(known, Decimal(0)) / len(known)
        return Decimal(value).quantize(PLACES, ROUND_HALF_UP)

    return Subtotal(
        series=len(rows),
        evaluated=len(evaluated),
        mase_mean=centre([r.mase for r in evaluated], False),
        mase_median=centre([r.mase for r in evaluated], True),
        wape=pooled([r.abs_error for r in evaluated]),
        baseline_mase_mean=centre([r.baseline_mase for r in evaluated], False),
        baseline_mase_median=centre([r.baseline_mase for r in evaluated], True),
        baseline_wape=pooled([r.baseline_abs_error for r in evaluated]),
    )
