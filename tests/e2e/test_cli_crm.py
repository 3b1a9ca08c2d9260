"""`ordersmith customers overview|contacts|tiers|duplicates|merge|unmerge` against a real
database (the sub-app invoked directly; an OmsError is the result's exception)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ordersmith.cli.customers_cmd import app as customers_app
from ordersmith.customers.errors import MergeNotAllowed
from ordersmith.customers.merge import list_merges
from ordersmith.customers.queries import get_customer
from ordersmith.errors import ValidationFailed
from ordersmith.uow import Database
from tests.e2e.test_cli import run
from tests.factories.customers import make_customer, make_tier


@pytest.fixture
def runner(db: Database, tmp_path: Path) -> CliRunner:
    return CliRunner(
        env={
            "ORDERSMITH_DATABASE_URL": db.settings.effective_database_url,
            "ORDERSMITH_DATA_DIR": str(tmp_path),
            "ORDERSMITH_ENVIRONMENT": "test",
            "COLUMNS": "200",
        }
    )


def test_a_duplicate_is_listed_merged_shown_and_unmerged(runner: CliRunner, db: Database) -> None:
    # given two records with the same phone
    with db.unit_of_work(actor="test") as uow:
        ada = make_customer(uow, name="Ada", phone="+44 20 7946 0000")
    with db.unit_of_work(actor="test") as uow:
        twin = make_customer(uow, name="Ada L", phone="44 (20) 7946-0000")
    # when
    found = runner.invoke(customers_app, ["duplicates", "--rule", "phone"])
    merged = runner.invoke(customers_app, ["merge", ada.number, twin.number, "--reason", "same"])
    shown = runner.invoke(customers_app, ["show", ada.number, "--overview"])
    # then
    assert found.exit_code == 0, found.output
    assert ada.number in found.output
    assert twin.number in found.output
    assert merged.exit_code == 0, merged.output
    assert shown.exit_code == 0, shown.output
    assert "lifetime value" in shown.output or "orders 0" in shown.output
    with db.reader() as session:
        (merge,), _ = list_merges(session)
    undone = runner.invoke(customers_app, ["unmerge", str(merge.id), "--reason", "two people"])
    assert undone.exit_code == 0, undone.output
    with db.reader() as session:
        assert get_customer(session, twin.id).merged_into_id is None


def test_merging_a_customer_into_itself_fails_and_changes_nothing(
    runner: CliRunner, db: Database
) -> None:
    # given
    with db.unit_of_work(actor="test") as uow:
        ada = make_customer(uow)
    # when
    result = runner.invoke(customers_app, ["merge", ada.number, ada.number, "--reason", "x"])
    # then
    assert result.exit_code != 0
    assert isinstance(result.exception, MergeNotAllowed)
    assert result.exception.code == "merge_same_customer"


def test_tiers_and_contacts_are_managed_from_the_terminal(runner: CliRunner, db: Database) -> None:
    # given
    with db.unit_of_work(actor="test") as uow:
        ada = make_customer(uow)
    # when
    tier = runner.invoke(
        customers_app,
        ["tiers", "set", "gold", "--name", "Gold", "--rank", "2", "--min-spend", "500"],
    )
    listed = runner.invoke(customers_app, ["tiers", "list"])
    recalc = runner.invoke(customers_app, ["tiers", "recalc"])
    contact = runner.invoke(
        customers_app, ["contacts", "add", ada.number, "--name", "Grace", "--role", "buyer"]
    )
    contacts = runner.invoke(customers_app, ["contacts", "list", ada.number])
    # then
    for result in (tier, listed, recalc, contact, contacts):
        assert result.exit_code == 0, result.output
    assert "gold" in listed.output
    assert "Grace" in contacts.output


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["set", "gold", "--name", "G", "--rank", "9" * 20, "--min-orders", "1"], "rank"),
        (["set", "gold", "--name", "G", "--rank", "1", "--min-orders", "2147483648"], "min_orders"),
        (["recalc", "--as-of", "0001-01-01"], "as_of"),
    ],
)
def test_out_of_range_tier_numbers_and_dates_exit_non_zero_naming_the_field(
    db: Database, args: list[str], field: str
) -> None:
    # given a tier, so the recalculation has periods to reach back over
    with db.unit_of_work(actor="test") as uow:
        make_tier(uow, "silver", rank=1, min_orders=2)
    # when
    result = run(db, "customers", "tiers", *args)
    # then: the message ordersmith prints (error [validation_error]: ..., then the field)
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, ValidationFailed)
    assert [f.field for f in result.exception.fields] == [field]
