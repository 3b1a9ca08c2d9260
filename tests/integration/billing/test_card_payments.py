"""Card payments through a provider, and providers' events recorded exactly once."""

from __future__ import annotations

import threading
import uuid
from decimal import Decimal

import pytest

from ordersmith.adapters.payments import (
    CardNumberRefused,
    ManualProvider,
    PaymentDeclined,
    SandboxProvider,
)
from ordersmith.billing.card_payments import take_card_payment
from ordersmith.billing.errors import OverAllocation
from ordersmith.billing.provider_events import (
    EventOutcome,
    ProviderEvent,
    ProviderEventType,
    handle_provider_event,
)
from ordersmith.billing.queries import list_payments
from ordersmith.customers.errors import CustomerNotFound
from ordersmith.errors import ValidationFailed
from ordersmith.uow import Database
from tests.factories.billing import assert_books_clean, bill_order
from tests.factories.orders import order_request, place
from tests.integration.conftest import Shop

D = Decimal


def _take(db: Database, provider, customer_id: uuid.UUID, **kw):
    fields = {"amount": D("30.00"), "currency": "EUR", "card_token": "tok_4242", "reference": "R-1"}
    with db.unit_of_work(actor="user:till") as uow:
        return take_card_payment(uow, provider, customer_id=customer_id, **{**fields, **kw})


def _payments(db: Database, customer_id: uuid.UUID):
    with db.reader() as session:
        return list_payments(session, customer_id=customer_id)


def test_a_card_payment_is_authorised_captured_and_recorded_against_the_oldest_invoice(
    shop: Shop,
) -> None:
    # given: an invoice of 30.00 (1 x SVC) and a gateway
    invoice = bill_order(shop.db, place(shop.db, order_request(shop.trade.id, ("SVC", 1))).id)
    sandbox = SandboxProvider()
    # when
    payment = _take(shop.db, sandbox, shop.trade.id)
    # then
    assert (payment.method, payment.provider, payment.card_last4) == ("card", "sandbox", "4242")
    assert sandbox.captured == {payment.provider_reference: D("30.00")}
    assert [(a.invoice_number, a.amount) for a in payment.allocations] == [
        (invoice.number, D("30.00"))
    ]
    assert_books_clean(shop.db)


def test_the_manual_terminal_records_the_reference_and_last_4_digits_staff_typed(
    shop: Shop,
) -> None:
    # when
    payment = _take(shop.db, ManualProvider(), shop.cash.id, card_token="1881", reference="TX-9")
    # then
    assert (payment.provider, payment.provider_reference, payment.card_last4) == (
        "manual",
        "TX-9",
        "1881",
    )
    assert payment.reference == "TX-9"
    assert payment.unallocated == D("30.00")


def test_a_declined_card_records_nothing(shop: Shop) -> None:
    # when
    with pytest.raises(PaymentDeclined) as caught:
        _take(shop.db, SandboxProvider(), shop.trade.id, card_token="tok_declined")
    # then
    assert (caught.value.code, caught.value.status) == ("payment_declined", 402)
    assert "insufficient funds" in caught.value.detail
    assert _payments(shop.db, shop.trade.id) == []


def test_what_can_be_checked_first_is_checked_before_the_provider_takes_money(
    shop: Shop,
) -> None:
    # given
    sandbox = SandboxProvider()
    # when / then
    with pytest.raises(CustomerNotFound):
        _take(shop.db, sandbox, uuid.uuid4())
    with pytest.raises(ValidationFailed) as wrong_currency:
        _take(shop.db, sandbox, shop.trade.id, currency="USD")
    with pytest.raises(ValidationFailed):
        _take(shop.db, sandbox, shop.trade.id, amount="30.001")
    with pytest.raises(CardNumberRefused):
        _take(shop.db, sandbox, shop.trade.id, card_token="4111111111111111")
    assert [f.field for f in wrong_currency.value.fields] == ["currency"]
    assert sandbox.authorised == {}


def test_money_taken_for_a_payment_that_cannot_be_recorded_is_refunded(shop: Shop) -> None:
    # given: an invoice of 30.00 and a payment told to put 40.00 on it
    invoice = bill_order(shop.db, place(shop.db, order_request(shop.trade.id, ("SVC", 1))).id)
    sandbox = SandboxProvider()
    # when
    with pytest.raises(OverAllocation):
        _take(
            shop.db,
            sandbox,
            shop.trade.id,
            amount=D("40.00"),
            allocate_to=[(invoice.id, D("40.00"))],
        )
    # then
    (reference,) = sandbox.captured
    assert sandbox.refunded == {reference: D("40.00")}
    assert _payments(shop.db, shop.trade.id) == []


def _event(customer_id: uuid.UUID, event_id: str) -> ProviderEvent:
    return ProviderEvent(
        provider="acmepay",
        event_id=event_id,
        event_type=ProviderEventType.PAYMENT_SUCCEEDED,
        message_id=f"msg_{event_id}",
        amount="25.00",
        currency="EUR",
        provider_reference="ch_42",
        customer_id=customer_id,
        last4="4242",
    )


@pytest.mark.parametrize("same_event", [True, False], ids=["same_event", "same_payment"])
def test_two_deliveries_handled_at_the_same_time_record_one_payment(
    shop: Shop, same_event: bool
) -> None:
    # given: two copies of the news, handled by two threads at once
    events = [
        _event(shop.trade.id, "evt_1"),
        _event(shop.trade.id, "evt_1" if same_event else "evt_2"),
    ]
    start = threading.Barrier(2)
    outcomes: list[EventOutcome] = []
    errors: list[BaseException] = []

    def deliver(event: ProviderEvent) -> None:
        try:
            start.wait()
            with shop.db.unit_of_work(actor="provider:acmepay") as uow:
                outcomes.append(handle_provider_event(uow, event))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=deliver, args=(e,)) for e in events]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # then
    assert errors == []
    assert sorted(o.status for o in outcomes) == ["duplicate", "recorded"]
    assert len({o.payment.id for o in outcomes}) == 1
    assert len(_payments(shop.db, shop.trade.id)) == 1
    assert_books_clean(shop.db)
