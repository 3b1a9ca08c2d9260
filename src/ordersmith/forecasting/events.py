"""Forecasting events (past tense), written to the outbox by the unit of work."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from ordersmith.events import DomainEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class ForecastRunCompleted(DomainEvent):
    """``forecast_run.completed``: a run stored its series (replenishment may react)."""

    aggregate_type: ClassVar[str] = "forecast_run"
    horizon_weeks: int
    service_level: str
    series_count: int
    recommended_orders: int  # series with a recommended order above zero
