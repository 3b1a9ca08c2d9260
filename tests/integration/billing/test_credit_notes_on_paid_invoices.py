"""A credit note on a paid invoice frees what paid it: the money can be refunded.

The bug: a cash customer paid a 35.40 receipt by card, returned the goods and got a
full credit note; the credit stayed on the credit note, the payment stayed allocated,
and the refund of the card payment was refused (``refund_exceeds_unallocated``).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from ordersmith.adapters.payments import SandboxProvider
from ordersmith.billing import credit_notes
from ordersmith.billing.card_payments import refund_card_payment, take_card_payment
from ordersmith.billing.credit import apply_customer_credit
from ordersmith.billing.journal import trial_balance
from ordersmith.billing.models import JournalEntry, JournalLine
from ordersmith.billing.queries import customer_balance, get_invoice, get_payment, list_invoices
from ordersmith.catalog.services import create_product
from ordersmith.db import table_of
from ordersmith.uow import Database
from tests.conftest import make_settings
from tests.factories.billing import assert_books_clean, bill_order, credit, pay
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place
from tests.integration.conftest import Shop, make_shop

D = Decimal


@pytest.fixture
def paying_shop(db: Database, tmp_path: Path) -> Iterator[Shop]:
    """The shop with cash sales held until paid, and a lamp of 29.50 + 20 % tax."""
    settings = make_settings(tmp_path, db.settings.database_url, cash_orders_require_payment=True)
    database = Database.connect(settings)
    try:
        shop = make_shop(database)
        with database.unit_of_work(actor="test") as uow:
            create_product(uow, sku="LAMP", name="Desk lamp", price="29.50", tax_rate="0.2")
        stock_up(database, {("MAIN", "LAMP"): 5})
        yield shop
    finally:
        database.dispose()


def _balance(db: Database, customer_id) -> Decimal:
    with db.reader() as session:
        return sum((b.balance for b in customer_balance(session, customer_id)), D(0))


def _entry_lines(db: Database, source_id) -> list[tuple[str, Decimal, Decimal]]:
    entries, lines = table_of(JournalEntry), table_of(JournalLine)
    with db.reader() as session:
        rows = session.execute(
            sa.select(lines.c.account_role, lines.c.debit, lines.c.credit)
            .join(entries, entries.c.id == lines.c.entry_id)
            .where(entries.c.source_id == source_id)
            .order_by(lines.c.line_no)
        ).all()
    return [(role, D(debit), D(credit)) for role, debit, credit in rows]


def test_a_card_paid_receipt_returned_in_full_is_refunded_to_the_card(paying_shop: Shop) -> None:
    # given Ann's cash sale of a lamp (35.40), paid by card through the gateway: the
    # order is released and receipted in the same transaction
    db, sandbox = paying_shop.db, SandboxProvider()
    order = place(db, order_request(paying_shop.cash.id, ("LAMP", 1)))
    with db.unit_of_work(actor="user:till") as uow:
        payment = take_card_payment(
            uow,
            sandbox,
            customer_id=paying_shop.cash.id,
            amount="35.40",
            currency="EUR",
            card_token="tok_4242",
            reference=order.number,
            order_id=order.id,
        )
    with db.reader() as session:
        (receipt,) = list_invoices(session, customer_id=paying_shop.cash.id)
    assert (receipt.number[:4], receipt.status, receipt.total) == ("RCT-", "paid", D("35.40"))
    # when she returns it: a full credit note, then the whole payment back to her card
    note = credit(db, receipt.id, reason="return")
    with db.unit_of_work(actor="user:till") as uow:
        refunded = refund_card_payment(
            uow, sandbox, payment_id=payment.id, amount="35.40", reason="lamp returned"
        )
    # then the credit note took the payment's place on the receipt ...
    assert (note.total, note.amount_applied, note.unapplied, note.freed) == (
        D("35.40"),
        D("35.40"),
        D("0"),
        D("35.40"),
    )
    with db.reader() as session:
        after = get_invoice(session, receipt.id)
    assert (after.status, after.amount_paid, after.amount_credited, after.balance) == (
        "credited",
        D("0"),
        D("35.40"),
        D("0"),
    )
    assert [(s.kind, s.amount, s.released_by) for s in after.settlements] == [
        ("payment", D("35.40"), None),
        ("payment", D("-35.40"), note.number),
        ("credit_note", D("35.40"), None),
    ]
    # ... the card got its money back through the gateway, and nothing is owed
    assert (refunded.status, refunded.amount_refunded, refunded.unallocated) == (
        "refunded",
        D("35.40"),
        D("0"),
    )
    (refund,) = refunded.refunds
    assert refund.provider_reference.startswith("sbx_re_")
    assert sandbox.refunded == {payment.provider_reference: D("35.40")}
    assert _balance(db, paying_shop.cash.id) == 0
    # and the books: the credit note's excess is customer credit, the refund pays it
    # out of card clearing, which nets to nothing
    assert _entry_lines(db, note.id) == [
        ("sales_returns", D("29.50"), D("0")),
        ("tax_payable", D("5.90"), D("0")),
        ("customer_credit", D("0"), D("35.40")),
    ]
    with db.reader() as session:
        balances = {b.account_role: b.balance for b in trial_balance(session)}
    assert (balances["card_clearing"], balances["customer_credit"]) == (D("0"), D("0"))
    assert (balances["receivable"], sum(balances.values(), D(0))) == (D("0"), D("0"))
    assert_books_clean(db)


def test_a_part_credit_note_on_a_part_paid_invoice_takes_the_balance_first(shop: Shop) -> None:
    # given 47.94 invoiced (3 anvils, 7 bolts) and 30.00 paid: 17.94 open
    stock_up(shop.db, {("MAIN", "A-1"): 10, ("MAIN", "B-2"): 10})
    invoice = bill_order(
        shop.db, place(shop.db, order_request(shop.trade.id, ("A-1", 3), ("B-2", 7))).id
    )
    payment = pay(shop.db, shop.trade.id, "30.00")
    # when 20.00 is credited
    note = credit(shop.db, invoice.id, reason="goodwill", amount=D("20.00"))
    # then 17.94 comes off the balance, and only the other 2.06 frees the payment
    assert (note.amount_applied, note.unapplied, note.freed) == (D("20.00"), D("0"), D("2.06"))
    with shop.db.reader() as session:
        after = get_invoice(session, invoice.id)
        paid = get_payment(session, payment.id)
    assert (after.status, after.amount_paid, after.amount_credited, after.balance) == (
        "paid",
        D("27.94"),
        D("20.00"),
        D("0"),
    )
    assert (paid.amount_allocated, paid.unallocated) == (D("27.94"), D("2.06"))
    assert [(a.amount, a.released_by) for a in paid.allocations] == [
        (D("30.00"), None),
        (D("-2.06"), note.number),
    ]
    assert _entry_lines(shop.db, note.id) == [
        ("sales_returns", note.subtotal, D("0")),
        ("tax_payable", note.tax_total, D("0")),
        ("receivable", D("0"), D("17.94")),
        ("customer_credit", D("0"), D("2.06")),
    ]
    assert _balance(shop.db, shop.trade.id) == D("-2.06")
    assert_books_clean(shop.db)


def test_a_credit_note_frees_the_newest_payment_first(shop: Shop) -> None:
    # given a 60.00 invoice paid 40.00, then 20.00
    invoice = bill_order(shop.db, place(shop.db, order_request(shop.trade.id, ("SVC", 2))).id)
    older = pay(shop.db, shop.trade.id, "40.00")
    newer = pay(shop.db, shop.trade.id, "20.00")
    # when 30.00 is credited, then 10.00 more
    first = credit(shop.db, invoice.id, amount=D("30.00"))
    second = credit(shop.db, invoice.id, amount=D("10.00"))
    # then the newest money is freed first, and nothing is freed twice
    assert [(r.number, r.amount) for r in first.releases] == [
        (newer.number, D("20.00")),
        (older.number, D("10.00")),
    ]
    assert [(r.number, r.amount) for r in second.releases] == [(older.number, D("10.00"))]
    with shop.db.reader() as session:
        unallocated = [get_payment(session, p.id).unallocated for p in (older, newer)]
    assert unallocated == [D("20.00"), D("20.00")]
    assert_books_clean(shop.db)


def test_a_credit_note_frees_an_earlier_credit_notes_application_and_its_credit_returns(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given an invoice paid in full, credited 30.00 before credit notes freed payments
    # (its credit stayed on the credit note), and that credit paying a second invoice
    first = bill_order(shop.db, place(shop.db, order_request(shop.trade.id, ("SVC", 1))).id)
    pay(shop.db, shop.trade.id, "30.00")
    with monkeypatch.context() as legacy:
        legacy.setattr(credit_notes, "plan_releases", lambda *_args: [])
        old_note = credit(shop.db, first.id, reason="goodwill")
    second = bill_order(shop.db, place(shop.db, order_request(shop.trade.id, ("SVC", 1))).id)
    with shop.db.unit_of_work(actor="test") as uow:
        apply_customer_credit(uow, customer_id=shop.trade.id)
    # when the second invoice is credited in full
    note = credit(shop.db, second.id, reason="return")
    # then the earlier credit note's application is freed: its credit is back
    assert [(r.kind, r.number, r.amount) for r in note.releases] == [
        ("credit_note", old_note.number, D("30.00"))
    ]
    with shop.db.reader() as session:
        (balance,) = customer_balance(session, shop.trade.id)
        assert get_invoice(session, second.id).status == "credited"
    assert (balance.unapplied_credit, balance.balance) == (D("30.00"), D("-30.00"))
    assert_books_clean(shop.db)


def test_a_credit_note_never_frees_its_invoices_own_earlier_credit_notes(shop: Shop) -> None:
    # given a 60.00 invoice credited 20.00 while open, then paid 40.00
    invoice = bill_order(shop.db, place(shop.db, order_request(shop.trade.id, ("SVC", 2))).id)
    credit(shop.db, invoice.id, amount=D("20.00"))
    payment = pay(shop.db, shop.trade.id, "40.00")
    # when the rest is credited
    rest = credit(shop.db, invoice.id, reason="return")
    # then only the payment is freed, and the invoice is credited in full
    assert [(r.number, r.amount) for r in rest.releases] == [(payment.number, D("40.00"))]
    with shop.db.reader() as session:
        after = get_invoice(session, invoice.id)
    assert (after.status, after.amount_paid, after.amount_credited) == ("credited", 0, D("60.00"))
    assert_books_clean(shop.db)
