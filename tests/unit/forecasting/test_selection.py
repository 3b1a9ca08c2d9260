"""Choosing a model per series by backtest, and the forecast it makes (statsforecast)."""

import math
import random
from decimal import Decimal

import pytest

from ordersmith.forecasting import selection
from ordersmith.forecasting.candidates import backtest_plan, candidates_for, min_history
from ordersmith.forecasting.models import DemandClass, ForecastMethod
from ordersmith.forecasting.selection import forecast_series

INTERMITTENT_MODELS = {"CrostonSBA", "TSB", "ADIDA"}


def seasonal_weeks(weeks: int = 156, seed: int = 7) -> list[int]:
    """A yearly wave (40 ± 25 units) with a little noise: clearly seasonal."""
    rng = random.Random(seed)
    return [
        max(0, round(40 + 25 * math.sin(2 * math.pi * t / 52) + rng.gauss(0, 3)))
        for t in range(weeks)
    ]


def sparse_weeks(weeks: int = 104, seed: int = 3) -> list[int]:
    """A slow mover: an order of 1 to 3 units in about one week of five."""
    rng = random.Random(seed)
    values = [rng.randint(1, 3) if rng.random() < 0.2 else 0 for _ in range(weeks)]
    values[0] = 2  # a series starts with its first week of demand
    return values


def assert_ordered(forecast):
    for step in forecast.steps:
        assert Decimal(0) <= step.lo95 <= step.lo80 <= step.mean <= step.hi80 <= step.hi95
        assert all(v == v.quantize(Decimal("0.01")) for v in vars_of(step))


def vars_of(step):
    return (step.mean, step.lo80, step.hi80, step.lo95, step.hi95)


def test_a_clearly_seasonal_series_gets_a_seasonal_model():
    # when
    forecast = forecast_series(seasonal_weeks(), horizon=13)
    # then
    assert forecast.method == ForecastMethod.BACKTEST
    assert forecast.parameters["model"]["season_length"] == 52, forecast.note
    assert forecast.model in {"SeasonalNaive", "MSTL", "AutoTheta"}
    # and every candidate's score is kept, the chosen one the lowest
    assert set(forecast.scores) == {"SeasonalNaive", "AutoETS", "AutoTheta", "MSTL"}
    chosen = Decimal(forecast.scores[forecast.model]["rmse"])
    assert all(Decimal(s["rmse"]) >= chosen for s in forecast.scores.values())
    # and the forecast follows the wave: week 157 (t=156) starts a new rise
    means = forecast.means
    assert means[12] > means[0] + 10
    assert forecast.intermittency.demand_class == DemandClass.SMOOTH
    assert_ordered(forecast)


def test_a_sparse_series_is_a_slow_mover_and_gets_an_intermittent_model():
    # when
    forecast = forecast_series(sparse_weeks(), horizon=13)
    # then
    assert forecast.intermittency.slow_mover
    assert forecast.model in INTERMITTENT_MODELS, forecast.note
    assert set(forecast.scores) == {"SeasonalNaive", *INTERMITTENT_MODELS}
    assert forecast.parameters["intervals"] == "backtest_conformal"
    assert "Demand is intermittent" in forecast.note or "Demand is lumpy" in forecast.note
    assert_ordered(forecast)


def test_a_series_too_short_to_backtest_gets_the_recent_mean_and_says_so():
    # when
    forecast = forecast_series([4, 0, 6, 2, 3], horizon=13)
    # then: the mean of 5 weeks is 3; sigma = max(std 2.0, √3 = 1.7321) = 2
    assert forecast.method == ForecastMethod.FALLBACK
    assert forecast.model == "RecentMean"
    assert forecast.means == [Decimal("3.00")] * 13
    assert forecast.sigma == Decimal("2.0000")
    assert "only 5 week(s) of history" in forecast.note
    assert f"({min_history(13)} needed)" in forecast.note
    assert forecast.scores == {}
    assert_ordered(forecast)


def test_a_new_product_with_one_week_of_sales_still_gets_a_buffer():
    # when
    forecast = forecast_series([9], horizon=4)
    # then: sigma is at least √mean (a Poisson count), never 0
    assert forecast.sigma == Decimal("3.0000")
    assert len(forecast.steps) == 4


def test_a_flat_series_is_forecast_flat_with_no_error_and_the_baseline_keeps_the_tie():
    # when
    forecast = forecast_series([5] * 60, horizon=13)
    # then
    assert forecast.model == "Naive"
    assert forecast.sigma == Decimal("0.0000")
    assert forecast.means == [Decimal("5.00")] * 13
    assert "No model beat the Naive baseline" in forecast.note
    assert forecast.scores["Naive"]["rmsse"] is None  # no week-to-week change to scale by


def test_a_candidate_that_fails_is_recorded_and_the_others_still_compete(monkeypatch):
    # given AutoETS raising whenever it is fitted
    from ordersmith.forecasting import candidates

    original = candidates.Candidate.build

    def build(self):
        if self.name == "AutoETS":
            raise RuntimeError("ETS exploded")
        return original(self)

    monkeypatch.setattr(candidates.Candidate, "build", build)
    # when
    forecast = forecast_series(seasonal_weeks(70), horizon=13)
    # then
    assert forecast.scores["AutoETS"] == {"error": "RuntimeError: ETS exploded"}
    assert forecast.model in {"Naive", "AutoTheta"}
    assert forecast.method == ForecastMethod.BACKTEST


def test_when_every_candidate_fails_the_series_falls_back(monkeypatch):
    # given
    from ordersmith.forecasting import candidates

    def build(self):
        raise RuntimeError("no statistics today")

    monkeypatch.setattr(candidates.Candidate, "build", build)
    # when
    forecast = forecast_series([3] * 50, horizon=13)
    # then
    assert forecast.model == "RecentMean"
    assert forecast.note.startswith("no candidate model could forecast this series")
    assert forecast.scores["Naive"] == {"error": "RuntimeError: no statistics today"}


@pytest.mark.parametrize(
    ("weeks", "horizon", "windows", "first_train", "seasonal"),
    [
        (38, 13, None, None, None),  # 13 + 13 + 13 = 39 needed for two windows
        (39, 13, 2, 13, False),
        (64, 13, 3, 25, False),
        (77, 13, 4, 25, False),
        (78, 13, 2, 52, True),  # a full year behind each of two origins
        (100, 13, 3, 61, True),
        (156, 13, 4, 104, True),
        (30, 4, 4, 14, False),  # a short horizon backtests shorter windows
    ],
)
def test_the_backtest_takes_up_to_four_windows_from_the_end_of_the_history(
    weeks, horizon, windows, first_train, seasonal
):
    # when
    plan = backtest_plan(weeks, horizon)
    # then
    if windows is None:
        assert plan is None
    else:
        assert (plan.windows, plan.first_train, plan.seasonal) == (windows, first_train, seasonal)


def test_seasonal_candidates_need_a_year_behind_every_origin_and_mstl_two():
    # when
    short = [c.name for c in candidates_for(backtest_plan(70, 13), slow_mover=False)]
    seasonal = [c.name for c in candidates_for(backtest_plan(104, 13), slow_mover=False)]
    three_years = [c.name for c in candidates_for(backtest_plan(156, 13), slow_mover=False)]
    slow = [c.name for c in candidates_for(backtest_plan(104, 13), slow_mover=True)]
    # then
    assert short == ["Naive", "AutoETS", "AutoTheta"]
    assert seasonal == ["SeasonalNaive", "AutoETS", "AutoTheta"]
    assert three_years == ["SeasonalNaive", "AutoETS", "AutoTheta", "MSTL"]
    assert slow == ["SeasonalNaive", "CrostonSBA", "TSB", "ADIDA"]


def test_the_fallback_is_available_on_its_own_with_a_reason():
    # when
    forecast = selection.fallback_forecast([2, 2, 2], horizon=2, reason="the models raised X")
    # then
    assert forecast.note.startswith("the models raised X: the mean of the last 3 week(s)")
    assert forecast.means == [Decimal("2.00"), Decimal("2.00")]


def test_when_the_best_candidate_cannot_fit_the_whole_history_the_next_best_is_used(
    monkeypatch,
):
    # given the final fit of the backtest's winner failing once
    real, calls = selection._final, []

    def final(candidate, y, horizon, score):
        calls.append(candidate.name)
        if len(calls) == 1:
            raise ArithmeticError("singular matrix")
        return real(candidate, y, horizon, score)

    monkeypatch.setattr(selection, "_final", final)
    # when
    forecast = forecast_series(seasonal_weeks(), horizon=13)
    # then
    best, used = calls
    assert forecast.model == used
    assert forecast.scores[best]["final_fit_error"] == "ArithmeticError: singular matrix"
    assert f"({best} scored better but could not forecast from the whole history.)" in (
        forecast.note
    )
