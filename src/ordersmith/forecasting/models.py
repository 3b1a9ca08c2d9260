"""Forecast runs: what was forecast, with which model and why, and the buffer it implies.

A ``ForecastRun`` is written as ``running`` when it starts; its ``ForecastSeries`` (one per
SKU and warehouse) and ``ForecastPoint`` rows (one per series and future week) are written
together with the run turning ``completed``, in one transaction, so every series row
belongs to a completed run and "the latest forecast of this SKU at this warehouse" is
simply the newest series row (``ix_forecast_series_latest``). A run that fails is
``failed`` with the reason in ``note`` and has no series. Runs are never changed after
they finish: a newer run supersedes them.

Quantities: weekly forecasts and interval bounds are Decimals with 2 places (a slow mover
sells 0.35 a week); safety stock, reorder point, order-up-to level and recommended order
are whole units, rounded up (see ordersmith.forecasting.buffer).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ordersmith.db import Base, Fixed, enum_column


class ForecastRunStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


class DemandClass(StrEnum):
    """Syntetos-Boylan classes (ordersmith.forecasting.intermittency)."""

    SMOOTH = "smooth"
    ERRATIC = "erratic"
    INTERMITTENT = "intermittent"
    LUMPY = "lumpy"


class ForecastMethod(StrEnum):
    BACKTEST = "backtest"  # the candidate with the lowest backtest error
    FALLBACK = "fallback"  # too little history to backtest: mean of the recent weeks


class ForecastRun(Base):
    __tablename__ = "forecast_runs"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    status: Mapped[ForecastRunStatus] = mapped_column(enum_column(ForecastRunStatus, 16))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    horizon_weeks: Mapped[int]
    service_level: Mapped[Decimal] = mapped_column(Fixed(4))
    parameters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """The filters, lead time, review period, history window and backtest settings."""
    series_count: Mapped[int] = mapped_column(default=0)
    actor: Mapped[str] = mapped_column(sa.String(120))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    accuracy: Mapped[dict[str, Any] | None]
    """The selection against the baseline out of sample over the run's series: MASE mean
    and median, pooled WAPE (ordersmith.forecasting.accuracy). None until completed, and
    for runs made before migration 0016."""

    __table_args__ = (
        sa.Index("ix_forecast_runs_started", "started_at", "id"),
        sa.CheckConstraint("horizon_weeks >= 1 AND horizon_weeks <= 52", name="horizon_range"),
        sa.CheckConstraint("series_count >= 0", name="series_count_not_negative"),
    )


class ForecastSeries(Base):
    """One SKU at one warehouse in one run: the model chosen and why, and the buffer."""

    __tablename__ = "forecast_series"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    run_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("forecast_runs.id", ondelete="CASCADE"))
    product_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("products.id"))
    warehouse_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("warehouses.id"))
    created_at: Mapped[datetime]
    """When the run completed (the same for every series of the run)."""
    demand_class: Mapped[DemandClass] = mapped_column(enum_column(DemandClass, 16))
    adi: Mapped[Decimal] = mapped_column(Fixed(4))
    cv2: Mapped[Decimal] = mapped_column(Fixed(4))
    model: Mapped[str] = mapped_column(sa.String(40))
    method: Mapped[ForecastMethod] = mapped_column(enum_column(ForecastMethod, 16))
    scores: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """Every candidate's backtest errors (strings), or why it has none."""
    parameters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """The chosen model's parameters, the backtest and interval settings, z and sigma."""
    history_weeks: Mapped[int]
    history: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """The weekly demand the run saw: ``{"start": "YYYY-MM-DD", "values": [int, ...]}``."""
    error_sigma: Mapped[Decimal] = mapped_column(Fixed(4))
    lead_time_days: Mapped[int]
    review_period_days: Mapped[int]
    lead_time_demand: Mapped[Decimal] = mapped_column(Fixed(2))
    review_demand: Mapped[Decimal] = mapped_column(Fixed(2))
    horizon_demand: Mapped[Decimal] = mapped_column(Fixed(2))
    safety_stock: Mapped[int] = mapped_column(sa.BigInteger)
    reorder_point: Mapped[int] = mapped_column(sa.BigInteger)
    order_up_to: Mapped[int] = mapped_column(sa.BigInteger)
    available: Mapped[int] = mapped_column(sa.BigInteger)
    backordered: Mapped[int] = mapped_column(sa.BigInteger)
    on_order: Mapped[int] = mapped_column(sa.BigInteger)
    recommended_order: Mapped[int] = mapped_column(sa.BigInteger)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    """Why the number is what it is, in a sentence or two."""
    accuracy: Mapped[dict[str, Any] | None]
    """This series' selection against its baseline out of sample (MASE, WAPE, the sums
    they come from); None for the fallback (no backtest) and before migration 0016."""

    __table_args__ = (
        sa.UniqueConstraint("run_id", "product_id", "warehouse_id", name="uq_forecast_series_key"),
        sa.Index("ix_forecast_series_latest", "product_id", "warehouse_id", "created_at"),
        sa.CheckConstraint(
            "safety_stock >= 0 AND reorder_point >= safety_stock "
            "AND order_up_to >= reorder_point AND recommended_order >= 0",
            name="buffer_consistent",
        ),
        sa.CheckConstraint("history_weeks >= 1", name="history_not_empty"),
    )


class ForecastPoint(Base):
    """One future week of one series: the mean and its 80 % and 95 % intervals."""

    __tablename__ = "forecast_points"

    run_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    product_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    warehouse_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    week_start: Mapped[date] = mapped_column(primary_key=True)
    """The Monday (UTC) the week starts on."""
    mean: Mapped[Decimal] = mapped_column(Fixed(2))
    lo80: Mapped[Decimal] = mapped_column(Fixed(2))
    hi80: Mapped[Decimal] = mapped_column(Fixed(2))
    lo95: Mapped[Decimal] = mapped_column(Fixed(2))
    hi95: Mapped[Decimal] = mapped_column(Fixed(2))

    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["run_id", "product_id", "warehouse_id"],
            [
                "forecast_series.run_id",
                "forecast_series.product_id",
                "forecast_series.warehouse_id",
            ],
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(
            "lo95 >= 0 AND lo95 <= lo80 AND lo80 <= mean AND mean <= hi80 AND hi80 <= hi95",
            name="interval_ordered",
        ),
    )
