"""The read side of forecasting: runs, a run's series, the latest forecast of a SKU.

Lists are keyset-paginated: runs newest first on ``(started_at, id)``
(``ix_forecast_runs_started``), a run's series by SKU then warehouse code. The latest
forecast of a SKU at a warehouse is its newest series row (``ix_forecast_series_latest``:
only completed runs have series rows).
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.catalog.models import Product
from ordersmith.db import table_of
from ordersmith.forecasting.errors import ForecastRunNotFound
from ordersmith.forecasting.models import ForecastPoint, ForecastRun, ForecastSeries
from ordersmith.inventory.models import Warehouse

WEEK = timedelta(days=7)
_RUN_FIELDS = (
    "id",
    "status",
    "started_at",
    "finished_at",
    "horizon_weeks",
    "service_level",
    "parameters",
    "series_count",
    "actor",
    "note",
    "accuracy",
)


@dataclass(frozen=True, slots=True)
class RunView:
    id: uuid.UUID
    status: str
    started_at: datetime
    finished_at: datetime | None
    horizon_weeks: int
    service_level: Decimal
    parameters: dict[str, Any]
    series_count: int
    actor: str
    note: str
    accuracy: dict[str, Any] | None  # ordersmith.forecasting.accuracy.Summary.as_json()
    models: dict[str, int] = field(default_factory=dict)  # series per chosen model
    demand_classes: dict[str, int] = field(default_factory=dict)
    recommended_orders: int = 0  # series with a recommended order above zero


@dataclass(frozen=True, slots=True)
class SeriesSummary:
    sku: str
    warehouse: str
    demand_class: str
    model: str
    method: str
    history_weeks: int
    horizon_demand: Decimal
    safety_stock: int
    reorder_point: int
    order_up_to: int
    recommended_order: int
    rmsse: str | None  # the chosen model's backtest score (None for the fallback)


@dataclass(frozen=True, slots=True)
class Step:
    week_start: date
    mean: Decimal
    lo80: Decimal
    hi80: Decimal
    lo95: Decimal
    hi95: Decimal


@dataclass(frozen=True, slots=True)
class ForecastView:
    """The latest forecast of one SKU at one warehouse, with everything that explains it."""

    run_id: uuid.UUID
    created_at: datetime
    horizon_weeks: int
    service_level: Decimal
    product_id: uuid.UUID
    sku: str
    warehouse_id: uuid.UUID
    warehouse: str
    demand_class: str
    adi: Decimal
    cv2: Decimal
    model: str
    method: str
    scores: dict[str, Any]
    parameters: dict[str, Any]
    note: str
    history: list[tuple[date, int]]
    points: list[Step]
    error_sigma: Decimal
    lead_time_days: int
    review_period_days: int
    lead_time_demand: Decimal
    review_demand: Decimal
    horizon_demand: Decimal
    safety_stock: int
    reorder_point: int
    order_up_to: int
    available: int
    backordered: int
    on_order: int
    recommended_order: int
    accuracy: dict[str, Any] | None = None  # the selection against the baseline


def _run_view(row: Any, **extra: Any) -> RunView:
    return RunView(*(getattr(row, f) for f in _RUN_FIELDS), **extra)


def list_runs(
    session: Session, *, limit: int = 50, before: tuple[datetime, uuid.UUID] | None = None
) -> list[RunView]:
    """Runs newest first, keyset-paginated on (started_at, id)."""
    runs = table_of(ForecastRun)
    query = sa.select(*(runs.c[f] for f in _RUN_FIELDS))
    if before is not None:
        query = query.where(sa.tuple_(runs.c.started_at, runs.c.id) < sa.tuple_(*before))
    query = query.order_by(runs.c.started_at.desc(), runs.c.id.desc()).limit(limit)
    return [_run_view(row) for row in session.execute(query)]


def get_run(session: Session, run_id: uuid.UUID) -> RunView:
    """One run with how many series chose each model and fell in each demand class."""
    runs, series = table_of(ForecastRun), table_of(ForecastSeries)
    row = session.execute(
        sa.select(*(runs.c[f] for f in _RUN_FIELDS)).where(runs.c.id == run_id)
    ).one_or_none()
    if row is None:
        raise ForecastRunNotFound(f"no forecast run {run_id}")
    models: Counter[str] = Counter()
    classes: Counter[str] = Counter()
    recommended = 0
    ordering = sa.case((series.c.recommended_order > 0, 1), else_=0)
    for model, demand_class, count, orders in session.execute(
        sa.select(series.c.model, series.c.demand_class, sa.func.count(), sa.func.sum(ordering))
        .where(series.c.run_id == run_id)
        .group_by(series.c.model, series.c.demand_class)
    ):
        models[model] += count
        classes[str(demand_class)] += count
        recommended += int(orders or 0)
    return _run_view(
        row,
        models=dict(sorted(models.items())),
        demand_classes=dict(sorted(classes.items())),
        recommended_orders=recommended,
    )


def run_series(
    session: Session,
    run_id: uuid.UUID,
    *,
    limit: int = 50,
    after: tuple[str, str] | None = None,
) -> list[SeriesSummary]:
    """A run's series by SKU then warehouse code, keyset-paginated on (sku, code)."""
    get_run(session, run_id)  # 404 for an unknown run
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
            series.c.history_weeks,
            series.c.horizon_demand,
            series.c.safety_stock,
            series.c.reorder_point,
            series.c.order_up_to,
            series.c.recommended_order,
            series.c.scores,
        )
        .join(products, products.c.id == series.c.product_id)
        .join(warehouses, warehouses.c.id == series.c.warehouse_id)
        .where(series.c.run_id == run_id)
    )
    if after is not None:
        query = query.where(sa.tuple_(products.c.sku, warehouses.c.code) > sa.tuple_(*after))
    query = query.order_by(products.c.sku, warehouses.c.code).limit(limit)
    return [
        SeriesSummary(
            sku=row.sku,
            warehouse=row.code,
            demand_class=str(row.demand_class),
            model=row.model,
            method=str(row.method),
            history_weeks=row.history_weeks,
            horizon_demand=row.horizon_demand,
            safety_stock=row.safety_stock,
            reorder_point=row.reorder_point,
            order_up_to=row.order_up_to,
            recommended_order=row.recommended_order,
            rmsse=(row.scores.get(row.model) or {}).get("rmsse"),
        )
        for row in session.execute(query)
    ]


def latest_forecasts(
    session: Session, product_id: uuid.UUID, warehouse_id: uuid.UUID | None = None
) -> list[ForecastView]:
    """The newest forecast of a product at each warehouse (or at one), by warehouse code.
    Two statements: the series, then their points."""
    series, runs = table_of(ForecastSeries), table_of(ForecastRun)
    products, warehouses = table_of(Product), table_of(Warehouse)
    newer = series.alias("newer")
    query = (
        sa.select(
            series,
            products.c.sku,
            warehouses.c.code.label("warehouse"),
            runs.c.horizon_weeks,
            runs.c.service_level,
        )
        .join(products, products.c.id == series.c.product_id)
        .join(warehouses, warehouses.c.id == series.c.warehouse_id)
        .join(runs, runs.c.id == series.c.run_id)
        .where(
            series.c.product_id == product_id,
            ~sa.exists().where(
                newer.c.product_id == series.c.product_id,
                newer.c.warehouse_id == series.c.warehouse_id,
                sa.tuple_(newer.c.created_at, newer.c.run_id)
                > sa.tuple_(series.c.created_at, series.c.run_id),
            ),
        )
        .order_by(warehouses.c.code)
    )
    if warehouse_id is not None:
        query = query.where(series.c.warehouse_id == warehouse_id)
    rows = session.execute(query).all()
    if not rows:
        return []
    points = table_of(ForecastPoint)
    steps: dict[tuple[uuid.UUID, uuid.UUID], list[Step]] = {}
    for p in session.execute(
        sa.select(points)
        .where(
            points.c.product_id == product_id,
            points.c.run_id.in_(sorted({r.run_id for r in rows})),
        )
        .order_by(points.c.week_start)
    ):
        steps.setdefault((p.run_id, p.warehouse_id), []).append(
            Step(p.week_start, p.mean, p.lo80, p.hi80, p.lo95, p.hi95)
        )
    return [_forecast_view(r, steps.get((r.run_id, r.warehouse_id), [])) for r in rows]


def _forecast_view(r: Any, points: list[Step]) -> ForecastView:
    start = date.fromisoformat(r.history["start"])
    history = [(start + i * WEEK, int(v)) for i, v in enumerate(r.history["values"])]
    return ForecastView(
        run_id=r.run_id,
        created_at=r.created_at,
        horizon_weeks=r.horizon_weeks,
        service_level=r.service_level,
        product_id=r.product_id,
        sku=r.sku,
        warehouse_id=r.warehouse_id,
        warehouse=r.warehouse,
        demand_class=str(r.demand_class),
        adi=r.adi,
        cv2=r.cv2,
        model=r.model,
        method=str(r.method),
        scores=r.scores,
        parameters=r.parameters,
        note=r.note,
        history=history,
        points=points,
        error_sigma=r.error_sigma,
        lead_time_days=r.lead_time_days,
        review_period_days=r.review_period_days,
        lead_time_demand=r.lead_time_demand,
        review_demand=r.review_demand,
        horizon_demand=r.horizon_demand,
        safety_stock=r.safety_stock,
        reorder_point=r.reorder_point,
        order_up_to=r.order_up_to,
        available=r.available,
        backordered=r.backordered,
        on_order=r.on_order,
        recommended_order=r.recommended_order,
        accuracy=r.accuracy,
    )


@dataclass(frozen=True, slots=True)
class LatestBuffer:
    """The buffer figures of the newest forecast of one product at one warehouse."""

    run_id: uuid.UUID
    created_at: datetime
    warehouse_id: uuid.UUID
    product_id: uuid.UUID
    lead_time_days: int
    review_period_days: int
    safety_stock: int
    reorder_point: int
    order_up_to: int


def latest_buffers(
    session: Session, *, product_ids: Collection[uuid.UUID] | None = None
) -> dict[tuple[uuid.UUID, uuid.UUID], LatestBuffer]:
    """The newest series' buffer per (warehouse, product), for every pair or those of some
    products: one statement (``ix_forecast_series_latest``), whatever their number.
    Replenishment reads its reorder point and order-up-to level from here."""
    series = table_of(ForecastSeries)
    newer = series.alias("newer")
    query = sa.select(
        series.c.run_id,
        series.c.created_at,
        series.c.warehouse_id,
        series.c.product_id,
        series.c.lead_time_days,
        series.c.review_period_days,
        series.c.safety_stock,
        series.c.reorder_point,
        series.c.order_up_to,
    ).where(
        ~sa.exists().where(
            newer.c.product_id == series.c.product_id,
            newer.c.warehouse_id == series.c.warehouse_id,
            sa.tuple_(newer.c.created_at, newer.c.run_id)
            > sa.tuple_(series.c.created_at, series.c.run_id),
        )
    )
    if product_ids is not None:
        query = query.where(series.c.product_id.in_(sorted(set(product_ids))))
    return {
        (row.warehouse_id, row.product_id): LatestBuffer(*row) for row in session.execute(query)
    }
