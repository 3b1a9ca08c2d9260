"""One series, start to end: classify, backtest the candidates, forecast with the best.

``forecast_series(values, horizon=13)`` takes the weekly demand of one SKU at one
warehouse (oldest first, zero weeks included) and returns the chosen model, every
candidate's score, the forecast with 80 % and 95 % prediction intervals, sigma for the
safety stock, and a sentence saying why. No database; statsforecast does the fitting.

- **Intervals.** Models with intervals of their own (Naive, SeasonalNaive, AutoETS,
  AutoTheta, MSTL) give them. The Croston family has none: theirs are conformal, from
  the chosen model's backtest errors — the mean ± the ⌈(m+1)·p⌉-th smallest absolute
  error of the m errors, p = 0.80 and 0.95 (every horizon step alike).
- **Never below zero.** Demand is not negative: the mean and the bounds are clipped at 0,
  then put in order (lo95 ≤ lo80 ≤ mean ≤ hi80 ≤ hi95; simulated intervals can cross by
  a hair), then rounded to 2 places half up (which keeps the order).
- **sigma** is the chosen model's backtest RMSE, to 4 places.
- **Fallback** ("RecentMean"): a series too short for a backtest (fewer than
  ``candidates.min_history`` weeks), or one where every candidate failed, is forecast
  flat at the mean of its last 13 weeks (or all, if fewer). sigma is the standard deviation
  of those weeks, but at least √mean — the spread of a Poisson count — so that a new
  product with two equal weeks is not given a zero buffer. Its intervals are the normal
  ones, mean ± z·sigma. The note says so.
"""

# float-ok-module: forecasts are statistics; what is stored leaves as Decimal

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np

from ordersmith.forecasting import backtest as bt
from ordersmith.forecasting.accuracy import SeriesAccuracy, evaluate_selection
from ordersmith.forecasting.buffer import quantity
from ordersmith.forecasting.candidates import (
    SEASON,
    BacktestPlan,
    Candidate,
    backtest_plan,
    baseline_of,
    candidates_for,
    min_history,
)
from ordersmith.forecasting.intermittency import Intermittency, classify
from ordersmith.forecasting.models import ForecastMethod

LEVELS = (80, 95)
Z_TWO_SIDED = {80: 1.2816, 95: 1.96}  # normal quantiles of 0.90 and 0.975
RECENT_WEEKS = 13
FALLBACK = "RecentMean"
SIGMA_PLACES = Decimal("0.0001")


@dataclass(frozen=True, slots=True)
class ForecastStep:
    mean: Decimal
    lo80: Decimal
    hi80: Decimal
    lo95: Decimal
    hi95: Decimal


@dataclass(frozen=True, slots=True)
class SeriesForecast:
    intermittency: Intermittency
    model: str
    method: ForecastMethod
    scores: dict[str, dict[str, str | None]]
    parameters: dict[str, Any]
    sigma: Decimal
    steps: tuple[ForecastStep, ...]
    note: str
    accuracy: SeriesAccuracy | None = None
    """The selection rule against the baseline out of sample (None: no backtest)."""

    @property
    def means(self) -> list[Decimal]:
        return [s.mean for s in self.steps]


@dataclass
class _Path:
    mean: Any
    bounds: dict[str, Any] = field(default_factory=dict)  # lo-80, hi-80, lo-95, hi-95
    parameters: dict[str, Any] = field(default_factory=dict)
    interval_method: str = "model"


@dataclass(frozen=True, slots=True)
class Setup:
    """A series ready for its backtest: what the batch groups series by."""

    y: Any  # the values as float64
    info: Intermittency
    plan: BacktestPlan
    candidates: list[Candidate]

    @property
    def key(self) -> tuple[Any, ...]:
        """Series with the same key are cross-validated together."""
        return (
            self.plan.horizon,
            self.plan.windows,
            self.plan.step,
            tuple((c.name, c.season_length) for c in self.candidates),
        )


def forecast_series(values: Sequence[int], *, horizon: int, season: int = SEASON) -> SeriesForecast:
    """The forecast of one weekly series with at least one week of demand."""
    setup = prepare(values, horizon=horizon, season=season)
    if isinstance(setup, SeriesForecast):
        return setup
    return conclude(setup, bt.backtest(setup.y, setup.plan, setup.candidates), horizon=horizon)


def prepare(values: Sequence[int], *, horizon: int, season: int = SEASON) -> Setup | SeriesForecast:
    """Classify the series and plan its backtest, or its fallback if it is too short."""
    if not 1 <= horizon <= 52:
        raise ValueError("the horizon is from 1 to 52 weeks")
    info = classify(values)
    y = np.asarray(values, dtype=np.float64)
    plan = backtest_plan(len(values), horizon, season)
    if plan is None:
        return _fallback(
            y,
            info,
            horizon,
            f"only {len(values)} week(s) of history, too few for a backtest "
            f"({min_history(horizon)} needed)",
        )
    return Setup(y, info, plan, candidates_for(plan, slow_mover=info.slow_mover))


def conclude(setup: Setup, outcomes: dict[str, bt.Outcome], *, horizon: int) -> SeriesForecast:
    """Choose by the backtest's outcomes and forecast from the whole history."""
    y, info, plan, candidates = setup.y, setup.info, setup.plan, setup.candidates
    scores = {name: outcome.as_json() for name, outcome in outcomes.items()}
    accuracy = evaluate_selection(
        plan, candidates, outcomes, bt.naive_scale(y[: plan.first_train])[1]
    )
    ranked = sorted(
        (c for c in candidates if isinstance(outcomes[c.name], bt.Score)),
        key=lambda c: (_rmse(outcomes, c), candidates.index(c)),
    )
    for chosen in ranked:
        score = outcomes[chosen.name]
        assert isinstance(score, bt.Score)
        try:
            path = _final(chosen, y, horizon, score)
        except Exception as exc:
            scores[chosen.name]["final_fit_error"] = bt.reason(exc)
            continue
        steps = _steps(path)
        if steps is None:
            scores[chosen.name]["final_fit_error"] = "the forecast is not a number"
            continue
        parameters = {
            "model": path.parameters,
            "candidates": [c.name for c in candidates],
            "backtest": {**plan.describe(), "metric": "rmse", "scaled": "rmsse"},
            "intervals": path.interval_method,
        }
        return SeriesForecast(
            intermittency=info,
            model=chosen.name,
            method=ForecastMethod.BACKTEST,
            scores=scores,
            parameters=parameters,
            sigma=_sigma(score.rmse),
            steps=steps,
            note=_why(chosen, candidates, outcomes, plan, info, len(y))
            + _passed_over(ranked[: ranked.index(chosen)]),
            accuracy=accuracy,
        )
    return _fallback(y, info, horizon, "no candidate model could forecast this series", scores)


def _passed_over(better: Sequence[Candidate]) -> str:
    if not better:
        return ""
    names = ", ".join(c.name for c in better)
    return f" ({names} scored better but could not forecast from the whole history.)"


def _rmse(outcomes: dict[str, bt.Outcome], candidate: Candidate) -> float:
    outcome = outcomes[candidate.name]
    return outcome.rmse if isinstance(outcome, bt.Score) else math.inf


def _sigma(value: float) -> Decimal:
    return Decimal(value).quantize(SIGMA_PLACES, rounding=ROUND_HALF_UP)


# --- the final forecast ------------------------------------------------------------------


def _final(candidate: Candidate, y: Any, horizon: int, score: bt.Score) -> _Path:
    model = candidate.build()
    model.fit(y)
    if candidate.native_intervals:
        out = model.predict(h=horizon, level=list(LEVELS))
        bounds = {
            f"{side}-{level}": out[f"{side}-{level}"] for side in ("lo", "hi") for level in LEVELS
        }
        return _Path(out["mean"], bounds, _parameters(candidate, model))
    out = model.predict(h=horizon)
    mean = out["mean"]
    absolute = np.sort(np.abs(score.errors))
    bounds = {}
    for level in LEVELS:
        rank = min(len(absolute), math.ceil((len(absolute) + 1) * level / 100))
        width = absolute[rank - 1]
        bounds[f"lo-{level}"], bounds[f"hi-{level}"] = mean - width, mean + width
    return _Path(mean, bounds, _parameters(candidate, model), "backtest_conformal")


def _steps(path: _Path) -> tuple[ForecastStep, ...] | None:
    """Clipped at 0, ordered, rounded; None when the model gave a non-number."""
    mean = np.asarray(path.mean, dtype=np.float64)
    parts = [
        np.asarray(path.bounds[k], dtype=np.float64) for k in ("lo-80", "hi-80", "lo-95", "hi-95")
    ]
    if not all(np.all(np.isfinite(p)) and p.shape == mean.shape for p in [mean, *parts]):
        return None
    mean = np.maximum(mean, 0.0)
    lo80 = np.minimum(np.maximum(parts[0], 0.0), mean)
    hi80 = np.maximum(parts[1], mean)
    lo95 = np.minimum(np.maximum(parts[2], 0.0), lo80)
    hi95 = np.maximum(parts[3], hi80)
    return tuple(
        ForecastStep(*(quantity(Decimal(float(v[i]))) for v in (mean, lo80, hi80, lo95, hi95)))
        for i in range(mean.size)
    )


def _parameters(candidate: Candidate, model: Any) -> dict[str, Any]:
    """What the fitted model settled on, as JSON-safe strings and numbers."""
    fitted = getattr(model, "model_", None)
    found: dict[str, Any] = {"name": candidate.name, "family": candidate.family}
    if candidate.seasonal:
        found["season_length"] = candidate.season_length
    if candidate.name == "AutoETS" and isinstance(fitted, dict):
        found["form"] = fitted.get("method", "ETS (constant series)")
        par = list(fitted.get("par", []))
        for i, name in enumerate(("alpha", "beta", "gamma", "phi")):
            if i < len(par) and (value := bt.decimal_text(float(par[i]))) is not None:
                found[name] = value
    elif candidate.name == "AutoTheta" and isinstance(fitted, dict):
        found["variant"] = str(fitted.get("modeltype", ""))
        found["deseasonalised"] = "seas_forecast" in fitted
        for key, value in (fitted.get("par") or {}).items():
            found[str(key)] = bt.decimal_text(float(value))
    elif candidate.name == "MSTL":
        trend = getattr(getattr(model, "trend_forecaster", None), "model_", None)
        if isinstance(trend, dict):
            found["trend"] = trend.get("method", "")
    elif candidate.name == "TSB":
        found["alpha_demand"] = bt.decimal_text(model.alpha_d)
        found["alpha_probability"] = bt.decimal_text(model.alpha_p)
    return found


# --- the fallback ------------------------------------------------------------------------


def fallback_forecast(values: Sequence[int], *, horizon: int, reason: str) -> SeriesForecast:
    """The recent-mean forecast of a series, with ``reason`` in its note."""
    return _fallback(np.asarray(values, dtype=np.float64), classify(values), horizon, reason)


def _fallback(
    y: Any,
    info: Intermittency,
    horizon: int,
    reason: str,
    scores: dict[str, dict[str, str | None]] | None = None,
) -> SeriesForecast:
    recent = y[-RECENT_WEEKS:]
    mean = float(np.mean(recent))
    sigma = max(float(np.std(recent)), math.sqrt(mean))
    means = np.full(horizon, mean)
    bounds = {
        f"{side}-{level}": means + sign * Z_TWO_SIDED[level] * sigma
        for level in LEVELS
        for side, sign in (("lo", -1.0), ("hi", 1.0))
    }
    steps = _steps(_Path(means, bounds))
    assert steps is not None
    return SeriesForecast(
        intermittency=info,
        model=FALLBACK,
        method=ForecastMethod.FALLBACK,
        scores=scores or {},
        parameters={
            "model": {"name": FALLBACK, "family": "fallback", "weeks": int(recent.size)},
            "intervals": "normal",
        },
        sigma=_sigma(sigma),
        steps=steps,
        note=f"{reason}: the mean of the last {recent.size} week(s), "
        f"{bt.decimal_text(mean)} a week (sigma {bt.decimal_text(sigma)}). "
        f"{_demand_text(info, len(y))}",
    )


# --- why ---------------------------------------------------------------------------------


def _demand_text(info: Intermittency, weeks: int) -> str:
    return (
        f"Demand is {info.demand_class.value} (ADI {info.adi}, CV² {info.cv2}): "
        f"{info.demand_weeks} of {weeks} weeks had orders."
    )


def _why(
    chosen: Candidate,
    candidates: Sequence[Candidate],
    outcomes: dict[str, bt.Outcome],
    plan: BacktestPlan,
    info: Intermittency,
    weeks: int,
) -> str:
    scaled = all(isinstance(o, bt.Failed) or o.rmsse is not None for o in outcomes.values())

    def figure(name: str) -> str:
        outcome = outcomes[name]
        if isinstance(outcome, bt.Failed):
            return "failed"
        return str(bt.decimal_text(outcome.rmsse if scaled else outcome.rmse))

    others = ", ".join(f"{c.name} {figure(c.name)}" for c in candidates if c is not chosen)
    baseline = baseline_of(plan)
    lead = (
        f"No model beat the {chosen.name} baseline"
        if chosen.name == baseline.name
        else f"{chosen.name} had the lowest error"
    )
    return (
        f"{lead} in a rolling-origin backtest ({plan.windows} windows of {plan.horizon} "
        f"weeks; {'RMSSE' if scaled else 'RMSE'} {figure(chosen.name)} against {others}). "
        f"{_demand_text(info, weeks)}"
    )
