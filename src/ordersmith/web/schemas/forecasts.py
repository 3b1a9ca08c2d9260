"""Forecast request and response models: quantities and statistics as decimal strings."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, Field

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

    @classmethod
    def of(cls, run: RunView) -> ForecastRunDetailOut:
        base = ForecastRunOut.of(run).model_dump()
        return cls(
            **base,
            models=run.models,
            demand_classes=run.demand_classes,
            recommended_orders=run.recommended_orders,
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

    @classmethod
    def of(cls, f: ForecastView) -> ForecastOut:
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
        )


class ForecastsOut(BaseModel):
    """The latest forecast of a SKU at each warehouse it has one for (or at one)."""

    sku: str
    forecasts: list[ForecastOut]
