"""Payments: oldest invoice first, never beyond a balance, the rest is customer credit."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from ordersmith import clock
from ordersmith.adapters.payments import CardNumberRefused
from ordersmith.billing import credit_notes
from ordersmith.billing.credit import apply_customer_credit
from ordersmith.billing.errors import (
    NoCustomerCredit,
    OverAllocation,
    RefundExceedsUnallocated,
)
from ordersmith.billing.payments import record_payment, refund_payment
from ordersmith.billing.queries import customer_balance, get_invoice, list_payments
from ordersmith.errors import ValidationFailed
from ordersmith.uow import Database
from tests.factories.billing import assert_books_clean, bill_order, credit, pay
from tests.factories.orders import order_request, place
from tests.integration.conftest import Shop

D = Decimal


def _invoice(shop: Shop, *lines: tuple[str, int], days_ago: int = 0):
    with clock.simulated(clock.now() - timedelta(days=days_ago)):
        order = place(shop.db, order_request(shop.trade.id, *lines))
        return bill_order(shop.db, order.id)


def _status(db: Database, invoice) -> tuple[str, Decimal]:
    with db.reader() as session:
        view = get_invoice(session, invoice.id)
    return view.status, view.balance


def test_a_payment_settles_the_oldest_invoices_first_and_keeps_the_rest_as_credit(
    shop: Shop,
) -> None:
    # given three invoices of 30.00 (1 x SVC, untaxed), issued on different days
    oldest = _invoice(shop, ("SVC", 1), days_ago=20)
    middle = _invoice(shop, ("SVC", 1), days_ago=10)
    newest = _invoice(shop, ("SVC", 1))
    assert oldest.total == D("30.00")
    # when Bob pays 80.00 without saying what for, then 40.00 more
    first = pay(shop.db, shop.trade.id, "80.00")
    second = pay(shop.db, shop.trade.id, "40.00", reference="remittance 2")
    # then: the oldest two are paid, the newest partly; the second payment finishes it
    assert [(a.invoice_number, a.amount) for a in first.allocations] == [
        (oldest.number, D("30.00")),
        (middle.number, D("30.00")),
        (newest.number, D("20.00")),
    ]
    assert first.unallocated == D("0")
    assert [(a.invoice_number, a.amount) for a in second.allocations] == [
        (newest.number, D("10.00"))
    ]
    assert second.unallocated == D("30.00")
    assert _status(shop.db, newest) == ("paid", D("0"))
    with shop.db.reader() as session:
        (balance,) = customer_balance(session, shop.trade.id)
    assert (balance.open_invoices, balance.unallocated_payments, balance.balance) == (
        D("0"),
        D("30.00"),
        D("-30.00"),
    )
    assert_books_clean(shop.db)


def test_a_part_payment_makes_an_invoice_partially_paid(shop: Shop) -> None:
    # given
    invoice = _invoice(shop, ("SVC", 2))
    # when
    pay(shop.db, shop.trade.id, "50.00")
    # then
    assert _status(shop.db, invoice) == ("partially_paid", D("10.00"))


def test_an_explicit_allocation_settles_the_named_invoice_and_never_beyond_its_balance(
    shop: Shop,
) -> None:
    # given two open invoices
    older = _invoice(shop, ("SVC", 1), days_ago=5)
    newer = _invoice(shop, ("SVC", 1))
    # when Bob says the money is for the newer one
    payment = pay(shop.db, shop.trade.id, "50.00", allocate_to=[(newer.id, D("30.00"))])
    # then
    assert [(a.invoice_number, a.amount) for a in payment.allocations] == [
        (newer.number, D("30.00"))
    ]
    assert payment.unallocated == D("20.00")
    assert _status(shop.db, older) == ("issued", D("30.00"))
    with pytest.raises(OverAllocation) as too_much:
        pay(shop.db, shop.trade.id, "50.00", allocate_to=[(older.id, D("40.00"))])
    assert too_much.value.code == "over_allocation"
    assert [f.field for f in too_much.value.fields] == ["allocate_to.0.amount"]
    assert_books_clean(shop.db)


def test_allocate_to_an_empty_list_keeps_all_of_the_payment_as_credit(shop: Shop) -> None:
    # given
    invoice = _invoice(shop, ("SVC", 1))
    # when
    payment = pay(shop.db, shop.trade.id, "30.00", allocate_to=[])
    # then
    assert (payment.amount_allocated, payment.unallocated) == (D("0"), D("30.00"))
    assert _status(shop.db, invoice) == ("issued", D("30.00"))


def test_a_bad_payment_is_refused_with_every_field_named_and_nothing_written(
    shop: Shop,
) -> None:
    # given / when
    with pytest.raises(ValidationFailed) as refused, shop.db.unit_of_work(actor="t") as uow:
        record_payment(
            uow,
            customer_id=shop.trade.id,
            method="bitcoin",
            amount="12.345",
            currency="EUR",
            reference="x" * 121,
            card_last4="42",
            received_on=clock.today() + timedelta(days=1),
        )
    # then
    assert refused.value.code == "validation_error"
    assert sorted(f.field for f in refused.value.fields) == [
        "amount",
        "card_last4",
        "method",
        "received_on",
        "reference",
    ]
    with shop.db.reader() as session:
        assert list_payments(session, customer_id=shop.trade.id) == []


@pytest.mark.parametrize(
    "typed",
    [
        {"reference": "paid with 4111 1111 1111 1111"},
        {"card_last4": "4242424242424242"},
        {"provider_reference": "4012-8888-8888-1881"},
    ],
)
def test_a_card_number_typed_anywhere_is_refused_by_the_service_itself(
    shop: Shop, typed: dict[str, str]
) -> None:
    # given / when: whatever the entry point (API, CLI, an import script)
    with pytest.raises(CardNumberRefused) as refused, shop.db.unit_of_work(actor="t") as uow:
        record_payment(
            uow, customer_id=shop.trade.id, method="card", amount="5.00", currency="EUR", **typed
        )
    # then: the field is named, the digits never repeated, nothing written
    assert [f.field for f in refused.value.fields] == list(typed)
    assert not [digits for digits in ("4111", "4242", "4012") if digits in str(refused.value)]
    with shop.db.reader() as session:
        assert list_payments(session, customer_id=shop.trade.id) == []


def test_a_providers_own_reference_may_be_all_digits(shop: Shop) -> None:
    # given / when: a sandbox provider's id, not typed by anyone
    with shop.db.unit_of_work(actor="t") as uow:
        payment = record_payment(
            uow,
            customer_id=shop.trade.id,
            method="card",
            amount="5.00",
            currency="EUR",
            provider="sandbox",
            provider_reference="4111111111111111",
            card_last4="1111",
        )
    # then
    assert payment.provider_reference == "4111111111111111"


@pytest.mark.parametrize("amount", ["0", "-5.00", "1e3x", "0.001"])
def test_an_amount_must_be_positive_with_at_most_the_currencys_decimals(
    shop: Shop, amount: str
) -> None:
    # given / when / then
    with pytest.raises(ValidationFailed) as refused, shop.db.unit_of_work(actor="t") as uow:
        record_payment(uow, customer_id=shop.trade.id, method="cash", amount=amount, currency="EUR")
    assert [f.field for f in refused.value.fields] == ["amount"]


def test_a_payment_in_another_currency_than_the_customers_is_refused(shop: Shop) -> None:
    # given / when / then
    with pytest.raises(ValidationFailed) as refused:
        pay(shop.db, shop.trade.id, "10.00", currency="USD")
    assert [f.field for f in refused.value.fields] == ["currency"]


def test_only_the_unallocated_part_of_a_payment_can_be_refunded(shop: Shop) -> None:
    # given 50.00 paid on a 30.00 invoice: 20.00 is credit
    _invoice(shop, ("SVC", 1))
    payment = pay(shop.db, shop.trade.id, "50.00", method="card", card_last4="1234")
    # when 25.00 is asked back
    with pytest.raises(RefundExceedsUnallocated) as refused, shop.db.unit_of_work(actor="t") as uow:
        refund_payment(uow, payment_id=payment.id, amount=D("25.00"), reason="overpaid")
    # then nothing moved; refunding the 20.00 works and leaves no credit
    assert refused.value.extra == {"refundable": "20.0000"}
    with shop.db.unit_of_work(actor="t") as uow:
        refunded = refund_payment(uow, payment_id=payment.id, amount=D("20.00"), reason="overpaid")
    assert (refunded.amount_refunded, refunded.unallocated, refunded.status) == (
        D("20.00"),
        D("0"),
        "received",
    )
    assert [r.amount for r in refunded.refunds] == [D("20.00")]
    assert_books_clean(shop.db)


def test_a_payment_refunded_in_full_is_refunded(shop: Shop) -> None:
    # given a payment with nothing to allocate to
    payment = pay(shop.db, shop.trade.id, "25.00")
    # when
    with shop.db.unit_of_work(actor="t") as uow:
        refunded = refund_payment(uow, payment_id=payment.id, amount="25.00", reason="mistake")
    # then
    assert refunded.status == "refunded"
    assert_books_clean(shop.db)


def test_customer_credit_settles_a_later_invoice_credit_notes_first(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a paid invoice credited by 10.00 before credit notes freed payments (its
    # credit stayed on the credit note), and 5.00 overpaid (credit)
    paid = _invoice(shop, ("SVC", 1), days_ago=3)
    pay(shop.db, shop.trade.id, "35.00")
    with monkeypatch.context() as legacy:
        legacy.setattr(credit_notes, "plan_releases", lambda *_args: [])
        note = credit(shop.db, paid.id, amount=D("10.00"))
    assert note.unapplied == D("10.00")
    later = _invoice(shop, ("SVC", 1))
    # when
    with shop.db.unit_of_work(actor="t") as uow:
        applied = apply_customer_credit(uow, customer_id=shop.trade.id)
    # then
    assert applied.total == D("15.00")
    assert [(kind, invoice, amount) for kind, _n, invoice, amount in applied.applications] == [
        ("credit_note", later.number, D("10.00")),
        ("payment", later.number, D("5.00")),
    ]
    assert _status(shop.db, later) == ("partially_paid", D("15.00"))
    with pytest.raises(NoCustomerCredit), shop.db.unit_of_work(actor="t") as uow:
        apply_customer_credit(uow, customer_id=shop.trade.id, invoice_id=later.id)
    assert_books_clean(shop.db)


def test_money_a_credit_note_freed_settles_a_later_invoice(shop: Shop) -> None:
    # given a paid invoice credited by 10.00 (its payment freed), and 5.00 overpaid
    paid = _invoice(shop, ("SVC", 1), days_ago=3)
    payment = pay(shop.db, shop.trade.id, "35.00")
    note = credit(shop.db, paid.id, amount=D("10.00"))
    assert (note.unapplied, note.freed) == (D("0"), D("10.00"))
    later = _invoice(shop, ("SVC", 1))
    # when
    with shop.db.unit_of_work(actor="t") as uow:
        applied = apply_customer_credit(uow, customer_id=shop.trade.id)
    # then the payment's 15.00 of credit settles the later invoice
    assert [(kind, n, invoice, amount) for kind, n, invoice, amount in applied.applications] == [
        ("payment", payment.number, later.number, D("15.00")),
    ]
    assert _status(shop.db, paid) == ("paid", D("0"))
    assert _status(shop.db, later) == ("partially_paid", D("15.00"))
    assert_books_clean(shop.db)
