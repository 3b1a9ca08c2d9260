"""Forecast request and response models: quantities and statistics as decimal strings."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, Field

from ordersmith.forecasting.accuracy_queries import AccuracyRow, RunAccuracy, Subtotal
from ordersmith.forecasting.projection import Projection
from ordersmith.forecasting.queries import ForecastView, RunView, SeriesSummary
from ordersmith.forecasting.requests import MAX_FILTER, MAX_HORIZON
from ordersmith.web.schemas.common import DecimalStr, Input

Reference = Annotated[str, Field(min_length=1, max_length=64)]


class ForecastRunCreate(Input):
    horizon: int = Field(13, description=f"weeks ahead, 1 to {MAX_HORIZON}")
    skus: list[Reference] = Field(
        default_factory=list, max_length=MAX_FILTER, description="only these SKUs (default: all)"
    )
    warehouses: list[Reference] = Field(
        default_factory=list,
        max_length=MAX_FILTER,
        description="only these warehouse codes (default: every active warehouse)",
    )
    service_level: Decimal | None = Field(
        None,
        allow_inf_nan=False,
        description='e.g. "0.95" (0.5 to 0.999); default: ORDERSMITH_FORECAST_SERVICE_LEVEL',
    )


class ForecastRunOut(BaseModel):
    id: uuid.UUID
    status: str = Field(description="running, completed or failed")
    started_at: datetime
    finished_at: datetime | None
    horizon_weeks: int
    service_level: DecimalStr
    parameters: dict[str, Any] = Field(
        description="filters, history window, first forecast week, lead time, review period"
    )
    series_count: int
    actor: str
    note: str = Field(description="a summary, or why the run failed")

    @classmethod
    def of(cls, run: RunView) -> ForecastRunOut:
        return cls(
            id=run.id,
            status=run.status,
            started_at=run.started_at,
            finished_at=run.finished_at,
            horizon_weeks=run.horizon_weeks,
            service_level=run.service_level,
            parameters=run.parameters,
            series_count=run.series_count,
            actor=run.actor,
            note=run.note,
        )


class ForecastRunDetailOut(ForecastRunOut):
    models: dict[str, int] = Field(description="series per chosen model")
    demand_classes: dict[str, int] = Field(description="series per demand class")
    recommended_orders: int = Field(description="series with a recommended order above 0")
    accuracy: dict[str, Any] | None = Field(
        description="the selection against the baseline out of sample: MASE mean and "
        "median, pooled WAPE (see /forecasts/runs/{id}/accuracy); null until completed"
    )

    @classmethod
    def of(cls, run: RunView) -> ForecastRunDetailOut:
        base = ForecastRunOut.of(run).model_dump()
        return cls(
            **base,
            models=run.models,
            demand_classes=run.demand_classes,
            recommended_orders=run.recommended_orders,
            accuracy=run.accuracy,
        )


class ForecastSeriesOut(BaseModel):
    sku: str
    warehouse: str
    demand_class: str
    model: str
    method: str = Field(description="backtest, or fallback (too little history)")
    rmsse: str | None = Field(description="the chosen model's backtest score")
    history_weeks: int
    horizon_demand: DecimalStr
    safety_stock: int
    reorder_point: int
    order_up_to: int
    recommended_order: int

    @classmethod
    def of(cls, s: SeriesSummary) -> ForecastSeriesOut:
        return cls.model_validate(s, from_attributes=True)


class HistoryWeekOut(BaseModel):
    week_start: date
    quantity: int


class ForecastPointOut(BaseModel):
    week_start: date
    mean: DecimalStr
    lo80: DecimalStr
    hi80: DecimalStr
    lo95: DecimalStr
    hi95: DecimalStr


class BufferOut(BaseModel):
    service_level: DecimalStr
    z: str
    error_sigma: DecimalStr = Field(description="RMSE of the weekly forecast in the backtest")
    lead_time_days: int
    review_period_days: int
    lead_time_demand: DecimalStr
    review_demand: DecimalStr
    safety_stock: int = Field(description="⌈z * sigma * √(lead time days / 7)⌉")
    reorder_point: int = Field(description="⌈lead-time demand + safety stock⌉")
    order_up_to: int = Field(description="⌈lead-time demand + review demand + safety stock⌉")
    available: int
    backordered: int
    on_order: int
    position: int = Field(description="available - backordered + on order")
    recommended_order: int = Field(description="max(0, order-up-to - position)")


class ProjectedWeekOut(BaseModel):
    week_start: date
    opening: DecimalStr
    receipts: int = Field(description="purchase order lines expected that week (+ transfers)")
    demand: DecimalStr = Field(description="the forecast mean (week 1: the days left)")
    closing: DecimalStr = Field(description="opening + receipts - demand")
    below_safety_stock: bool


class ProjectionOut(BaseModel):
    """Projected stock from today, nothing new ordered (docs/forecasting.md)."""

    today: date
    available: int = Field(description="on hand - reserved, now")
    backordered: int
    in_transit: int = Field(description="on transfers to the warehouse: counted in week 1")
    start: int = Field(description="available - backordered")
    safety_stock: int
    stock_out_week: date | None = Field(description="the first week closing below 0")
    stock_out_date: date | None = Field(description="estimated: demand spread over the week")
    below_safety_stock_week: date | None
    receipts_later: int = Field(description="units expected after the last projected week")
    weeks: list[ProjectedWeekOut]

    @classmethod
    def of(cls, p: Projection) -> ProjectionOut:
        return cls(
            today=p.today,
            available=p.available,
            backordered=p.backordered,
            in_transit=p.in_transit,
            start=p.start,
            safety_stock=p.safety_stock,
            stock_out_week=p.stock_out_week,
            stock_out_date=p.stock_out_date,
            below_safety_stock_week=p.below_safety_stock_week,
            receipts_later=p.receipts_later,
            weeks=[ProjectedWeekOut.model_validate(w, from_attributes=True) for w in p.weeks],
        )


class ForecastOut(BaseModel):
    run_id: uuid.UUID
    created_at: datetime
    sku: str
    warehouse: str
    horizon_weeks: int
    horizon_demand: DecimalStr = Field(description="the forecast means summed")
    demand_class: str = Field(description="smooth, erratic, intermittent or lumpy")
    adi: DecimalStr
    cv2: DecimalStr
    model: str
    method: str
    why: str
    scores: dict[str, Any] = Field(description="every candidate's backtest errors")
    parameters: dict[str, Any]
    history: list[HistoryWeekOut]
    points: list[ForecastPointOut]
    buffer: BufferOut
    accuracy: dict[str, Any] | None = Field(
        description="the selection against its baseline out of sample (null: not backtested)"
    )
    projection: list[ProjectedWeekOut] = Field(
        description="projected stock week by week from today: opening, receipts, demand, "
        "closing; with projection_summary, what a chart draws beside history and points"
    )
    projection_summary: ProjectionOut | None

    @classmethod
    def of(cls, f: ForecastView, projection: Projection | None = None) -> ForecastOut:
        summary = ProjectionOut.of(projection) if projection is not None else None
        return cls(
            run_id=f.run_id,
            created_at=f.created_at,
            sku=f.sku,
            warehouse=f.warehouse,
            horizon_weeks=f.horizon_weeks,
            horizon_demand=f.horizon_demand,
            demand_class=f.demand_class,
            adi=f.adi,
            cv2=f.cv2,
            model=f.model,
            method=f.method,
            why=f.note,
            scores=f.scores,
            parameters=f.parameters,
            history=[HistoryWeekOut(week_start=w, quantity=q) for w, q in f.history],
            points=[ForecastPointOut.model_validate(p, from_attributes=True) for p in f.points],
            buffer=BufferOut(
                service_level=f.service_level,
                z=str(f.parameters.get("z", "")),
                error_sigma=f.error_sigma,
                lead_time_days=f.lead_time_days,
                review_period_days=f.review_period_days,
                lead_time_demand=f.lead_time_demand,
                review_demand=f.review_demand,
                safety_stock=f.safety_stock,
                reorder_point=f.reorder_point,
                order_up_to=f.order_up_to,
                available=f.available,
                backordered=f.backordered,
                on_order=f.on_order,
                position=f.available - f.backordered + f.on_order,
                recommended_order=f.recommended_order,
            ),
            accuracy=f.accuracy,
            projection=summary.weeks if summary is not None else [],
            projection_summary=summary,
        )


class ForecastsOut(BaseModel):
    """The latest forecast of a SKU at each warehouse it has one for (or at one)."""

    sku: str
    forecasts: list[ForecastOut]


class AccuracyRowOut(BaseModel):
    sku: str
    warehouse: str
    demand_class: str
    model: str = Field(description="the model the run chose for the forecast")
    method: str
    baseline: str | None = Field(description="SeasonalNaive, or Naive under 78 weeks")
    windows: int = Field(description="backtest windows evaluated out of sample")
    mase: DecimalStr | None = Field(description="the selection's MASE")
    wape: DecimalStr | None = Field(description="the selection's WAPE")
    baseline_mase: DecimalStr | None
    baseline_wape: DecimalStr | None
    verdict: str = Field(description="better, same, worse or not_evaluated")

    @classmethod
    def of(cls, row: AccuracyRow) -> AccuracyRowOut:
        return cls.model_validate(row, from_attributes=True)


class SubtotalOut(BaseModel):
    series: int
    evaluated: int
    mase_mean: DecimalStr | None
    mase_median: DecimalStr | None
    wape: DecimalStr | None
    baseline_mase_mean: DecimalStr | None
    baseline_mase_median: DecimalStr | None
    baseline_wape: DecimalStr | None

    @classmethod
    def of(cls, s: Subtotal) -> SubtotalOut:
        return cls.model_validate(s, from_attributes=True)


class ForecastAccuracyOut(BaseModel):
    run_id: uuid.UUID
    started_at: datetime
    horizon_weeks: int
    overall: dict[str, Any] = Field(
        description="the run's series: selection and baseline MASE mean and median, "
        "pooled WAPE, better/same/worse counts, beats_baseline"
    )
    listed: SubtotalOut | None = Field(description="the same over the skus asked for")
    items: list[AccuracyRowOut]
    next_cursor: str | None = None

    @classmethod
    def of(
        cls, found: RunAccuracy, listed: Subtotal | None = None, next_cursor: str | None = None
    ) -> ForecastAccuracyOut:
        return cls(
            run_id=found.run_id,
            started_at=found.started_at,
            horizon_weeks=found.horizon_weeks,
            overall=found.overall,
            listed=SubtotalOut.of(listed) if listed is not None else None,
            items=[AccuracyRowOut.of(r) for r in found.rows],
            next_cursor=next_cursor,
        )
