"""Which models compete for a series, and how much history the backtest takes.

The backtest (ordersmith.forecasting.backtest) forecasts ``h`` weeks ahead from
``windows`` origins, ``step`` weeks apart, at the end of the history (rolling origin):

    h       = min(horizon, 13)
    step    = h                             the test periods do not overlap
    windows = min(4, (n - t - h) // step + 1)   4 * 13: the last year is tested
    the first training set: n - (windows - 1) * step - h weeks, at least t

With ``t`` = 52, every origin has a full year behind it, so the same week last year
is known: such a **seasonal plan** needs 2 windows, so 78 weeks of history for a 13-week
horizon, and allows the seasonal candidates. A shorter series is backtested with
``t`` = 13 (at least 39 weeks), without them. Shorter still: no backtest, the fallback
(ordersmith.forecasting.selection).

Candidates, always with the baseline first (on a tie, the simpler model wins):

- baseline: ``SeasonalNaive`` (the same week last year, season 52) with a seasonal plan,
  else ``Naive`` (last week again);
- regular demand (smooth, erratic): ``AutoETS`` (non-seasonal: an ETS with 52 weekly
  seasonal states is slow and badly over-fitted, so yearly seasons are left to the
  others), ``AutoTheta`` (season 52 with a seasonal plan: it deseasonalises when its
  own seasonality test at lag 52 passes, which needs two years) and ``MSTL`` (STL
  decomposition with a 52-week season, the rest forecast by a non-seasonal ETS) when
  every backtest training set holds two full years (156 weeks for 4 windows);
- slow movers (intermittent, lumpy): ``CrostonSBA`` (Syntetos-Boylan approximation),
  ``TSB`` (Teunter-Syntetos-Babai, smoothing 0.1 for demand and for probability: it
  lets the forecast decay when demand stops) and ``ADIDA`` (temporal aggregation).

The season is 52 weeks for demand; the evaluation on public data
(ordersmith.forecasting.evaluation) passes another (12 for monthly series): the plan
then needs a full season behind every origin, and MSTL two.

Models are built on demand, importing statsforecast then (never at import time).
"""

# float-ok-module: smoothing parameters of statistical models, not quantities

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SEASON = 52
MAX_BACKTEST_HORIZON = 13
MIN_TRAIN_WEEKS = 13
MAX_WINDOWS = 4
MIN_WINDOWS = 2
TSB_ALPHA_DEMAND = 0.1
TSB_ALPHA_PROBABILITY = 0.1


@dataclass(frozen=True, slots=True)
class BacktestPlan:
    horizon: int
    windows: int
    step: int
    history: int  # weeks in the series
    seasonal: bool  # every origin has a full season (52 weeks) behind it
    season: int = SEASON  # periods in a season (52 weeks; 12 for monthly data)

    @property
    def first_train(self) -> int:
        """Weeks the earliest window trains on."""
        return self.history - (self.windows - 1) * self.step - self.horizon

    def describe(self) -> dict[str, int | bool]:
        return {
            "horizon": self.horizon,
            "windows": self.windows,
            "step": self.step,
            "seasonal": self.seasonal,
            "season": self.season,
        }


def min_history(horizon: int) -> int:
    """Weeks a series needs for a (plain) backtest with MIN_WINDOWS windows."""
    h = min(horizon, MAX_BACKTEST_HORIZON)
    return MIN_TRAIN_WEEKS + h + (MIN_WINDOWS - 1) * h


def backtest_plan(weeks: int, horizon: int, season: int = SEASON) -> BacktestPlan | None:
    """The rolling-origin backtest for a series of ``weeks`` weeks: seasonal if it can
    be, else plain, else None (too short for MIN_WINDOWS windows)."""
    h = min(horizon, MAX_BACKTEST_HORIZON)
    for train, seasonal in ((season, True), (MIN_TRAIN_WEEKS, False)):
        room = weeks - train - h
        windows = min(MAX_WINDOWS, room // h + 1) if room >= 0 else 0
        if windows >= MIN_WINDOWS:
            return BacktestPlan(h, windows, h, weeks, seasonal, season)
    return None


@dataclass(frozen=True, slots=True)
class Candidate:
    name: str
    family: str  # baseline, exponential_smoothing, theta, decomposition, intermittent
    season_length: int = 1
    native_intervals: bool = True
    """The model gives its own prediction intervals; otherwise they come from the
    backtest errors (ordersmith.forecasting.selection)."""

    @property
    def seasonal(self) -> bool:
        return self.season_length > 1

    def build(self) -> Any:
        """A fresh statsforecast model."""
        from statsforecast import models as sf

        builders: dict[str, Any] = {
            "Naive": lambda: sf.Naive(alias=self.name),
            "SeasonalNaive": lambda: sf.SeasonalNaive(self.season_length, alias=self.name),
            "AutoETS": lambda: sf.AutoETS(season_length=1, alias=self.name),
            "AutoTheta": lambda: sf.AutoTheta(season_length=self.season_length, alias=self.name),
            "MSTL": lambda: sf.MSTL(
                season_length=self.season_length,
                trend_forecaster=sf.AutoETS(model="ZZN"),
                alias=self.name,
            ),
            "CrostonSBA": lambda: sf.CrostonSBA(alias=self.name),
            "TSB": lambda: sf.TSB(
                alpha_d=TSB_ALPHA_DEMAND, alpha_p=TSB_ALPHA_PROBABILITY, alias=self.name
            ),
            "ADIDA": lambda: sf.ADIDA(alias=self.name),
        }
        return builders[self.name]()


def candidates_for(plan: BacktestPlan, *, slow_mover: bool) -> list[Candidate]:
    """The models that compete for a series (baseline first)."""
    found = [baseline_of(plan)]
    if slow_mover:
        found += [
            Candidate("CrostonSBA", "intermittent", native_intervals=False),
            Candidate("TSB", "intermittent", native_intervals=False),
            Candidate("ADIDA", "intermittent", native_intervals=False),
        ]
        return found
    found += [
        Candidate("AutoETS", "exponential_smoothing"),
        Candidate("AutoTheta", "theta", plan.season if plan.seasonal else 1),
    ]
    if plan.first_train >= 2 * plan.season:
        found.append(Candidate("MSTL", "decomposition", plan.season))
    return found


def baseline_of(plan: BacktestPlan) -> Candidate:
    """The benchmark every other candidate must beat."""
    if plan.seasonal:
        return Candidate("SeasonalNaive", "baseline", plan.season)
    return Candidate("Naive", "baseline")
