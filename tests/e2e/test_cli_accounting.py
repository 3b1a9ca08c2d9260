"""`ordersmith accounting export|aging|dso|statement|remind` against real databases."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from ordersmith.cli.main import app
from ordersmith.uow import Database
from tests.factories.billing import bill_order, pay
from tests.factories.orders import order_request, place
from tests.integration.accounting.conftest import SetClock, pdf_text
from tests.integration.conftest import Shop, make_shop
from tests.integration.notifications.conftest import outbox

D = Decimal


def run(db: Database, *args: str):
    env = {
        "ORDERSMITH_DATABASE_URL": db.settings.effective_database_url,
        "ORDERSMITH_DATA_DIR": str(db.settings.data_dir),
        "COLUMNS": "160",
    }
    return CliRunner().invoke(app, list(args), env=env)


@pytest.fixture
def books(db: Database, monkeypatch: pytest.MonkeyPatch) -> Shop:
    """Bob: 30.00 invoiced on 2 March 2026 (due 1 April), 60.00 on 20 March (due 19
    April), 20.00 paid on 25 March; the clock is on 25 March."""
    clock = SetClock(monkeypatch, date(2026, 3, 2))
    shop = make_shop(db)
    bill_order(db, place(db, order_request(shop.trade.id, ("SVC", 1))).id)
    clock.day(date(2026, 3, 20))
    bill_order(db, place(db, order_request(shop.trade.id, ("SVC", 2))).id)
    clock.day(date(2026, 3, 25))
    pay(db, shop.trade.id, "20.00")
    return shop


def test_export_writes_the_batch_file_and_a_second_run_writes_the_same_file(db, books, tmp_path):
    # given
    first, second = tmp_path / "march.csv", tmp_path / "again.csv"
    args = [
        "accounting",
        "export",
        "--kind",
        "journal",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
    ]
    # when
    made = run(db, *args, "--out", str(first))
    repeated = run(db, *args, "--out", str(second))
    # then
    assert made.exit_code == 0, made.output
    assert "3 journal entries, new batch" in made.stdout
    assert repeated.exit_code == 0, repeated.output
    assert "existing batch (nothing marked)" in repeated.stdout
    assert first.read_bytes() == second.read_bytes()
    rows = list(csv.DictReader(io.StringIO(first.read_text(), newline="")))
    assert sum(D(r["debit"]) for r in rows) == sum(D(r["credit"]) for r in rows) == D("110.00")


def test_export_new_only_and_a_bad_kind(db, books, tmp_path):
    # given / when
    xero = run(
        db, "accounting", "export", "--kind", "xero", "--from", "2026-03-01", "--to",
        "2026-03-31", "--new-only", "--out", str(tmp_path / "x.csv"),
    )  # fmt: skip
    bad = run(
        db, "accounting", "export", "--kind", "ledger", "--from", "2026-03-01", "--to",
        "2026-03-31", "--out", str(tmp_path / "y.csv"),
    )  # fmt: skip
    backwards = run(
        db, "accounting", "export", "--kind", "journal", "--from", "2026-03-31", "--to",
        "2026-03-01", "--out", str(tmp_path / "z.csv"),
    )  # fmt: skip
    # then
    assert xero.exit_code == 0, xero.output
    assert (tmp_path / "x.csv").read_text().startswith("*Narration,*Date,")
    assert bad.exit_code != 0
    assert backwards.exit_code == 1
    assert backwards.exception.code == "validation_error"
    assert not (tmp_path / "z.csv").exists()


def test_aging_and_dso_print_the_receivables(db, books):
    # given / when
    aging = run(db, "accounting", "aging", "--as-of", "2026-04-10")
    as_json = run(db, "accounting", "aging", "--as-of", "2026-04-10", "--json")
    dso = run(db, "accounting", "dso", "--days", "30", "--as-of", "2026-03-31")
    # then: the first invoice is 9 days past due with 10.00 left, the second current
    assert aging.exit_code == 0, aging.output
    assert books.trade.number in aging.stdout
    assert "60.00" in aging.stdout
    assert "10.00" in aging.stdout
    assert '"days_1_30": "10.00"' in as_json.stdout
    assert dso.exit_code == 0, dso.output
    # 70.00 open / 90.00 sold in 30 days x 30 = 23.3
    assert "EUR: DSO 23.3 days" in dso.stdout


def test_statement_writes_a_pdf_and_can_email_it(db, books, tmp_path):
    # given
    out = tmp_path / "statement.pdf"
    # when
    result = run(
        db, "accounting", "statement", books.trade.number, "--from", "2026-03-01", "--to",
        "2026-03-31", "--out", str(out), "--email",
    )  # fmt: skip
    nowhere = run(
        db, "accounting", "statement", books.trade.number, "--from", "2026-03-01", "--to",
        "2026-03-31",
    )  # fmt: skip
    # then
    assert result.exit_code == 0, result.output
    assert "closing 70.00 EUR" in result.stdout
    assert "Closing balance (EUR) 70.00" in pdf_text(out.read_bytes())
    assert len(outbox(db, "customer.statement_requested")) == 1
    assert nowhere.exit_code == 1
    assert [f.message for f in nowhere.exception.fields] == ["give --out or --email"]


def test_remind_queues_each_step_once(db, books):
    # given / when: 2 April: the first invoice is 1 day overdue
    first = run(db, "accounting", "remind", "--today", "2026-04-02")
    again = run(db, "accounting", "remind", "--today", "2026-04-02")
    bad = run(db, "accounting", "remind", "--steps", "1,x")
    # then
    assert first.exit_code == 0, first.output
    assert "1 payment reminder(s) queued for 2026-04-02" in first.stdout
    assert "0 payment reminder(s)" in again.stdout
    assert bad.exit_code == 1
    assert len(outbox(db, "invoice.reminder_due")) == 1
