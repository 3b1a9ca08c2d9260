"""The customer hears about their return by mail, through the outbox and the worker, at
a real SMTP server: accepted (with the RMA number and where to send it), refused (why),
received, and resolved (what was credited or sent)."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from ordersmith.jobs.worker import run_once
from ordersmith.returns.services import reject_return
from tests.factories.fulfillment import make_courier
from tests.factories.inventory import stock_up
from tests.factories.returns import (
    ask,
    authorise,
    delivered_order,
    receive,
    resolve,
    restock_all,
)
from tests.integration.conftest import Shop
from tests.integration.notifications.conftest import communications, drain
from tests.smtp import SmtpServer, smtp_server

__all__ = ["smtp_server"]


@pytest.fixture
def shop(shop: Shop) -> Shop:
    make_courier(shop.db)
    stock_up(shop.db, {("MAIN", "A-1"): 10})
    return shop


def _text(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _html(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def _deliver(shop: Shop, smtp: SmtpServer, already: int, subject_start: str) -> EmailMessage:
    run_once(shop.db, mailer=smtp.mailer())
    received = smtp.wait_for(already + 1)
    return next(m for m in received[already:] if m["Subject"].startswith(subject_start))


def test_the_customer_is_told_when_a_return_is_accepted_received_and_resolved(
    shop: Shop, smtp_server: SmtpServer
) -> None:
    # given 3 anvils delivered to Bob, and the set-up's mails out of the way
    order = delivered_order(shop.db, shop.trade.id, ("A-1", 3))
    drain(shop.db)
    rma = ask(shop.db, order, (1, 2, "no_longer_needed"))
    # when it is accepted
    authorise(shop.db, rma)
    accepted = _deliver(shop, smtp_server, 0, "Your return")
    # then
    assert accepted["To"] == "bob@example.com"
    assert accepted["Subject"] == f"Your return {rma.number} is accepted: how to send it back"
    text = _text(accepted)
    assert "Hello Bob Trade," in text
    assert f"We have accepted your return {rma.number} for order {order.number}" in text
    assert "2 x Anvil (A-1)" in text
    assert f"Write the return number {rma.number} clearly on the parcel" in text
    assert "Hafenstrasse 1" in text  # MAIN has no address of its own: the company's
    assert rma.number in _html(accepted)

    # when only one anvil arrives
    receive(shop.db, rma, (1, 1))
    arrived = _deliver(shop, smtp_server, 1, "We have received")
    # then
    assert arrived["Subject"] == f"We have received your return {rma.number}"
    assert "1 of 2 x Anvil (A-1)" in _text(arrived)
    assert "were not in the parcel" in _text(arrived)

    # when it is restocked and credited (the credit note's own mail goes too)
    resolve(shop.db, restock_all(shop.db, rma), "credit_note")
    done = _deliver(shop, smtp_server, 2, "Your return")
    # then
    assert done["Subject"] == f"Your return {rma.number} is complete"
    assert "We have credited 15.00 EUR (credit note CN-" in _text(done)
    kinds = sorted(row.kind for row in communications(shop.db))
    assert kinds == [
        "credit_note_issued",
        "return_authorised",
        "return_received",
        "return_resolved",
    ]


def test_a_refused_return_is_explained_and_an_exchange_names_the_replacement_order(
    shop: Shop, smtp_server: SmtpServer
) -> None:
    # given
    order = delivered_order(shop.db, shop.cash.id, ("A-1", 2))
    drain(shop.db)
    refused = ask(shop.db, order, (1, 1, "other"))
    # when
    with shop.db.unit_of_work(actor="user:sam") as uow:
        reject_return(uow, return_id=refused.id, reason="bought in the outlet: final sale")
    mail = _deliver(shop, smtp_server, 0, "Your return request")
    # then
    assert mail["To"] == "ann@example.com"
    assert mail["Subject"] == f"Your return request {refused.number} for order {order.number}"
    assert "Reason: bought in the outlet: final sale" in _text(mail)

    # when the other unit is exchanged
    rma = restock_all(
        shop.db, receive(shop.db, authorise(shop.db, ask(shop.db, order, (1, 1, "damaged"))))
    )
    rma = resolve(shop.db, rma, "exchange")
    run_once(shop.db, mailer=smtp_server.mailer())
    # the refusal, then accepted, received, resolved, and the replacement order's own mail
    received = smtp_server.wait_for(5)
    # then
    [done] = [m for m in received if m["Subject"] == f"Your return {rma.number} is complete"]
    assert f"replacement items on order {rma.replacement_order_number}" in _text(done)
    assert f"We have received your order {rma.replacement_order_number}" in {
        m["Subject"] for m in received
    }
