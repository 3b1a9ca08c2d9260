"""Forecast runs stored with their series, points and buffers, on both databases."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
import sqlalchemy as sa

from ordersmith.catalog.queries import product_id_for_sku
from ordersmith.db import table_of
from ordersmith.errors import ValidationFailed
from ordersmith.forecasting import queries, selection
from ordersmith.forecasting.models import ForecastPoint, ForecastRun, ForecastSeries
from ordersmith.forecasting.requests import RunRequest
from ordersmith.forecasting.services import run_forecast
from ordersmith.outbox.models import OutboxEvent
from tests.factories.forecasting import (
    THIS_WEEK,
    TODAY,
    WEEK,
    import_weekly_history,
    steady_weeks,
)
from tests.factories.inventory import stock_up
from tests.factories.kpi import SetClock


@pytest.fixture
def history(shop, monkeypatch):
    """A-1: 60 steady weeks at MAIN (20 ± 4 a week) and 30 in stock; B-2: 5 weeks."""
    SetClock(monkeypatch, TODAY)
    import_weekly_history(shop.db, shop.cash.id, "A-1", steady_weeks(60))
    import_weekly_history(shop.db, shop.cash.id, "B-2", [3, 0, 5, 1, 2])
    stock_up(shop.db, {("MAIN", "A-1"): 30})
    return shop.db


def count(db, model):
    with db.reader() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(table_of(model)))


def test_a_run_stores_every_series_with_its_points_buffer_and_why(history):
    # given
    db = history
    seen = []
    # when
    run = run_forecast(
        db, actor="user:planner", request=RunRequest(), progress=lambda d, t: seen.append((d, t))
    )
    # then the run
    assert (run.status, run.series_count, run.horizon_weeks) == ("completed", 2, 13)
    assert run.service_level == Decimal("0.9500")
    assert run.actor == "user:planner"
    assert run.parameters["first_forecast_week"] == THIS_WEEK.isoformat()
    assert run.note == "2 series: 1 chosen by backtest, 1 on the recent-mean fallback"
    assert seen[-1] == (2, 2)  # after each chunk of series
    assert run.models["RecentMean"] == 1
    assert sum(run.models.values()) == 2
    # and its series, each with 13 points from the current week on
    with db.reader() as session:
        a1, b2 = (
            queries.latest_forecasts(session, product_id_for_sku(session, s))[0]
            for s in ("A-1", "B-2")
        )
    assert a1.method == "backtest"
    assert a1.model in {"Naive", "AutoETS", "AutoTheta"}
    assert set(a1.scores) == {"Naive", "AutoETS", "AutoTheta"}
    assert len(a1.history) == 60
    assert a1.history[-1] == (THIS_WEEK - WEEK, a1.history[-1][1])
    assert [p.week_start for p in a1.points] == [THIS_WEEK + i * WEEK for i in range(13)]
    for p in a1.points + b2.points:
        assert 0 <= p.lo95 <= p.lo80 <= p.mean <= p.hi80 <= p.hi95
    assert "rolling-origin backtest" in a1.note
    assert b2.method == "fallback"
    assert "only 5 week(s) of history" in b2.note
    # and the buffer can be recomputed from what is stored
    z = Decimal(a1.parameters["z"])
    assert z == Decimal("1.6449")
    expected = math.ceil(z * a1.error_sigma * (Decimal(a1.lead_time_days) / 7).sqrt())
    assert a1.safety_stock == expected
    assert a1.lead_time_days == 14
    assert a1.lead_time_demand == a1.points[0].mean + a1.points[1].mean
    assert a1.reorder_point == math.ceil(a1.lead_time_demand + a1.safety_stock)
    assert a1.order_up_to == math.ceil(a1.lead_time_demand + a1.review_demand + a1.safety_stock)
    assert (a1.available, a1.backordered, a1.on_order) == (30, 0, 0)
    assert a1.recommended_order == max(0, a1.order_up_to - 30)
    assert a1.horizon_demand == sum(p.mean for p in a1.points)
    # and an event was written for the outbox
    with db.reader() as session:
        events = table_of(OutboxEvent)
        payload = session.scalar(
            sa.select(events.c.payload).where(events.c.event_type == "forecast_run.completed")
        )
    assert payload["series_count"] == 2


def test_a_newer_run_supersedes_the_older_one_and_runs_list_newest_first(history):
    # given
    first = run_forecast(history, actor="test", request=RunRequest(skus=["B-2"]))
    # when
    second = run_forecast(history, actor="test", request=RunRequest(skus=["B-2"], horizon=4))
    # then
    with history.reader() as session:
        latest = queries.latest_forecasts(session, product_id_for_sku(session, "B-2"))
        listed = queries.list_runs(session, limit=10)
        older = queries.list_runs(session, limit=10, before=(second.started_at, second.id))
    assert [f.run_id for f in latest] == [second.id]
    assert len(latest[0].points) == 4
    assert [r.id for r in listed] == [second.id, first.id]
    assert [r.id for r in older] == [first.id]


def test_a_run_over_a_database_without_history_completes_with_nothing_to_forecast(shop):
    # when
    run = run_forecast(shop.db, actor="test", request=RunRequest())
    # then
    assert (run.status, run.series_count) == ("completed", 0)
    assert "nothing to forecast" in run.note
    assert count(shop.db, ForecastSeries) == 0


def test_a_bad_request_lists_every_problem_and_writes_nothing(history):
    # when
    with pytest.raises(ValidationFailed) as refused:
        run_forecast(
            history,
            actor="test",
            request=RunRequest(
                horizon=0, service_level=Decimal("1.5"), skus=["A-1"], warehouses=["MAIN"]
            ),
        )
    with pytest.raises(ValidationFailed) as unknown:
        run_forecast(
            history,
            actor="test",
            request=RunRequest(skus=["A-1", "NOPE", "SVC"], warehouses=["MAIN", "MOON"]),
        )
    # then
    assert [(f.field, f.message) for f in refused.value.fields] == [
        ("horizon", "from 1 to 52 weeks"),
        ("service_level", "from 0.5 to 0.999, e.g. 0.95"),
    ]
    assert [f.field for f in unknown.value.fields] == ["skus.1", "skus.2", "warehouses.1"]
    assert "not stocked" in unknown.value.fields[1].message
    assert count(history, ForecastRun) == 0


def test_filters_and_a_service_level_narrow_the_run(history):
    # when
    run = run_forecast(
        history,
        actor="test",
        request=RunRequest(skus=["A-1"], warehouses=["main"], service_level=Decimal("0.99")),
    )
    # then
    assert run.series_count == 1
    assert run.service_level == Decimal("0.9900")
    assert run.parameters["skus"] == ["A-1"]
    assert run.parameters["warehouses"] == ["MAIN"]
    with history.reader() as session:
        (a1,) = queries.latest_forecasts(session, product_id_for_sku(session, "A-1"))
    assert a1.parameters["z"] == "2.3263"


def test_a_run_that_breaks_off_is_marked_failed_with_the_reason(history):
    # given
    def progress(done, total):
        raise RuntimeError("disk full")

    # when
    with pytest.raises(RuntimeError, match="disk full"):
        run_forecast(history, actor="test", request=RunRequest(), progress=progress)
    # then
    with history.reader() as session:
        (run,) = queries.list_runs(session)
    assert (run.status, run.note) == ("failed", "RuntimeError: disk full")
    assert run.finished_at is not None
    assert count(history, ForecastSeries) == 0
    assert count(history, ForecastPoint) == 0


def test_one_series_whose_statistics_raise_falls_back_without_failing_the_run(history, monkeypatch):
    # given
    real = selection.conclude

    def conclude(setup, outcomes, *, horizon):
        if len(setup.y) == 60:
            raise FloatingPointError("overflow in exp")
        return real(setup, outcomes, horizon=horizon)

    monkeypatch.setattr(selection, "conclude", conclude)
    # when
    run = run_forecast(history, actor="test", request=RunRequest())
    # then
    assert run.status == "completed"
    with history.reader() as session:
        (a1,) = queries.latest_forecasts(session, product_id_for_sku(session, "A-1"))
    assert a1.model == "RecentMean"
    assert a1.note.startswith("the models raised FloatingPointError: overflow in exp")


def test_a_runs_series_page_by_sku_and_warehouse(history):
    # given
    run = run_forecast(history, actor="test", request=RunRequest())
    # when
    with history.reader() as session:
        first = queries.run_series(session, run.id, limit=1)
        rest = queries.run_series(session, run.id, limit=5, after=("A-1", "MAIN"))
        detail = queries.get_run(session, run.id)
    # then
    assert [(s.sku, s.warehouse) for s in first] == [("A-1", "MAIN")]
    assert [(s.sku, s.model, s.method, s.rmsse) for s in rest] == [
        ("B-2", "RecentMean", "fallback", None)
    ]
    assert first[0].rmsse is not None
    assert sum(detail.models.values()) == 2
    assert sum(detail.demand_classes.values()) == 2
