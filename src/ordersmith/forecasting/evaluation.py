"""The model selection on any list of series, scored as a run is scored.

``evaluate(series, horizon=13, season=52)`` runs exactly the selection a forecast run
runs (``batch.forecast_all``: classify, backtest the candidates, choose by RMSE) and
reports, per series and over the list, the selection rule against the baseline on
backtest weeks the rule had not seen (ordersmith.forecasting.accuracy). Nothing is
stored. ``ordersmith forecast evaluate --dataset co2`` runs it on a public data set
(ordersmith.forecasting.datasets); docs/forecasting.md records the figures.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ordersmith.forecasting.accuracy import SeriesAccuracy, Summary, summarise
from ordersmith.forecasting.batch import Progress, forecast_all
from ordersmith.forecasting.candidates import SEASON
from ordersmith.forecasting.datasets import Dataset


@dataclass(frozen=True, slots=True)
class EvaluatedSeries:
    name: str
    weeks: int  # periods of history
    demand_class: str
    model: str  # what the run would forecast with
    accuracy: SeriesAccuracy | None

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "periods": self.weeks,
            "demand_class": self.demand_class,
            "model": self.model,
            "accuracy": self.accuracy.as_json() if self.accuracy is not None else None,
        }


@dataclass(frozen=True, slots=True)
class Evaluation:
    rows: list[EvaluatedSeries]
    summary: Summary
    seconds: object  # wall-clock time of the selection

    def as_json(self, dataset: Dataset | None = None) -> dict[str, Any]:
        head: dict[str, Any] = {}
        if dataset is not None:
            head = {
                "dataset": dataset.name,
                "title": dataset.title,
                "source": dataset.source,
                "frequency": dataset.frequency,
                "season": dataset.season,
                "horizon": dataset.horizon,
                "scale": dataset.scale,
            }
        return {
            **head,
            "overall": self.summary.as_json(),
            "series": [r.as_json() for r in self.rows],
        }


def evaluate(
    series: Sequence[tuple[str, Sequence[int]]],
    *,
    horizon: int = 13,
    season: int = SEASON,
    jobs: int = 1,
    progress: Progress | None = None,
) -> Evaluation:
    """The selection over ``series`` (name, values), scored out of sample."""
    started = time.perf_counter()
    forecasts = forecast_all(
        [values for _, values in series],
        horizon=horizon,
        season=season,
        jobs=jobs,
        progress=progress,
    )
    rows = [
        EvaluatedSeries(
            name,
            len(values),
            f.intermittency.demand_class.value,
            f.model,
            f.accuracy,
        )
        for (name, values), f in zip(series, forecasts, strict=True)
    ]
    return Evaluation(rows, summarise([r.accuracy for r in rows]), time.perf_counter() - started)


def evaluate_dataset(
    dataset: Dataset, *, jobs: int = 1, progress: Progress | None = None
) -> Evaluation:
    return evaluate(
        dataset.series,
        horizon=dataset.horizon,
        season=dataset.season,
        jobs=jobs,
        progress=progress,
    )
