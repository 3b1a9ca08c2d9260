"""Refunds are counted once: staff and the provider's webhook name the same refund by
its provider reference.

The bug: a refund staff made (API, CLI) and the same refund reported later by the
payment provider's ``refund.succeeded`` webhook were recorded as two refunds.
"""

from __future__ import annotations

import threading
import uuid
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ordersmith import clock
from ordersmith.adapters.payments import CardNumberRefused, SandboxProvider
from ordersmith.billing.card_payments import refund_card_payment, take_card_payment
from ordersmith.billing.errors import RefundAlreadyRecorded, RefundExceedsUnallocated
from ordersmith.billing.models import Refund
from ordersmith.billing.payments import refund_payment
from ordersmith.billing.provider_events import (
    EventOutcome,
    ProviderEvent,
    ProviderEventType,
    handle_provider_event,
)
from ordersmith.billing.queries import get_payment
from ordersmith.billing.views import PaymentView
from ordersmith.db import table_of
from ordersmith.errors import ValidationFailed
from ordersmith.ids import new_id
from ordersmith.uow import Database
from tests.factories.billing import assert_books_clean, pay
from tests.integration.conftest import Shop

D = Decimal


def _provider_payment(shop: Shop, reference: str = "ch_1") -> PaymentView:
    """45.00 paid through acmepay (recorded by its payment.succeeded), all credit."""
    return pay(
        shop.db,
        shop.trade.id,
        "45.00",
        method="card",
        provider="acmepay",
        provider_reference=reference,
        card_last4="4242",
        allocate_to=[],
    )


def _refund_event(amount: str = "10.00", refund_reference: str = "re_1", **kw) -> ProviderEvent:
    fields = {
        "provider": "acmepay",
        "event_id": f"evt_{refund_reference}",
        "event_type": ProviderEventType.REFUND_SUCCEEDED,
        "message_id": f"msg_{refund_reference}",
        "amount": amount,
        "currency": "EUR",
        "provider_reference": "ch_1",
        "refund_reference": refund_reference,
        "reason": "customer asked",
    }
    return ProviderEvent(**{**fields, **kw})


def _webhook(db: Database, event: ProviderEvent) -> EventOutcome:
    with db.unit_of_work(actor="provider:acmepay") as uow:
        return handle_provider_event(uow, event)


def _staff_refund(db: Database, payment_id: uuid.UUID, amount: str, reference: str) -> PaymentView:
    with db.unit_of_work(actor="user:clerk") as uow:
        return refund_payment(
            uow, payment_id=payment_id, amount=amount, reason="asked", provider_reference=reference
        )


def _refunds(db: Database, payment_id: uuid.UUID) -> list[tuple[Decimal, str]]:
    with db.reader() as session:
        return [(r.amount, r.provider_reference) for r in get_payment(session, payment_id).refunds]


def test_a_staff_refund_is_linked_when_the_providers_webhook_reports_it_later(
    shop: Shop,
) -> None:
    # given staff refunded 10.00 in the provider's dashboard and typed its id
    payment = _provider_payment(shop)
    _staff_refund(shop.db, payment.id, "10.00", "re_1")
    # when the provider's webhook reports the same refund, twice
    first = _webhook(shop.db, _refund_event())
    again = _webhook(shop.db, _refund_event(event_id="evt_other"))
    # then it is the refund staff recorded: counted once
    assert (first.status, again.status) == ("duplicate", "duplicate")
    assert first.payment.id == payment.id
    assert _refunds(shop.db, payment.id) == [(D("10.00"), "re_1")]
    assert first.payment.unallocated == D("35.00")
    assert_books_clean(shop.db)


def test_a_refund_the_webhook_recorded_first_is_refused_when_staff_record_it_again(
    shop: Shop,
) -> None:
    # given the provider's webhook recorded refund re_1
    payment = _provider_payment(shop)
    assert _webhook(shop.db, _refund_event()).status == "recorded"
    # when staff record it too
    with pytest.raises(RefundAlreadyRecorded) as refused:
        _staff_refund(shop.db, payment.id, "10.00", "re_1")
    # then it is refused with the refund that is on file; another refund still works
    assert refused.value.code == "refund_already_recorded"
    assert refused.value.status == 409
    assert refused.value.extra["amount"].startswith("10.00")
    _staff_refund(shop.db, payment.id, "5.00", "re_2")
    assert _refunds(shop.db, payment.id) == [(D("10.00"), "re_1"), (D("5.00"), "re_2")]
    assert_books_clean(shop.db)


def test_a_refund_through_the_gateway_calls_it_first_and_keeps_its_refund_id(
    shop: Shop,
) -> None:
    # given a card payment taken through the gateway, kept as credit
    sandbox = SandboxProvider()
    with shop.db.unit_of_work(actor="user:till") as uow:
        payment = take_card_payment(
            uow,
            sandbox,
            customer_id=shop.trade.id,
            amount="30.00",
            currency="EUR",
            card_token="tok_4242",
            reference="R-1",
            allocate_to=[],
        )
    # when staff refund 12.00, and the gateway's webhook reports that refund later
    with shop.db.unit_of_work(actor="user:clerk") as uow:
        refunded = refund_card_payment(
            uow, sandbox, payment_id=payment.id, amount="12.00", reason="asked"
        )
    (refund,) = refunded.refunds
    event = _refund_event(
        "12.00",
        refund.provider_reference,
        provider="sandbox",
        provider_reference=payment.provider_reference,
    )
    reported = _webhook(shop.db, event)
    # then the gateway paid it back, and the refund is recorded once, with its id
    assert sandbox.refunded == {payment.provider_reference: D("12.00")}
    assert refund.provider_reference.startswith("sbx_re_")
    assert reported.status == "duplicate"
    assert _refunds(shop.db, payment.id) == [(D("12.00"), refund.provider_reference)]
    assert_books_clean(shop.db)


def test_a_gateway_refund_that_cannot_be_recorded_is_refused_before_the_gateway_pays(
    shop: Shop,
) -> None:
    # given a card payment through the gateway, all of it allocated to an invoice
    sandbox = SandboxProvider()
    with shop.db.unit_of_work(actor="user:till") as uow:
        payment = take_card_payment(
            uow,
            sandbox,
            customer_id=shop.trade.id,
            amount="30.00",
            currency="EUR",
            card_token="tok_4242",
            reference="R-1",
            allocate_to=[],
        )
    # when more than is free is asked back, or through another provider
    with pytest.raises(RefundExceedsUnallocated), shop.db.unit_of_work(actor="u") as uow:
        refund_card_payment(uow, sandbox, payment_id=payment.id, amount="30.01", reason="x")
    with pytest.raises(ValidationFailed) as other, shop.db.unit_of_work(actor="u") as uow:
        refund_card_payment(
            uow, SandboxProvider(name="othergw"), payment_id=payment.id, amount="1.00", reason="x"
        )
    # then the gateway was never asked
    assert [f.field for f in other.value.fields] == ["provider"]
    assert sandbox.refunded == {}
    assert _refunds(shop.db, payment.id) == []


def test_a_webhook_reporting_another_amount_for_a_recorded_refund_is_refused(
    shop: Shop,
) -> None:
    # given staff recorded refund re_1 as 8.00
    payment = _provider_payment(shop)
    _staff_refund(shop.db, payment.id, "8.00", "re_1")
    # when the provider says re_1 was 10.00
    with pytest.raises(RefundAlreadyRecorded) as refused:
        _webhook(shop.db, _refund_event("10.00"))
    # then nothing is recorded, and the answer says why (the provider retries later)
    assert "recorded for 8.00; acmepay reports 10.00" in refused.value.detail
    assert _refunds(shop.db, payment.id) == [(D("8.00"), "re_1")]


def test_a_card_number_typed_as_the_terminals_refund_reference_is_refused(shop: Shop) -> None:
    # given a card payment on the terminal (the manual provider), kept as credit
    payment = pay(
        shop.db,
        shop.trade.id,
        "20.00",
        method="card",
        provider_reference="TX-1",
        card_last4="4242",
        allocate_to=[],
    )
    # when / then
    with pytest.raises(CardNumberRefused) as refused:
        _staff_refund(shop.db, payment.id, "5.00", "4111 1111 1111 1111")
    assert [f.field for f in refused.value.fields] == ["provider_reference"]
    assert "4111" not in str(refused.value)
    assert _refunds(shop.db, payment.id) == []


def test_the_database_keeps_one_refund_per_payment_and_reference(shop: Shop) -> None:
    # given a refund re_1 and two refunds without a reference
    payment = _provider_payment(shop)
    _staff_refund(shop.db, payment.id, "1.00", "re_1")
    _staff_refund(shop.db, payment.id, "1.00", "")
    _staff_refund(shop.db, payment.id, "1.00", "")
    row = {
        "payment_id": payment.id,
        "customer_id": shop.trade.id,
        "amount": D("1.00"),
        "currency": "EUR",
        "reason": "sneaked in",
        "refunded_on": clock.today(),
        "created_by": "test",
        "created_at": clock.now(),
    }
    # when a second re_1 is written past the service / then the index refuses it
    with pytest.raises(IntegrityError), shop.db.unit_of_work(actor="test") as uow:
        uow.session.execute(
            sa.insert(table_of(Refund)).values(id=new_id(), provider_reference="re_1", **row)
        )


@pytest.mark.parametrize("first", ["staff", "webhook"])
def test_staff_and_the_webhook_refunding_at_the_same_moment_record_one_refund(
    shop: Shop, first: str
) -> None:
    # given
    payment = _provider_payment(shop)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def staff() -> None:
        _staff_refund(shop.db, payment.id, "10.00", "re_1")

    def webhook() -> None:
        _webhook(shop.db, _refund_event())

    def run(job) -> None:
        try:
            start.wait()
            job()
        except BaseException as exc:  # reported below
            errors.append(exc)

    jobs = [staff, webhook] if first == "staff" else [webhook, staff]
    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # then one refund; staff are told it is there when the webhook won
    assert [type(e).__name__ for e in errors] in ([], ["RefundAlreadyRecorded"])
    assert _refunds(shop.db, payment.id) == [(D("10.00"), "re_1")]
    assert_books_clean(shop.db)
