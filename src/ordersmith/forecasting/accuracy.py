"""Accuracy, shown not assumed: how the model selection does against the baseline on
weeks it had not seen.

The backtest (ordersmith.forecasting.backtest) scores every candidate over the same
windows the selection then chooses from, so the chosen model's own backtest score is
flattering by construction (it won on those very weeks). The accuracy of a run is
therefore measured on the **selection rule**, out of sample, from the same
cross-validation and without fitting anything again:

    for each backtest window k after the first (k = 2 .. windows):
        pick the candidate with the lowest RMSE over windows 1 .. k-1 (ties: the
        earlier one, so the baseline), as the run picks over all windows;
        its forecasts of window k are "the selection's", the baseline's are the baseline's.

Every window's forecasts were made from the history before it, and the windows do not
overlap, so nothing picked for window k has seen window k. A series with w windows
gives w - 1 evaluated windows (3 for two years of history).

Metrics, per series over its evaluated windows (e = forecast - actual):

    MASE = mean|e| / mean|Δy|     Δy: week-to-week changes of the history before the
                                  first origin (the in-sample naive error); None if flat
    WAPE = Σ|e| / Σ|y|            the share of the demand the forecast missed

and over a run: the mean and median of the series' MASE (series without a scale left
out), and WAPE *pooled* over all series, Σ over series of Σ|e| / Σ over series of Σ|y|
(a volume-weighted figure: a fast mover counts for more). Within one series the two
metrics rank two forecasts alike (both are Σ|e| over a constant), so "better" is
simply a smaller Σ|e| than the baseline's.

The baseline is the series' own: ``SeasonalNaive`` (the same week last year) when every
origin has a year behind it, else ``Naive``. Series on the recent-mean fallback (too
short for a backtest) have no accuracy and are counted as such.
"""

# float-ok-module: accuracy metrics are statistics; what is stored leaves as Decimal text

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ordersmith.forecasting.backtest import FloatArray, Outcome, Score, decimal_text
from ordersmith.forecasting.candidates import BacktestPlan, Candidate, baseline_of

METHOD = (
    "rolling origin, out of sample: in each backtest window after the first, the "
    "candidate with the lowest RMSE over the earlier windows against the baseline"
)


def mase(errors: FloatArray, scale: float) -> float | None:
    """Mean absolute error over the mean absolute naive change (None without a scale)."""
    if scale <= 0 or errors.size == 0:
        return None
    return float(np.mean(np.abs(errors))) / scale


def wape(errors: FloatArray, actuals: FloatArray) -> float | None:
    """Σ|error| / Σ|actual| (None when nothing was sold)."""
    demand = float(np.sum(np.abs(actuals)))
    return float(np.sum(np.abs(errors))) / demand if demand > 0 else None


@dataclass(frozen=True, slots=True)
class SeriesAccuracy:
    baseline: str
    windows: int  # evaluated windows
    points: int  # evaluated weeks
    picked: tuple[str, ...]  # the candidate the rule picked for each evaluated window
    actual: float  # Σ|y| over the evaluated weeks
    abs_error: float  # the selection's Σ|e|
    baseline_abs_error: float
    scale: float  # mean |Δy| of the history before the first origin (0: none)

    @property
    def mase(self) -> float | None:
        return self.abs_error / self.points / self.scale if self.scale > 0 else None

    @property
    def baseline_mase(self) -> float | None:
        return self.baseline_abs_error / self.points / self.scale if self.scale > 0 else None

    @property
    def wape(self) -> float | None:
        return self.abs_error / self.actual if self.actual > 0 else None

    @property
    def baseline_wape(self) -> float | None:
        return self.baseline_abs_error / self.actual if self.actual > 0 else None

    @property
    def verdict(self) -> str:
        """better, same or worse than the baseline (by Σ|e|, to a millionth of a unit)."""
        gap = self.abs_error - self.baseline_abs_error
        return "same" if abs(gap) < 1e-6 else ("better" if gap < 0 else "worse")

    def as_json(self) -> dict[str, Any]:
        return {
            "baseline": self.baseline,
            "windows": self.windows,
            "points": self.points,
            "picked": list(self.picked),
            "mase": decimal_text(self.mase),
            "wape": decimal_text(self.wape),
            "baseline_mase": decimal_text(self.baseline_mase),
            "baseline_wape": decimal_text(self.baseline_wape),
            "verdict": self.verdict,
            "actual": decimal_text(self.actual),
            "abs_error": decimal_text(self.abs_error),
            "baseline_abs_error": decimal_text(self.baseline_abs_error),
        }


def evaluate_selection(
    plan: BacktestPlan,
    candidates: Sequence[Candidate],
    outcomes: dict[str, Outcome],
    scale: float,
) -> SeriesAccuracy | None:
    """The selection rule against the baseline, window by window (module docstring);
    None when the baseline has no score or there is a single window."""
    baseline = baseline_of(plan)
    base = outcomes.get(baseline.name)
    scored = [
        (i, c.name, outcome)
        for i, c in enumerate(candidates)
        if isinstance(outcome := outcomes[c.name], Score)
    ]
    if not isinstance(base, Score) or plan.windows < 2:
        return None
    shape = (plan.windows, plan.horizon)
    errors = {name: np.abs(outcome.errors.reshape(shape)) for _, name, outcome in scored}
    squared = {name: outcome.errors.reshape(shape) ** 2 for _, name, outcome in scored}
    actual = np.abs(base.actuals.reshape(shape))
    picked: list[str] = []
    chosen_error = 0.0
    for k in range(1, plan.windows):
        rank = min(scored, key=lambda item: (float(np.mean(squared[item[1]][:k])), item[0]))
        picked.append(rank[1])
        chosen_error += float(np.sum(errors[rank[1]][k]))
    return SeriesAccuracy(
        baseline=baseline.name,
        windows=plan.windows - 1,
        points=(plan.windows - 1) * plan.horizon,
        picked=tuple(picked),
        actual=float(np.sum(actual[1:])),
        abs_error=chosen_error,
        baseline_abs_error=float(np.sum(errors[baseline.name][1:])),
        scale=scale,
    )


@dataclass(frozen=True, slots=True)
class Summary:
    """A run's (or a data set's) accuracy over its series."""

    series: int
    evaluated: int
    selection_mase_mean: float | None
    selection_mase_median: float | None
    selection_wape: float | None
    baseline_mase_mean: float | None
    baseline_mase_median: float | None
    baseline_wape: float | None
    mase_series: int  # evaluated series that have a MASE (a history that moved)
    verdicts: dict[str, int]  # better / same / worse
    baselines: dict[str, int]  # series per baseline model

    @property
    def beats_baseline(self) -> bool | None:
        """The selection's pooled WAPE below the baseline's (None: nothing evaluated)."""
        if self.selection_wape is None or self.baseline_wape is None:
            return None
        return self.selection_wape < self.baseline_wape

    def as_json(self) -> dict[str, Any]:
        return {
            "method": METHOD,
            "series": self.series,
            "evaluated": self.evaluated,
            "not_evaluated": self.series - self.evaluated,
            "mase_series": self.mase_series,
            "selection": {
                "mase_mean": decimal_text(self.selection_mase_mean),
                "mase_median": decimal_text(self.selection_mase_median),
                "wape": decimal_text(self.selection_wape),
            },
            "baseline": {
                "mase_mean": decimal_text(self.baseline_mase_mean),
                "mase_median": decimal_text(self.baseline_mase_median),
                "wape": decimal_text(self.baseline_wape),
            },
            "verdicts": self.verdicts,
            "baselines": self.baselines,
            "beats_baseline": self.beats_baseline,
        }


def summarise(found: Sequence[SeriesAccuracy | None]) -> Summary:
    """Mean and median MASE, pooled WAPE, and how many series beat their baseline."""
    evaluated = [a for a in found if a is not None]
    scaled = [a for a in evaluated if a.scale > 0]
    actual = sum(a.actual for a in evaluated)

    def pooled(errors: float) -> float | None:
        return errors / actual if actual > 0 else None

    def centre(values: list[float | None], how: Any) -> float | None:
        known = [v for v in values if v is not None]
        return float(how(known)) if known else None

    verdicts = Counter({"better": 0, "same": 0, "worse": 0})
    verdicts.update(a.verdict for a in evaluated)
    return Summary(
        series=len(found),
        evaluated=len(evaluated),
        selection_mase_mean=centre([a.mase for a in scaled], statistics.fmean),
        selection_mase_median=centre([a.mase for a in scaled], statistics.median),
        selection_wape=pooled(sum(a.abs_error for a in evaluated)),
        baseline_mase_mean=centre([a.baseline_mase for a in scaled], statistics.fmean),
        baseline_mase_median=centre([a.baseline_mase for a in scaled], statistics.median),
        baseline_wape=pooled(sum(a.baseline_abs_error for a in evaluated)),
        mase_series=len(scaled),
        verdicts=dict(verdicts),
        baselines=dict(sorted(Counter(a.baseline for a in evaluated).items())),
    )
