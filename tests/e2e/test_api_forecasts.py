"""The forecast routes over HTTP: start a run, read runs and series, a SKU's forecast."""

from __future__ import annotations

import uuid

import pytest

from ordersmith.auth.models import Role
from ordersmith.web.api import forecasts
from tests.e2e.conftest import assert_problem, bearer
from tests.factories.forecasting import THIS_WEEK, TODAY, import_weekly_history, steady_weeks
from tests.factories.kpi import SetClock

RUNS = "/api/v1/forecasts/runs"


@pytest.fixture
def history(api, db, shop, monkeypatch):
    """A-1: 60 steady weeks (10 in stock at MAIN); B-2: 3 weeks."""
    SetClock(monkeypatch, TODAY)
    product = {"sku": "B-2", "name": "Bolt", "price": "0.35", "currency": "EUR"}
    assert api.post("/api/v1/products", json=product).status_code == 201
    customer = uuid.UUID(shop["id"])
    import_weekly_history(db, customer, "A-1", steady_weeks(60))
    import_weekly_history(db, customer, "B-2", [3, 0, 5])
    return api


def test_a_run_started_over_http_answers_with_the_stored_run(history):
    # when
    response = history.post(RUNS, json={})
    # then
    assert response.status_code == 201, response.text
    run = response.json()
    assert run["status"] == "completed"
    assert (run["series_count"], run["horizon_weeks"], run["service_level"]) == (2, 13, "0.95")
    assert sum(run["models"].values()) == 2
    assert run["models"]["RecentMean"] == 1
    assert set(run["demand_classes"]) <= {"smooth", "erratic", "intermittent", "lumpy"}
    assert run["parameters"]["first_forecast_week"] == THIS_WEEK.isoformat()
    assert run["actor"].startswith("token:")


def test_the_latest_forecast_of_a_sku_has_history_points_intervals_buffer_and_why(history):
    # given
    run = history.post(RUNS, json={"horizon": 8}).json()
    # when
    response = history.get("/api/v1/forecasts/A-1", params={"warehouse": "MAIN"})
    # then
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["sku"] == "A-1"
    (f,) = body["forecasts"]
    assert (f["run_id"], f["warehouse"], f["method"]) == (run["id"], "MAIN", "backtest")
    assert len(f["history"]) == 60
    assert f["history"][0].keys() == {"week_start", "quantity"}
    assert len(f["points"]) == 8
    first = f["points"][0]
    assert first["week_start"] == THIS_WEEK.isoformat()
    assert all(isinstance(first[k], str) for k in ("mean", "lo80", "hi80", "lo95", "hi95"))
    assert float(first["lo95"]) <= float(first["mean"]) <= float(first["hi95"])
    assert f["model"] in f["scores"]
    assert "rolling-origin backtest" in f["why"]
    buffer = f["buffer"]
    assert (buffer["z"], buffer["service_level"], buffer["lead_time_days"]) == (
        "1.6449",
        "0.95",
        14,
    )
    assert buffer["available"] == 10
    assert buffer["position"] == 10
    assert buffer["recommended_order"] == max(0, buffer["order_up_to"] - 10)


def test_runs_are_listed_newest_first_with_a_cursor_and_their_series_page(history):
    # given
    older = history.post(RUNS, json={"skus": ["B-2"]}).json()
    newer = history.post(RUNS, json={}).json()
    # when
    page = history.get(RUNS, params={"limit": 1}).json()
    rest = history.get(RUNS, params={"limit": 1, "cursor": page["next_cursor"]}).json()
    detail = history.get(f"{RUNS}/{older['id']}").json()
    series = history.get(f"{RUNS}/{newer['id']}/series", params={"limit": 1}).json()
    more = history.get(
        f"{RUNS}/{newer['id']}/series", params={"limit": 1, "cursor": series["next_cursor"]}
    ).json()
    # then
    assert [r["id"] for r in page["items"]] == [newer["id"]]
    assert [r["id"] for r in rest["items"]] == [older["id"]]
    assert rest["next_cursor"] is None
    assert (detail["series_count"], detail["models"]) == (1, {"RecentMean": 1})
    assert [(s["sku"], s["warehouse"]) for s in series["items"]] == [("A-1", "MAIN")]
    assert [(s["sku"], s["method"]) for s in more["items"]] == [("B-2", "fallback")]
    assert more["next_cursor"] is None


def test_a_run_without_any_history_completes_with_no_series(api):
    # when
    response = api.post(RUNS, json={})
    # then
    assert response.status_code == 201
    assert response.json()["series_count"] == 0
    assert "nothing to forecast" in response.json()["note"]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"skus": ["NOPE"]}, ["skus.0"]),
        ({"horizon": 0, "warehouses": ["MOON"]}, ["horizon"]),
        ({"service_level": "0.3"}, ["service_level"]),
    ],
)
def test_a_bad_run_request_is_a_422_with_field_errors_and_stores_nothing(history, body, fields):
    # when
    response = history.post(RUNS, json=body)
    # then
    problem = assert_problem(response, 422, "validation_error")
    assert [e["field"] for e in problem["errors"]] == fields
    assert history.get(RUNS).json()["items"] == []


def test_a_malformed_run_request_is_a_422(api):
    for body in (
        {"service_level": "lots"},
        {"horizon": "soon"},
        {"colour": "blue"},
        {"skus": [""]},
    ):
        assert_problem(api.post(RUNS, json=body), 422, "validation_error")


def test_a_run_too_big_for_one_request_is_refused(history, monkeypatch):
    # given
    monkeypatch.setattr(forecasts, "MAX_SERIES_PER_REQUEST", 1)
    # when
    response = history.post(RUNS, json={})
    # then
    problem = assert_problem(response, 422, "too_many_series")
    assert (problem["series"], problem["max_series"]) == (2, 1)
    assert history.get(RUNS).json()["items"] == []


def test_a_repeated_idempotency_key_replays_the_first_run(history):
    # when
    headers = {"Idempotency-Key": "forecast-monday"}
    first = history.post(RUNS, json={"horizon": 4}, headers=headers)
    again = history.post(RUNS, json={"horizon": 4}, headers=headers)
    # then
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert len(history.get(RUNS).json()["items"]) == 1


def test_what_does_not_exist_is_a_404_with_its_code(history):
    for path, code in [
        ("/api/v1/forecasts/NOPE", "product_not_found"),
        ("/api/v1/forecasts/A-1", "forecast_not_found"),
        ("/api/v1/forecasts/A-1?warehouse=MOON", "warehouse_not_found"),
        (f"{RUNS}/not-a-run", "forecast_run_not_found"),
        (f"{RUNS}/{uuid.UUID(int=7)}", "forecast_run_not_found"),
        (f"{RUNS}/{uuid.UUID(int=7)}/series", "forecast_run_not_found"),
    ]:
        assert_problem(history.get(path), 404, code)
    assert_problem(history.get(RUNS, params={"cursor": "garbage"}), 422, "invalid_cursor")


def test_integrations_may_read_forecasts_but_not_start_runs(client, db, history):
    # given
    history.post(RUNS, json={"skus": ["B-2"]})
    integration = bearer(db, Role.INTEGRATION)
    # when
    read = client.get("/api/v1/forecasts/B-2", headers=integration)
    start = client.post(RUNS, json={}, headers=integration)
    anonymous = client.get(RUNS, headers={"Authorization": ""})
    # then
    assert read.status_code == 200
    assert_problem(start, 403, "forbidden")
    assert_problem(anonymous, 401, "unauthorized")


def test_text_that_cannot_be_stored_is_a_clean_422_or_404_never_a_database_error(history):
    # when
    run = history.post(RUNS, json={"skus": ["A\u0000-1"], "warehouses": ["MA\u0000IN"]})
    forecast = history.get("/api/v1/forecasts/A%00-1")
    at = history.get("/api/v1/forecasts/A-1", params={"warehouse": "M\u0000"})
    # then
    problem = assert_problem(run, 422, "validation_error")
    assert [e["field"] for e in problem["errors"]] == ["skus.0", "warehouses.0"]
    assert_problem(forecast, 404, "product_not_found")
    assert_problem(at, 404, "warehouse_not_found")


def test_a_runs_accuracy_lists_each_series_against_its_baseline_and_the_overall(history):
    # given
    run = history.post(RUNS, json={}).json()
    # when
    response = history.get(f"{RUNS}/{run['id']}/accuracy")
    page = history.get(f"{RUNS}/{run['id']}/accuracy", params={"limit": 1}).json()
    rest = history.get(
        f"{RUNS}/{run['id']}/accuracy", params={"limit": 1, "cursor": page["next_cursor"]}
    ).json()
    only = history.get(f"{RUNS}/{run['id']}/accuracy", params={"sku": ["A-1"]}).json()
    # then
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["run_id"], body["horizon_weeks"]) == (run["id"], 13)
    overall = body["overall"]
    assert (overall["series"], overall["evaluated"]) == (2, 1)
    assert (
        set(overall["selection"])
        == set(overall["baseline"])
        == {
            "mase_mean",
            "mase_median",
            "wape",
        }
    )
    a1, b2 = body["items"]
    assert (a1["sku"], a1["warehouse"], a1["baseline"], a1["windows"]) == (
        "A-1",
        "MAIN",
        "Naive",
        2,
    )
    assert all(isinstance(a1[k], str) for k in ("mase", "wape", "baseline_mase", "baseline_wape"))
    assert a1["verdict"] in {"better", "same", "worse"}
    assert (b2["sku"], b2["verdict"], b2["wape"]) == ("B-2", "not_evaluated", None)
    assert body["listed"] is None
    assert [i["sku"] for i in page["items"]] == ["A-1"]
    assert [i["sku"] for i in rest["items"]] == ["B-2"]
    assert rest["next_cursor"] is None
    assert [i["sku"] for i in only["items"]] == ["A-1"]
    assert only["listed"]["wape"] == a1["wape"]
    assert run["accuracy"] == overall


def test_accuracy_of_a_run_that_does_not_exist_is_a_404(history):
    assert_problem(
        history.get(f"{RUNS}/{uuid.UUID(int=9)}/accuracy"), 404, "forecast_run_not_found"
    )
    assert_problem(history.get(f"{RUNS}/nope/accuracy"), 404, "forecast_run_not_found")
    run = history.post(RUNS, json={}).json()
    bad = history.get(f"{RUNS}/{run['id']}/accuracy", params={"cursor": "garbage"})
    assert_problem(bad, 422, "invalid_cursor")
    nul = history.get(f"{RUNS}/{run['id']}/accuracy", params={"sku": ["A\u0000"]})
    assert nul.status_code == 200
    assert nul.json()["items"] == []


def test_the_forecast_of_a_sku_carries_its_projected_stock_for_a_chart(history):
    # given
    history.post(RUNS, json={"skus": ["A-1"]})
    # when
    (f,) = history.get("/api/v1/forecasts/A-1").json()["forecasts"]
    # then 13 weeks from the current one; A-1 has 10 in stock and sells about 20 a week
    weeks = f["projection"]
    assert len(weeks) == 13
    assert weeks[0].keys() == {
        "week_start",
        "opening",
        "receipts",
        "demand",
        "closing",
        "below_safety_stock",
    }
    assert weeks[0]["week_start"] == THIS_WEEK.isoformat() == f["points"][0]["week_start"]
    assert weeks[0]["opening"] == "10.00"
    summary = f["projection_summary"]
    assert (summary["today"], summary["start"], summary["available"]) == (
        TODAY.date().isoformat(),
        10,
        10,
    )
    assert summary["stock_out_week"] == THIS_WEEK.isoformat()  # 10 < 5/7 of ~20
    assert summary["stock_out_date"] is not None
    assert summary["safety_stock"] == f["buffer"]["safety_stock"]
    assert f["accuracy"]["baseline"] == "Naive"
