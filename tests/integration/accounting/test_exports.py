"""Accounting exports: the files read back and matched to the journal, batches asked for
again, new-only hand-offs, and two exports at once."""

from __future__ import annotations

import csv
import io
import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from ordersmith.billing.exports import ExportResult, batch_file, export
from ordersmith.billing.models import JournalEntry, JournalLine
from ordersmith.db import table_of
from ordersmith.errors import ValidationFailed
from ordersmith.uow import Database
from tests.factories.billing import bill_order, credit, pay
from tests.factories.orders import order_request, place
from tests.integration.accounting.conftest import SetClock
from tests.integration.conftest import Shop

D = Decimal
MARCH = (date(2026, 3, 1), date(2026, 3, 31))


def parse_journal_csv(content: str) -> dict[str, list[dict[str, str]]]:
    """Our journal CSV read back: entry number -> its lines, as the file has them."""
    entries: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in csv.DictReader(io.StringIO(content, newline="")):
        entries[row["entry_number"]].append(row)
    return dict(entries)


def parse_xero_csv(content: str) -> dict[tuple[str, str], list[dict[str, str]]]:
    """Xero's Manual Journal import read back as Xero groups it: (narration, date)."""
    journals: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for row in csv.DictReader(io.StringIO(content, newline="")):
        journals[(row["*Narration"], row["*Date"])].append(row)
    return dict(journals)


def journal_of(db: Database, date_from: date, date_to: date) -> dict[str, list[tuple]]:
    """The journal itself: entry number -> (account code, debit, credit) per line."""
    entries, lines = table_of(JournalEntry), table_of(JournalLine)
    with db.reader() as session:
        rows = session.execute(
            sa.select(entries.c.number, lines.c.account_code, lines.c.debit, lines.c.credit)
            .join(lines, lines.c.entry_id == entries.c.id)
            .where(entries.c.entry_date >= date_from, entries.c.entry_date <= date_to)
            .order_by(entries.c.number, lines.c.line_no)
        ).all()
    found: dict[str, list[tuple]] = defaultdict(list)
    for number, code, debit, credited in rows:
        found[number].append((code, debit, credited))
    return dict(found)


def marks(db: Database) -> dict[str, tuple[datetime | None, str | None]]:
    entries = table_of(JournalEntry)
    with db.reader() as session:
        rows = session.execute(
            sa.select(entries.c.number, entries.c.exported_at, entries.c.export_batch)
        ).all()
    return {r[0]: (r[1], r[2]) for r in rows}


def run_export(db: Database, kind: str, period=MARCH, *, new_only: bool = False) -> ExportResult:
    with db.unit_of_work(actor="user:accountant") as uow:
        return export(uow, kind=kind, date_from=period[0], date_to=period[1], new_only=new_only)


def file_of(db: Database, result: ExportResult, file_format: str | None = None) -> str:
    with db.reader() as session:
        return batch_file(session, result.batch.id, file_format=file_format).content


@pytest.fixture
def march(shop: Shop, monkeypatch: pytest.MonkeyPatch) -> SetClock:
    """Bob's March: two invoices (30.00 on 2 March; 3 anvils 45.00 incl. 20% tax on 9
    March), 80.00 paid on 16 March (5.00 of it credit), 10.00 credited on 23 March;
    and an invoice of 60.00 on 2 April. The clock is left on 2 April."""
    from tests.factories.inventory import stock_up

    clock = SetClock(monkeypatch, date(2026, 3, 2))
    bill_order(shop.db, place(shop.db, order_request(shop.trade.id, ("SVC", 1))).id)
    clock.day(date(2026, 3, 9))
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    second = bill_order(shop.db, place(shop.db, order_request(shop.trade.id, ("A-1", 3))).id)
    clock.day(date(2026, 3, 16))
    pay(shop.db, shop.trade.id, "80.00", received_on=date(2026, 3, 16))
    clock.day(date(2026, 3, 23))
    credit(shop.db, second.id, "goodwill", amount=D("10.00"))
    clock.day(date(2026, 4, 2))
    bill_order(shop.db, place(shop.db, order_request(shop.trade.id, ("SVC", 2))).id)
    return clock


def test_the_journal_export_read_back_matches_the_journal_entry_for_entry(
    shop: Shop, march: SetClock
) -> None:
    # given Bob's March
    # when
    result = run_export(shop.db, "journal")
    parsed = parse_journal_csv(file_of(shop.db, result))
    # then every March entry is in the file once, with its lines, and each balances
    journal = journal_of(shop.db, *MARCH)
    assert sorted(parsed) == sorted(journal)
    assert result.batch.entry_count == len(journal) == 4
    for number, rows in parsed.items():
        assert [(r["account_code"], D(r["debit"]), D(r["credit"])) for r in rows] == journal[number]
        assert sum(D(r["debit"]) for r in rows) == sum(D(r["credit"]) for r in rows)
        assert {r["entry_date"][:7] for r in rows} == {"2026-03"}
    assert sum(D(r["debit"]) for rows in parsed.values() for r in rows) == D("165.00")
    # and the April invoice is not in it
    assert len(journal_of(shop.db, date(2026, 4, 1), date(2026, 4, 30))) == 1


def test_the_xero_export_has_one_balanced_journal_per_entry_in_xeros_columns(
    shop: Shop, march: SetClock
) -> None:
    # given Bob's March
    # when
    result = run_export(shop.db, "xero")
    content = file_of(shop.db, result)
    journals = parse_xero_csv(content)
    # then
    assert content.splitlines()[0] == (
        "*Narration,*Date,Description,*AccountCode,*TaxRate,*Amount,"
        "TrackingName1,TrackingOption1,TrackingName2,TrackingOption2"
    )
    journal = journal_of(shop.db, *MARCH)
    assert sorted(n.split(" ")[0] for n, _d in journals) == sorted(journal)
    for (narration, day), rows in journals.items():
        assert sum(D(r["*Amount"]) for r in rows) == 0
        number = narration.split(" ")[0]
        assert [
            (r["*AccountCode"], max(D(r["*Amount"]), D(0)), max(-D(r["*Amount"]), D(0)))
            for r in rows
        ] == journal[number]
        assert day.endswith("/03/2026")
        assert {r["*TaxRate"] for r in rows} == {"Tax Exempt"}
    # the same batch prints as our journal CSV too
    assert sorted(parse_journal_csv(file_of(shop.db, result, "journal"))) == sorted(journal)


def test_exporting_a_period_twice_returns_the_same_batch_and_marks_nothing_twice(
    shop: Shop, march: SetClock
) -> None:
    # given March exported once
    first = run_export(shop.db, "journal")
    first_file, marked = file_of(shop.db, first), marks(shop.db)
    # a payment recorded later but dated in March
    march.day(date(2026, 4, 3))
    pay(shop.db, shop.trade.id, "7.00", received_on=date(2026, 3, 30))
    # when March is exported again
    again = run_export(shop.db, "journal")
    # then it is the same batch and the same file; no mark moved
    assert (again.batch.id, again.created, first.created) == (first.batch.id, False, True)
    assert file_of(shop.db, again) == first_file
    after = marks(shop.db)
    assert {n: after[n] for n in marked if marked[n][0]} == {
        n: v for n, v in marked.items() if v[0]
    }
    # and the late payment waits for a new-only export, which takes it alone
    late = run_export(shop.db, "journal", new_only=True)
    assert (late.created, late.batch.entry_count, late.already_exported) == (True, 1, 4)
    [late_entry] = parse_journal_csv(file_of(shop.db, late))
    assert late_entry not in parse_journal_csv(first_file)
    nothing = run_export(shop.db, "journal", new_only=True)
    assert (nothing.created, nothing.batch.entry_count) == (True, 0)
    assert file_of(shop.db, nothing).count("\r\n") == 1  # the header alone
    assert sum(1 for v in marks(shop.db).values() if v[1] == str(first.batch.id)) == 4


def test_an_entry_handed_off_in_one_format_is_not_handed_off_again_in_another(
    shop: Shop, march: SetClock
) -> None:
    # given March handed off as our journal CSV
    run_export(shop.db, "journal")
    # when the same period is asked for in Xero's format
    xero = run_export(shop.db, "xero")
    # then the Xero batch is empty and says why
    assert (xero.created, xero.batch.entry_count, xero.already_exported) == (True, 0, 4)
    assert parse_xero_csv(file_of(shop.db, xero)) == {}


def test_two_exports_of_one_period_at_once_make_one_batch_with_every_entry_once(
    shop: Shop, march: SetClock
) -> None:
    # given two clerks exporting March at the same moment
    start = threading.Barrier(2)

    def clerk(_n: int) -> ExportResult:
        start.wait()
        return run_export(shop.db, "journal")

    # when
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(clerk, range(2)))
    # then
    assert len({r.batch.id for r in results}) == 1
    assert sorted(r.created for r in results) == [False, True]
    batch = str(results[0].batch.id)
    assert sum(1 for v in marks(shop.db).values() if v[1] == batch) == 4


def test_the_invoice_export_lists_every_line_of_the_periods_invoices(
    shop: Shop, march: SetClock
) -> None:
    # given Bob's March
    # when
    result = run_export(shop.db, "invoices")
    again = run_export(shop.db, "invoices")
    rows = list(csv.DictReader(io.StringIO(file_of(shop.db, result), newline="")))
    # then
    assert (again.batch.id, again.created, result.batch.entry_count) == (result.batch.id, False, 2)
    assert [
        (
            r["sku"],
            r["quantity"],
            r["net_amount"],
            r["tax_rate"],
            r["tax_amount"],
            r["invoice_total"],
        )
        for r in rows
    ] == [
        ("SVC", "1", "30.00", "0", "0.00", "30.00"),
        ("A-1", "3", "37.50", "0.2", "7.50", "45.00"),
    ]
    assert {r["customer_number"] for r in rows} == {shop.trade.number}
    assert marks(shop.db)
    assert all(v == (None, None) for v in marks(shop.db).values())


def test_bad_export_requests_are_refused_and_change_nothing(shop: Shop, march: SetClock) -> None:
    # given / when / then
    with pytest.raises(ValidationFailed) as backwards:
        run_export(shop.db, "journal", (date(2026, 3, 31), date(2026, 3, 1)))
    with pytest.raises(ValidationFailed) as wrong_kind:
        run_export(shop.db, "ledger")
    with pytest.raises(ValidationFailed) as invoices_new_only:
        run_export(shop.db, "invoices", new_only=True)
    result = run_export(shop.db, "invoices")
    with pytest.raises(ValidationFailed) as wrong_format:
        file_of(shop.db, result, "xero")
    assert [f.field for f in backwards.value.fields] == ["to"]
    assert [f.field for f in wrong_kind.value.fields] == ["kind"]
    assert [f.field for f in invoices_new_only.value.fields] == ["new_only"]
    assert [f.field for f in wrong_format.value.fields] == ["format"]
    assert all(v == (None, None) for v in marks(shop.db).values())
