"""Rolling-origin backtest of the candidates of one series, and their error scores.

statsforecast's ``cross_validation`` refits every candidate at each origin of the plan
(ordersmith.forecasting.candidates) and forecasts the next ``h`` weeks; the errors
``e = forecast - actual`` over all windows and steps give, per candidate:

- ``rmse`` = √mean(e²): the selection metric. The lowest wins; on a tie, the earlier
  candidate (the baseline comes first, so a model must *beat* it to be chosen). It
  targets the mean, which is what the buffer needs, and unlike the MAE it does not
  reward forecasting zero for a slow mover (the lesson of the M5 competition).
- ``rmsse`` = rmse / √mean(d²), with d the week-to-week changes of the history before
  the first origin (the in-sample naive forecast's errors): the same ranking, scaled so
  that series can be compared; below 1 beats a naive forecast.
- ``mase`` = mae / mean(|d|), ``mae`` = mean(|e|), ``bias`` = mean(e) (above 0: the
  model forecast too much);
- ``wape`` = Σ|e| / Σ|actual|: the share of the demand the forecast missed, which
  adds up across series (ordersmith.forecasting.accuracy pools it over a run).

Many series with the same plan and candidates are cross-validated together
(``backtest_many``: one statsforecast call, which saves about a quarter of the time
per series); if that joint call raises, each series is backtested alone.

A candidate that raises, or forecasts a non-number, is left out with its reason; the
others still compete. Errors are kept for the chosen model's sigma and, for models without
intervals of their own, for its conformal intervals.
"""

# float-ok-module: forecast errors are statistics; quantities leave as Decimal

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from ordersmith.forecasting.candidates import BacktestPlan, Candidate

FloatArray = npt.NDArray[np.float64]
SCORE_PLACES = Decimal("0.0001")
MAX_REASON = 200


@dataclass(frozen=True, slots=True)
class Score:
    rmse: float
    mae: float
    bias: float
    rmsse: float | None
    mase: float | None
    wape: float | None  # None when every actual of the backtest was 0
    errors: FloatArray  # forecast - actual, window by window, step by step
    actuals: FloatArray  # the same shape: what happened

    def as_json(self) -> dict[str, str | None]:
        return {
            "rmsse": decimal_text(self.rmsse),
            "mase": decimal_text(self.mase),
            "wape": decimal_text(self.wape),
            "rmse": decimal_text(self.rmse),
            "mae": decimal_text(self.mae),
            "bias": decimal_text(self.bias),
        }


@dataclass(frozen=True, slots=True)
class Failed:
    reason: str

    def as_json(self) -> dict[str, str | None]:
        return {"error": self.reason}


Outcome = Score | Failed


def decimal_text(value: float | None) -> str | None:
    """A statistic as a decimal string with four places (JSON never holds a float)."""
    if value is None or not np.isfinite(value):
        return None
    return str(Decimal(value).quantize(SCORE_PLACES, rounding=ROUND_HALF_UP))


def backtest(
    values: FloatArray, plan: BacktestPlan, candidates: Sequence[Candidate]
) -> dict[str, Outcome]:
    """Each candidate's score (or why it has none), by name, in candidate order."""
    try:
        frame = _cross_validate([values], plan, candidates)
        frames = dict.fromkeys((c.name for c in candidates), frame)
    except Exception:  # one candidate failed the joint run: run them one by one
        frames = {}
        for candidate in candidates:
            try:
                frames[candidate.name] = _cross_validate([values], plan, [candidate])
            except Exception as exc:
                frames[candidate.name] = reason(exc)
    scale = naive_scale(values[: plan.first_train])
    outcomes: dict[str, Outcome] = {}
    for candidate in candidates:
        found = frames[candidate.name]
        outcomes[candidate.name] = (
            Failed(found) if isinstance(found, str) else _score_frame(found, candidate.name, scale)
        )
    return outcomes


def backtest_many(
    series: Sequence[FloatArray], plan: BacktestPlan, candidates: Sequence[Candidate]
) -> list[dict[str, Outcome]]:
    """``backtest`` of many series sharing one plan and candidate list, cross-validated
    in one statsforecast call; each series alone if that call raises."""
    if len(series) == 1:
        return [backtest(series[0], plan, candidates)]
    try:
        frame = _cross_validate(series, plan, candidates)
    except Exception:
        return [backtest(values, plan, candidates) for values in series]
    frame = frame.sort_values(["unique_id", "cutoff", "ds"], kind="stable")
    ids = frame["unique_id"].to_numpy()
    actual = frame["y"].to_numpy(dtype=np.float64)
    forecasts = {c.name: frame[c.name].to_numpy(dtype=np.float64) for c in candidates}
    per_series = plan.windows * plan.horizon
    found = []
    for i, values in enumerate(series):
        rows = slice(i * per_series, (i + 1) * per_series)
        if ids[rows.start : rows.stop].size != per_series or np.any(ids[rows] != i):
            found.append(backtest(values, plan, candidates))  # not the expected layout
            continue
        scale = naive_scale(values[: plan.first_train])
        found.append(
            {c.name: score(forecasts[c.name][rows], actual[rows], scale) for c in candidates}
        )
    return found


def _cross_validate(
    series: Sequence[FloatArray], plan: BacktestPlan, candidates: Sequence[Candidate]
) -> Any:
    import pandas as pd
    from statsforecast import StatsForecast

    frame = pd.DataFrame(
        {
            "unique_id": np.repeat(np.arange(len(series)), [len(v) for v in series]),
            "ds": np.concatenate([np.arange(len(v)) for v in series]),
            "y": np.concatenate(series),
        }
    )
    forecaster = StatsForecast(models=[c.build() for c in candidates], freq=1, n_jobs=1)
    return forecaster.cross_validation(
        h=plan.horizon, df=frame, n_windows=plan.windows, step_size=plan.step
    )


def reason(exc: Exception) -> str:
    text = f"{type(exc).__name__}: {exc}".strip()
    return text.splitlines()[0][:MAX_REASON]


def naive_scale(history: FloatArray) -> tuple[float, float]:
    """Mean squared and mean absolute week-to-week change (0 when flat or too short)."""
    changes = np.diff(history)
    if changes.size == 0:
        return 0.0, 0.0
    return float(np.mean(changes**2)), float(np.mean(np.abs(changes)))


def _score_frame(frame: Any, name: str, scale: tuple[float, float]) -> Outcome:
    ordered = frame.sort_values(["cutoff", "ds"], kind="stable")
    return score(
        ordered[name].to_numpy(dtype=np.float64), ordered["y"].to_numpy(dtype=np.float64), scale
    )


def score(forecast: FloatArray, actual: FloatArray, scale: tuple[float, float]) -> Outcome:
    """The scores of one candidate's backtest forecasts against what happened."""
    if forecast.size == 0 or not np.all(np.isfinite(forecast)):
        return Failed("no forecast in some backtest window")
    errors = forecast - actual
    rmse = float(np.sqrt(np.mean(errors**2)))
    mae = float(np.mean(np.abs(errors)))
    demand = float(np.sum(np.abs(actual)))
    squared_scale, absolute_scale = scale
    return Score(
        rmse=rmse,
        mae=mae,
        bias=float(np.mean(errors)),
        rmsse=rmse / float(np.sqrt(squared_scale)) if squared_scale > 0 else None,
        mase=mae / absolute_scale if absolute_scale > 0 else None,
        wape=float(np.sum(np.abs(errors))) / demand if demand > 0 else None,
        errors=errors,
        actuals=actual,
    )


def best(candidates: Sequence[Candidate], outcomes: dict[str, Outcome]) -> Candidate | None:
    """The candidate with the lowest RMSE (the earliest on a tie), or None if all failed."""
    scored = [
        (outcome.rmse, i, c)
        for i, c in enumerate(candidates)
        if isinstance(outcome := outcomes[c.name], Score)
    ]
    return min(scored, key=lambda item: (item[0], item[1]))[2] if scored else None
