"""`ordersmith forecast run | show | runs` against real databases."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from ordersmith.catalog.services import create_product
from ordersmith.cli.main import app
from ordersmith.errors import OmsError
from tests.factories.customers import make_customer
from tests.factories.forecasting import THIS_WEEK, TODAY, import_weekly_history, steady_weeks
from tests.factories.inventory import make_warehouse
from tests.factories.kpi import SetClock


def run(db, *args: str):
    env = {
        "ORDERSMITH_DATABASE_URL": db.settings.effective_database_url,
        "ORDERSMITH_DATA_DIR": str(db.settings.data_dir),
        "COLUMNS": "200",  # one table row per line
    }
    return CliRunner().invoke(app, list(args), env=env)


@pytest.fixture
def history(db, monkeypatch):
    """MAIN; A-1 with 60 steady weeks, B-2 with 3 weeks; today is Wednesday 4 March 2026."""
    SetClock(monkeypatch, TODAY)
    with db.unit_of_work(actor="test") as uow:
        customer = make_customer(uow)
    with db.unit_of_work(actor="test") as uow:
        make_warehouse(uow, code="MAIN", priority=10)
        create_product(uow, sku="A-1", name="Anvil", price="12.50")
        create_product(uow, sku="B-2", name="Bolt", price="0.35")
    import_weekly_history(db, customer.id, "A-1", steady_weeks(60))
    import_weekly_history(db, customer.id, "B-2", [3, 0, 5])
    return db


def test_forecast_run_shows_progress_then_the_run_and_its_series(history):
    # when
    result = run(history, "forecast", "run")
    # then
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "forecasting" in out
    assert "2/2" in out  # the progress bar's last state
    assert "completed, 2 series, 13 weeks ahead, service level 0.9500" in out
    assert "1 chosen by backtest, 1 on the recent-mean fallback" in out
    rows = out.splitlines()
    assert any("A-1" in row and "MAIN" in row for row in rows)
    assert any("B-2" in row and "RecentMean" in row for row in rows)


def test_forecast_show_explains_the_number(history):
    # given
    assert run(history, "forecast", "run", "--horizon", "6").exit_code == 0
    # when
    result = run(history, "forecast", "show", "A-1", "--weeks", "4")
    # then
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "A-1 at MAIN" in out
    assert "why: " in out
    assert "rolling-origin backtest" in out
    assert "chosen" in out  # the scores table marks the chosen candidate
    assert "history (60 weeks, last 4)" in out
    assert THIS_WEEK.isoformat() in out
    for label in ("safety stock", "reorder point", "order-up-to level", "recommended order"):
        assert label in out
    assert "0.9500, 1.6449" in out


def test_forecast_show_json_is_the_apis_answer_and_runs_lists_the_run(history):
    # given
    assert run(history, "forecast", "run", "--sku", "B-2", "--service-level", "0.9").exit_code == 0
    # when
    shown = run(history, "forecast", "show", "B-2", "--warehouse", "main", "--json")
    listed = run(history, "forecast", "runs")
    # then
    body = json.loads(shown.stdout)
    (f,) = body["forecasts"]
    assert (body["sku"], f["warehouse"], f["model"], f["method"]) == (
        "B-2",
        "MAIN",
        "RecentMean",
        "fallback",
    )
    assert (f["buffer"]["service_level"], f["buffer"]["z"]) == ("0.90", "1.2816")
    assert "completed" in listed.stdout
    assert "cli:" in listed.stdout or "cli" in listed.stdout


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["forecast", "run", "--service-level", "high"], "[validation_error]"),
        (["forecast", "show", "A-1"], "[forecast_not_found]"),
    ],
)
def test_bad_input_exits_non_zero_with_the_error_code(db, args, code):
    # given
    with db.unit_of_work(actor="test") as uow:
        create_product(uow, sku="A-1", name="Anvil", price="12.50")
    # when
    result = subprocess.run(
        [sys.executable, "-m", "ordersmith", *args],
        env={**os.environ, "ORDERSMITH_DATABASE_URL": db.settings.effective_database_url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    # then
    assert result.returncode == 1, result.stderr
    assert code in result.stderr
    assert result.stderr.startswith("error")


def test_unknown_skus_warehouses_and_horizons_are_refused_before_anything_runs(history):
    # when
    for args, code, field in [
        (["forecast", "run", "--sku", "NOPE"], "validation_error", "skus.0"),
        (["forecast", "run", "--warehouse", "MOON"], "validation_error", "warehouses.0"),
        (["forecast", "run", "--horizon", "60"], "validation_error", "horizon"),
        (["forecast", "show", "NOPE"], "product_not_found", None),
        (["forecast", "show", "A-1", "--warehouse", "MOON"], "warehouse_not_found", None),
    ]:
        result = run(history, *args)
        # then
        assert isinstance(result.exception, OmsError), (args, result.output)
        assert result.exception.code == code
        assert [f.field for f in result.exception.fields] == ([field] if field else [])
    assert "completed" not in run(history, "forecast", "runs").stdout


def test_forecast_backtest_prints_each_series_against_the_baseline_and_the_overall(history):
    # given
    assert run(history, "forecast", "run").exit_code == 0
    # when
    table = run(history, "forecast", "backtest")
    as_json = run(history, "forecast", "backtest", "--sku", "A-1", "--json")
    # then
    assert table.exit_code == 0, table.output
    rows = table.stdout.splitlines()
    assert any("A-1" in r and "MAIN" in r and "Naive" in r for r in rows)
    assert any("B-2" in r and "not evaluated" in r for r in rows)
    assert "accuracy out of sample (1 of 2 series)" in table.stdout
    body = json.loads(as_json.stdout)
    assert [i["sku"] for i in body["items"]] == ["A-1"]
    assert body["listed"]["series"] == 1
    assert body["overall"]["series"] == 2


def test_forecast_show_projects_the_stock_week_by_week(history):
    # given
    assert run(history, "forecast", "run", "--sku", "A-1").exit_code == 0
    # when
    result = run(history, "forecast", "show", "A-1")
    # then
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "projected stock from 2026-03-04: available 0 - backordered 0 = 0" in out
    assert "stock-out projected in the week of 2026-03-02" in out


def test_forecast_backtest_without_a_run_and_evaluate_on_a_public_data_set(history):
    # when
    missing = run(history, "forecast", "backtest")
    evaluated = run(history, "forecast", "evaluate", "--dataset", "airpassengers", "--jobs", "1")
    unknown = run(history, "forecast", "evaluate", "--dataset", "m5")
    # then
    assert isinstance(missing.exception, OmsError)
    assert missing.exception.code == "forecast_run_not_found"
    assert evaluated.exit_code == 0, evaluated.output
    assert "11 series" in evaluated.stdout
    assert "accuracy out of sample (11 of 11 series)" in evaluated.stdout
    assert unknown.exception.code == "dataset_not_found"
