"""`ordersmith kpi` and `ordersmith incident ...` against real databases."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from ordersmith.catalog.services import create_product
from ordersmith.cli.main import app
from tests.conftest import make_settings
from tests.factories.customers import make_customer
from tests.factories.inventory import make_warehouse
from tests.factories.kpi import SetClock, at, week_of_orders


def run(db, *args: str):
    env = {
        "ORDERSMITH_DATABASE_URL": db.settings.effective_database_url,
        "ORDERSMITH_DATA_DIR": str(db.settings.data_dir),
        "COLUMNS": "160",  # one table row per line
    }
    return CliRunner().invoke(app, list(args), env=env)


@pytest.fixture
def settings(tmp_path, database_url):
    # several one-unit orders of one customer are no suspected duplicates here
    return make_settings(tmp_path, database_url, duplicate_window_minutes=0)


@pytest.fixture
def week(db, monkeypatch):
    with db.unit_of_work(actor="test") as uow:
        customer = make_customer(uow)
    with db.unit_of_work(actor="test") as uow:
        make_warehouse(uow, code="MAIN", priority=10)
        create_product(uow, sku="A-1", name="Anvil", price="12.50")
    return week_of_orders(db, SetClock(monkeypatch, at(2, 9)), customer.id)


def test_kpi_prints_every_rate_the_cycle_times_and_the_failing_orders(db, week):
    # when
    result = run(db, "kpi", "--from", "2026-03-01", "--to", "2026-03-31")
    # then
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "2026-03-01 to 2026-03-31" in out
    for line in [
        ("perfect order", "1", "6", "16.67 %"),
        ("complete", "4", "6", "66.67 %"),
        ("order fill rate", "5", "6", "83.33 %"),
        ("unit fill rate", "9", "10", "90.00 %"),
        ("on-time dispatch", "5", "7", "71.43 %"),
        ("placed → first dispatch", "6", "1 d 1 h", "2 d"),
        ("placed → delivered", "6", "2 d 2 h", "4 d 3 h"),
    ]:
        assert any(all(cell in row for cell in line) for row in out.splitlines()), line
    assert f"{week.number('no_slip')}  missing_packing_slip, document_corrected" in out
    assert f"{week.number('late')}  late_by_2_days" in out


def test_kpi_json_is_the_apis_answer(db, week):
    # when
    result = run(db, "kpi", "--from", "2026-03-01", "--to", "2026-03-31", "--json")
    # then
    body = json.loads(result.stdout)
    assert (body["from"], body["rate"], body["failing_count"]) == ("2026-03-01", "0.1667", 5)
    assert body["cycle_times"]["placed_to_delivery"]["p90_seconds"] == 99 * 3600


def test_incidents_are_recorded_and_listed_from_the_cli(db, week):
    # when
    recorded = run(
        db,
        "incident",
        "record",
        week.number("perfect"),
        "--kind",
        "document_correction",
        "--document",
        "label",
        "--note",
        "reprinted with the right postcode",
    )
    listed = run(db, "incident", "list", week.number("perfect"))
    report = run(db, "kpi", "--from", "2026-03-01", "--to", "2026-03-31", "--json")
    # then
    assert recorded.exit_code == 0, recorded.output
    assert "document_correction" in listed.stdout
    assert "label: reprinted with the right postcode" in listed.stdout
    assert json.loads(report.stdout)["perfect"] == 0


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["kpi", "--from", "2026-02-30"], "[validation_error]"),
        (["kpi", "--from", "2026-03-05", "--to", "2026-03-04"], "[validation_error]"),
        (["kpi", "--from", "2020-01-01", "--to", "2026-01-01"], "[window_too_long]"),
        (
            ["incident", "record", "SO-1999-000001", "--kind", "damage", "--note", "x"],
            "[order_not_found]",
        ),
    ],
)
def test_bad_input_exits_non_zero_with_the_error_code(db, args, code):
    # when
    result = subprocess.run(
        [sys.executable, "-m", "ordersmith", *args],
        env={**os.environ, "ORDERSMITH_DATABASE_URL": db.settings.effective_database_url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    # then
    assert result.returncode == 1, result.stderr
    assert code in result.stderr
    assert result.stderr.startswith("error")
