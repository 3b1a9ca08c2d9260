"""Many series at once: the same forecasts as one by one, in worker processes too."""

import pytest

from ordersmith.forecasting import batch, selection
from ordersmith.forecasting.batch import forecast_all, forecast_many
from ordersmith.forecasting.selection import forecast_series
from tests.unit.forecasting.test_selection import seasonal_weeks, sparse_weeks


def mixed():
    """Three-year and two-year seasonal series, slow movers, a short one, a new one."""
    return (
        [seasonal_weeks(156, seed=s) for s in range(3)]
        + [seasonal_weeks(104, seed=s) for s in range(3)]
        + [sparse_weeks(104, seed=s) for s in range(3)]
        + [seasonal_weeks(50, seed=1), [4, 0, 6]]
    )


def same(a, b):
    return (a.model, a.means, a.scores, a.note, a.sigma) == (
        b.model,
        b.means,
        b.scores,
        b.note,
        b.sigma,
    ) and (a.accuracy.as_json() if a.accuracy else None) == (
        b.accuracy.as_json() if b.accuracy else None
    )


def test_batched_forecasts_are_the_forecasts_of_each_series_alone():
    # given
    series = mixed()
    # when
    together = forecast_many(series, horizon=13)
    alone = [forecast_series(v, horizon=13) for v in series]
    # then
    assert len(together) == len(series)
    assert all(same(a, b) for a, b in zip(together, alone, strict=True))
    assert together[-1].model == "RecentMean"


def test_a_series_whose_statistics_raise_falls_back_alone(monkeypatch):
    # given
    real = selection.conclude

    def conclude(setup, outcomes, *, horizon):
        if len(setup.y) == 50:
            raise FloatingPointError("overflow in exp")
        return real(setup, outcomes, horizon=horizon)

    monkeypatch.setattr(selection, "conclude", conclude)
    # when
    found = forecast_many(mixed(), horizon=13)
    # then
    assert found[-2].model == "RecentMean"
    assert found[-2].note.startswith("the models raised FloatingPointError: overflow in exp")
    assert found[0].model != "RecentMean"


def test_a_wrong_horizon_is_the_callers_mistake():
    with pytest.raises(ValueError, match="horizon"):
        forecast_many([[1, 2, 3]], horizon=0)


def test_worker_processes_give_the_same_forecasts_in_the_same_order(monkeypatch):
    # given chunks of 3 series over 2 workers
    monkeypatch.setattr(batch, "PARALLEL_MIN", 4)
    monkeypatch.setattr(batch, "PROCESS_CHUNK", 3)
    series, seen = mixed(), []
    # when
    found = forecast_all(series, horizon=13, jobs=2, progress=lambda d, t: seen.append((d, t)))
    # then
    alone = forecast_many(series, horizon=13)
    assert all(same(a, b) for a, b in zip(found, alone, strict=True))
    assert seen[-1] == (11, 11)
    assert len(seen) == 4  # one report per chunk: 3 + 3 + 3 + 2


def test_series_with_the_same_plan_are_cross_validated_in_one_call(monkeypatch):
    # given
    from ordersmith.forecasting import backtest

    calls = []
    real = backtest._cross_validate

    def cross_validate(series, plan, candidates):
        calls.append(len(series))
        return real(series, plan, candidates)

    monkeypatch.setattr(backtest, "_cross_validate", cross_validate)
    # when
    forecast_many([seasonal_weeks(104, seed=s) for s in range(5)], horizon=13)
    # then
    assert calls == [5]
