"""A run's stored accuracy, and the stock projection with real purchase orders and
transfers, on both databases."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ordersmith import clock
from ordersmith.catalog.queries import product_id_for_sku
from ordersmith.forecasting import accuracy_queries, queries
from ordersmith.forecasting.errors import ForecastAccuracyUnavailable, ForecastRunNotFound
from ordersmith.forecasting.projection import projections
from ordersmith.forecasting.requests import RunRequest
from ordersmith.forecasting.services import run_forecast
from tests.factories.forecasting import TODAY, import_weekly_history, steady_weeks
from tests.factories.inventory import stock_up
from tests.factories.kpi import SetClock
from tests.factories.purchasing import approve, make_po, make_supplier, supply


@pytest.fixture
def history(shop, monkeypatch):
    """A-1: 60 steady weeks at MAIN (20 ± 4), 70 in stock; B-2: 5 weeks."""
    SetClock(monkeypatch, TODAY)
    import_weekly_history(shop.db, shop.cash.id, "A-1", steady_weeks(60))
    import_weekly_history(shop.db, shop.cash.id, "B-2", [3, 0, 5, 1, 2])
    stock_up(shop.db, {("MAIN", "A-1"): 70})
    return shop.db


def test_a_run_stores_its_accuracy_per_series_and_overall(history):
    # given
    timings = {}
    # when
    run = run_forecast(history, actor="test", request=RunRequest(), timings=timings)
    # then the run's summary: one series backtested (Naive baseline: 60 weeks), one not
    overall = run.accuracy
    assert (overall["series"], overall["evaluated"], overall["not_evaluated"]) == (2, 1, 1)
    assert overall["baselines"] == {"Naive": 1}
    assert set(overall["selection"]) == {"mase_mean", "mase_median", "wape"}
    assert sum(overall["verdicts"].values()) == 1
    assert set(timings) == {"read", "forecast", "store", "series"}
    # and per series, read back in Decimal
    with history.reader() as session:
        found = accuracy_queries.run_accuracy(session, run.id)
        only_b = accuracy_queries.run_accuracy(session, run.id, skus=["B-2"])
        latest = accuracy_queries.latest_completed_run(session)
        (a1,) = queries.latest_forecasts(session, product_id_for_sku(session, "A-1"))
    assert latest == run.id
    a, b = found.rows
    assert (a.sku, a.warehouse, a.baseline, a.windows) == ("A-1", "MAIN", "Naive", 2)
    assert a.wape == (a.abs_error / a.actual).quantize(Decimal("0.0001"))
    assert a.baseline_wape == (a.baseline_abs_error / a.actual).quantize(Decimal("0.0001"))
    assert a.verdict in {"better", "same", "worse"}
    assert a.wape is not None
    assert a.mase is not None
    assert (b.sku, b.method, b.verdict, b.mase) == ("B-2", "fallback", "not_evaluated", None)
    assert [r.sku for r in only_b.rows] == ["B-2"]
    assert a1.accuracy["verdict"] == a.verdict
    # and the stored WAPE of every candidate
    assert all("wape" in s for s in a1.scores.values())
    total = accuracy_queries.subtotal(found.rows)
    assert (total.series, total.evaluated, total.wape) == (2, 1, a.wape)


def test_accuracy_is_refused_for_an_unknown_or_unfinished_run(history):
    # given a run that failed
    def progress(done, total):
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        run_forecast(history, actor="test", request=RunRequest(), progress=progress)
    # when / then
    with history.reader() as session:
        (failed,) = queries.list_runs(session)
        with pytest.raises(ForecastAccuracyUnavailable, match="is failed"):
            accuracy_queries.run_accuracy(session, failed.id)
        with pytest.raises(ForecastRunNotFound):
            accuracy_queries.latest_completed_run(session)


def test_the_projection_counts_a_purchase_order_in_the_week_it_is_expected(history):
    # given a run, then 200 units approved on a PO from a supplier with 14 days' lead time:
    # expected Wednesday 18 March, the third week from Wednesday 4 March
    run_forecast(history, actor="test", request=RunRequest(skus=["A-1"]))
    supplier = make_supplier(history)
    supply(history, supplier, "A-1", "4.00", 14)
    approve(history, make_po(history, supplier, ("A-1", 200)))
    # when
    with history.reader() as session:
        found = queries.latest_forecasts(session, product_id_for_sku(session, "A-1"))
        projected = projections(session, found, today=clock.today())
    # then
    (f,) = found
    p = projected[f.warehouse_id]
    assert (p.today, p.available, p.backordered, p.start) == (date(2026, 3, 4), 70, 0, 70)
    assert [w.receipts for w in p.weeks[:4]] == [0, 0, 200, 0]
    assert p.weeks[0].week_start == date(2026, 3, 2)
    assert p.weeks[0].demand == (f.points[0].mean * 5 / 7).quantize(Decimal("0.01"))
    assert p.weeks[1].demand == f.points[1].mean
    for before, after in zip(p.weeks, p.weeks[1:], strict=False):
        assert after.opening == before.closing
        assert after.closing == after.opening + after.receipts - after.demand
    assert p.safety_stock == f.safety_stock
    # about 20 a week: 70 lasts into week 4 without the PO, and past week 13 with it
    assert p.stock_out_week is None
