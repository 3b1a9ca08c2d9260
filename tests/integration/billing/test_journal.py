"""The journal: every billing event posts one balanced entry, in the same transaction."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from ordersmith import clock
from ordersmith.billing import journal
from ordersmith.billing.accounts import Account, AccountRole, chart_of_accounts
from ordersmith.billing.errors import UnbalancedEntry
from ordersmith.billing.models import JournalEntry, JournalLine
from ordersmith.billing.payments import refund_payment
from ordersmith.db import table_of
from ordersmith.uow import Database, UnitOfWork
from tests.factories.billing import assert_books_clean, bill_order, credit, pay
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place
from tests.integration.conftest import Shop

D = Decimal


def _entries(db: Database) -> list[tuple[str, list[tuple[str, Decimal, Decimal]]]]:
    entries, lines = table_of(JournalEntry), table_of(JournalLine)
    with db.reader() as session:
        rows = session.execute(
            sa.select(entries.c.number, entries.c.source_type, lines.c.account_code)
            .add_columns(lines.c.debit, lines.c.credit)
            .join(lines, lines.c.entry_id == entries.c.id)
            .order_by(entries.c.number, lines.c.line_no)
        ).all()
    out: dict[str, tuple[str, list[tuple[str, Decimal, Decimal]]]] = {}
    for number, source, code, debit, credit_ in rows:
        out.setdefault(number, (source, []))[1].append((code, debit, credit_))
    return list(out.values())


def test_invoice_payment_credit_note_and_refund_each_post_one_balanced_entry(shop: Shop) -> None:
    # given / when: 45.00 invoiced, 50.00 paid by card, 9.00 credited, 5.00 + 9.00 refunded
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    invoice = bill_order(shop.db, place(shop.db, order_request(shop.trade.id, ("A-1", 3))).id)
    payment = pay(shop.db, shop.trade.id, "50.00", method="card", card_last4="0005")
    credit(shop.db, invoice.id, amount=D("9.00"))
    with shop.db.unit_of_work(actor="t") as uow:
        refund_payment(uow, payment_id=payment.id, amount=D("5.00"), reason="overpaid")
    # then
    assert _entries(shop.db) == [
        (
            "invoice",
            [("1100", D("45"), D("0")), ("4000", D("0"), D("37.5")), ("2200", D("0"), D("7.5"))],
        ),
        (
            "payment",
            [("1210", D("50"), D("0")), ("1100", D("0"), D("45")), ("2300", D("0"), D("5"))],
        ),
        (
            "credit_note",
            [("4900", D("7.5"), D("0")), ("2200", D("1.5"), D("0")), ("2300", D("0"), D("9"))],
        ),
        ("refund", [("2300", D("5"), D("0")), ("1210", D("0"), D("5"))]),
    ]
    assert_books_clean(shop.db)


def test_an_unbalanced_entry_is_refused_and_nothing_is_written(db: Database) -> None:
    # given / when
    with pytest.raises(UnbalancedEntry) as refused, db.unit_of_work(actor="t") as uow:
        journal.post(
            uow,
            entry_date=clock.today(),
            currency="EUR",
            source_type="test",
            source_id=uuid.uuid4(),
            description="broken",
            postings=[
                journal.Posting(AccountRole.BANK, debit=D("10.00")),
                journal.Posting(AccountRole.REVENUE, credit=D("9.99")),
            ],
        )
    # then
    assert refused.value.code == "unbalanced_journal_entry"
    assert _entries(db) == []


def test_the_chart_of_accounts_can_rename_and_renumber_accounts(db: Database) -> None:
    # given
    chart = chart_of_accounts("receivable=1400:Debtors; bank = 1250")
    # when
    with db.unit_of_work(actor="t") as uow:
        journal.post(
            uow,
            entry_date=clock.today(),
            currency="EUR",
            source_type="test",
            source_id=uuid.uuid4(),
            description="opening",
            postings=[
                journal.Posting(AccountRole.BANK, debit=D("10.00")),
                journal.Posting(AccountRole.RECEIVABLE, credit=D("10.00")),
            ],
            chart=chart,
        )
    # then
    assert chart[AccountRole.RECEIVABLE] == Account("1400", "Debtors")
    assert chart[AccountRole.BANK] == Account("1250", "Bank")
    assert _entries(db) == [("test", [("1250", D("10"), D("0")), ("1400", D("0"), D("10"))])]


def _opening(uow: UnitOfWork, day: date, amount: str) -> None:
    journal.post(
        uow,
        entry_date=day,
        currency="EUR",
        source_type="test",
        source_id=uuid.uuid4(),
        description=f"opening {amount}",
        postings=[
            journal.Posting(AccountRole.BANK, debit=D(amount)),
            journal.Posting(AccountRole.RECEIVABLE, credit=D(amount)),
        ],
    )


def _post_then_fail(db: Database, day: date) -> None:
    with db.unit_of_work(actor="t") as uow:
        _opening(uow, day, "99.00")
        raise RuntimeError("refused after posting")


def test_entries_are_numbered_at_commit_in_posting_order_and_a_failed_unit_burns_none(
    db: Database,
) -> None:
    # given a unit of work that posted an entry and then failed
    today = clock.today()
    with pytest.raises(RuntimeError):
        _post_then_fail(db, today)
    # when another posts three entries, one of them dated last year
    with db.unit_of_work(actor="t") as uow:
        _opening(uow, today, "1.00")
        _opening(uow, today.replace(year=today.year - 1, day=1), "2.00")
        _opening(uow, today, "3.00")
    # then only those are written, numbered per year without gaps, in posting order
    entries, lines = table_of(JournalEntry), table_of(JournalLine)
    with db.reader() as session:
        written = session.execute(
            sa.select(entries.c.number, lines.c.debit)
            .join(lines, lines.c.entry_id == entries.c.id)
            .where(lines.c.debit > 0)
            .order_by(entries.c.number)
        ).all()
    assert [(n, d) for n, d in written] == [
        (f"JE-{today.year - 1}-000001", D("2")),
        (f"JE-{today.year}-000001", D("1")),
        (f"JE-{today.year}-000002", D("3")),
    ]
