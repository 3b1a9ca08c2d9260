"""`ordersmith demo --simulate-fulfilment`, as `make run` calls it, on real databases."""

from __future__ import annotations

import sqlalchemy as sa
from typer.testing import CliRunner

from ordersmith import clock
from ordersmith.catalog.services import create_product
from ordersmith.cli.main import app
from ordersmith.db import table_of
from ordersmith.demo.loader import has_business_data
from ordersmith.errors import ValidationFailed
from ordersmith.shipping.models import Shipment
from tests.integration.demo.simulated import story_told_at

runner = CliRunner()
MAKE_RUN = ("demo", "--if-empty", "--simulate-fulfilment", "--history-days", "20")


def run(db, *args: str):
    env = {
        "ORDERSMITH_DATABASE_URL": db.settings.effective_database_url,
        "ORDERSMITH_DATA_DIR": str(db.settings.data_dir),
        "COLUMNS": "120",
    }
    return runner.invoke(app, list(args), env=env)


def _shipments(db) -> int:
    with db.reader() as session:
        return int(session.scalar(sa.select(sa.func.count()).select_from(table_of(Shipment))))


def test_make_run_twice_loads_and_simulates_once(db):
    # given: the first `make run` loads the demo and simulates fulfilment (a short story,
    # told as on a Monday: on a Tuesday its four days hold a weekend and no delivery)
    with clock.simulated(story_told_at()):
        first = run(db, *MAKE_RUN, "--fulfilment-days", "4")
    assert first.exit_code == 0, first.output
    shipments = _shipments(db)
    # when: the second finds everything there
    second = run(db, *MAKE_RUN, "--fulfilment-days", "4")
    # then
    assert "Demo data loaded" in first.output
    assert "simulated in" in first.output
    assert "shipment delivered" in first.output
    assert "Order to cash on" in first.output
    assert "payments" in first.output
    assert "aging 1-30 days" in first.output
    assert second.exit_code == 0, second.output
    assert "demo data not loaded" in second.output
    assert "fulfilment not simulated again" in second.output
    assert shipments > 0
    assert _shipments(db) == shipments


def test_simulating_on_a_database_that_is_not_the_demo_changes_nothing(db):
    # given
    with db.unit_of_work(actor="test") as uow:
        create_product(uow, sku="A-1", name="Anvil", price="5.00")
    # when
    result = run(db, "demo", "--if-empty", "--simulate-fulfilment")
    # then
    assert result.exit_code == 0, result.output
    assert "not the demo database" in result.output
    assert _shipments(db) == 0


def test_an_impossible_number_of_days_is_refused_before_anything_is_loaded(db):
    # when
    result = run(db, "demo", "--simulate-fulfilment", "--fulfilment-days", "0")
    # then
    assert result.exit_code != 0
    assert isinstance(result.exception, ValidationFailed)
    assert [f.field for f in result.exception.fields] == ["days"]
    assert not has_business_data(db)
