"""MASE and WAPE worked out by hand, the out-of-sample selection rule, and seasonal
series on which the selection beats the seasonal naive (docs/forecasting.md also
records a noisier set on which it does not)."""

import numpy as np
import pytest

from ordersmith.forecasting.accuracy import evaluate_selection, mase, summarise, wape
from ordersmith.forecasting.backtest import naive_scale, score
from ordersmith.forecasting.candidates import BacktestPlan, Candidate
from ordersmith.forecasting.evaluation import evaluate
from tests.unit.forecasting.test_selection import seasonal_weeks


def arr(*values):
    return np.asarray(values, dtype=np.float64)


def test_mase_and_wape_of_a_tiny_series_match_the_hand_computation():
    # given a history 10, 12, 11, 15: changes 2, -1, 4, mean |change| = 7/3
    scale = naive_scale(arr(10, 12, 11, 15))[1]
    # and a forecast of 14, 14, 14 for weeks that sold 13, 16, 12: errors 1, -2, 2
    errors = arr(14, 14, 14) - arr(13, 16, 12)
    # when / then: MAE 5/3, MASE (5/3) / (7/3) = 5/7; WAPE 5 / 41
    assert scale == pytest.approx(7 / 3)
    assert mase(errors, scale) == pytest.approx(5 / 7)
    assert wape(errors, arr(13, 16, 12)) == pytest.approx(5 / 41)


def test_a_backtest_score_carries_wape_next_to_the_other_metrics():
    # when: the same forecast as above
    found = score(arr(14, 14, 14), arr(13, 16, 12), naive_scale(arr(10, 12, 11, 15)))
    # then
    text = found.as_json()
    assert (text["mase"], text["wape"], text["mae"], text["bias"]) == (
        "0.7143",
        "0.1220",
        "1.6667",
        "0.3333",
    )


def test_metrics_without_a_scale_or_without_demand_are_none():
    assert mase(arr(1, -1), 0.0) is None
    assert wape(arr(1, -1), arr(0, 0)) is None
    assert naive_scale(arr(5, 5, 5)) == (0.0, 0.0)


def test_the_selection_is_scored_on_each_window_with_what_the_earlier_windows_chose():
    # given three windows of two weeks; the actuals are 10 every week
    plan = BacktestPlan(horizon=2, windows=3, step=2, history=60, seasonal=False)
    candidates = [Candidate("Naive", "baseline"), Candidate("AutoETS", "exponential_smoothing")]
    actual = arr(10, 10, 10, 10, 10, 10)
    # Naive misses by 1 in window 1, 4 in window 2, 1 in window 3
    naive = score(arr(11, 9, 14, 6, 11, 9), actual, (1.0, 1.0))
    # AutoETS misses by 3 in window 1, 0 in window 2, 3 in window 3
    ets = score(arr(13, 7, 10, 10, 13, 7), actual, (1.0, 1.0))
    # when
    found = evaluate_selection(plan, candidates, {"Naive": naive, "AutoETS": ets}, 2.0)
    # then window 2 goes to Naive (better in window 1): |e| 4 + 4 = 8;
    # window 3 to AutoETS (RMSE over windows 1-2: √(9+9)/... = 2.12 < Naive's 2.92): 3 + 3
    assert found.picked == ("Naive", "AutoETS")
    assert (found.abs_error, found.baseline_abs_error, found.actual) == (14.0, 10.0, 40.0)
    assert (found.windows, found.points) == (2, 4)
    # MASE = (14 / 4) / 2 = 1.75 against (10 / 4) / 2 = 1.25; WAPE 14/40 against 10/40
    assert (found.mase, found.baseline_mase) == (1.75, 1.25)
    assert (found.wape, found.baseline_wape) == (0.35, 0.25)
    assert found.verdict == "worse"


def test_a_run_pools_wape_over_its_series_and_takes_the_mean_and_median_of_mase():
    # given
    plan = BacktestPlan(horizon=1, windows=2, step=1, history=60, seasonal=False)
    naive = [Candidate("Naive", "baseline")]

    def series(baseline_errors, actuals, scale):
        outcome = score(arr(*actuals) + arr(*baseline_errors), arr(*actuals), (1.0, 1.0))
        return evaluate_selection(plan, naive, {"Naive": outcome}, scale)

    small = series([0, 1], [1, 1], 1.0)  # |e| 1 of 1 sold, MASE 1
    big = series([0, 10], [1, 100], 2.0)  # |e| 10 of 100 sold, MASE 5
    flat = series([0, 3], [1, 2], 0.0)  # no scale: no MASE, still in the WAPE
    # when
    found = summarise([small, big, flat, None])
    # then WAPE pooled = (1 + 10 + 3) / (1 + 100 + 2), not the mean of 1, 0.1 and 1.5
    assert found.selection_wape == pytest.approx(14 / 103)
    assert (found.selection_mase_mean, found.selection_mase_median) == (3.0, 3.0)
    assert (found.series, found.evaluated, found.mase_series) == (4, 3, 2)
    assert found.verdicts == {"better": 0, "same": 3, "worse": 0}
    assert found.beats_baseline is False  # the same as the baseline is not beating it


def test_on_the_seasonal_fixture_the_selection_beats_the_seasonal_naive_on_wape():
    # given six three-year series of the selection tests' yearly wave (40 ± 25, noise sd 3)
    series = [(f"s{seed}", seasonal_weeks(156, seed=seed)) for seed in range(6)]
    # when
    found = evaluate(series, horizon=13)
    # then
    summary = found.summary
    assert summary.evaluated == 6
    assert summary.baselines == {"SeasonalNaive": 6}
    assert summary.selection_wape < summary.baseline_wape
    assert summary.beats_baseline is True
    assert all(r.accuracy.windows == 3 for r in found.rows)
    assert {r.model for r in found.rows} == {"MSTL"}  # what the runs would forecast with
