"""The case thread: internal notes stay inside; a staff note to the customer is sent by
email through the mail queue and the worker to a real SMTP server, linked to the case;
a customer's answer reopens a case that waited on them or was resolved; documents of
the customer (a return, a shipment) link to the case."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from ordersmith.customer_service.errors import CaseLinkMismatch
from ordersmith.customer_service.queries import get_case
from ordersmith.errors import ValidationFailed
from ordersmith.jobs.worker import run_once
from tests.factories.cases import make_case, note, resolve
from tests.factories.fulfillment import make_courier
from tests.factories.inventory import stock_up
from tests.factories.returns import ask, delivered_order
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
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def test_a_staff_note_to_the_customer_is_emailed_and_an_internal_one_is_not(
    shop: Shop, smtp_server: SmtpServer
) -> None:
    # given Bob's delivered order, a case about it, and the set-up's mail out of the way
    order = delivered_order(shop.db, shop.trade.id, ("A-1", 2))
    case = make_case(shop.db, shop.trade.id, order_id=order.id, subject="Parcel late")
    drain(shop.db)
    before = len(communications(shop.db))
    # when staff note something internally, then answer the customer and wait for them
    note(shop.db, case, "carrier says Tuesday")
    reply = "Your parcel arrives on Tuesday.\nIs that fine?"
    answered = note(shop.db, case, reply, "customer", wait=True)
    run_once(shop.db, mailer=smtp_server.mailer())
    (sent,) = smtp_server.wait_for(1)
    # then exactly one email went, to Bob, about the case and its order
    mails = communications(shop.db)[before:]
    assert [(m.kind, m.order_id, m.status) for m in mails] == [("case_reply", order.id, "sent")]
    assert sent["To"] == "bob@example.com"
    assert sent["Subject"] == f"[{case.number}] Parcel late"
    text = _text(sent)
    assert "Hello Bob Trade," in text
    assert "Your parcel arrives on Tuesday.\nIs that fine?" in text
    assert f"Your case {case.number}: Parcel late (order {order.number})" in text
    assert "carrier says Tuesday" not in text
    assert answered.status == "waiting_on_customer"
    assert [(n.visibility, n.communication_id) for n in answered.notes] == [
        ("internal", None),
        ("customer", mails[0].id),
    ]
    assert [n.body for n in answered.for_customer().notes] == [
        "Your parcel arrives on Tuesday.\nIs that fine?"
    ]


def test_the_customers_answer_reopens_a_waiting_or_resolved_case(shop: Shop) -> None:
    # given a case waiting on Ann, and a resolved one
    waiting = note(shop.db, make_case(shop.db, shop.cash.id), "Which one?", "customer", wait=True)
    resolved = resolve(shop.db, make_case(shop.db, shop.cash.id), "refunded")
    # when Ann answers both
    answered = note(shop.db, waiting, "The red one", "customer", by_customer=True)
    reopened = note(shop.db, resolved, "No refund arrived", "customer", by_customer=True)
    # then both are open again; the reopened one has lost its resolution
    assert answered.status == "open"
    assert (reopened.status, reopened.resolution, reopened.resolved_at) == ("open", "", None)
    assert [n.author_kind for n in reopened.notes] == ["customer"]


def test_a_customers_note_is_never_internal_and_only_staff_replies_wait(shop: Shop) -> None:
    # given
    case = make_case(shop.db, shop.cash.id)
    # when
    with pytest.raises(ValidationFailed) as internal:
        note(shop.db, case, "psst", "internal", by_customer=True)
    with pytest.raises(ValidationFailed) as waits:
        note(shop.db, case, "internal and waiting?", "internal", wait=True)
    # then
    assert [f.field for f in internal.value.fields] == ["visibility"]
    assert [f.field for f in waits.value.fields] == ["wait"]
    with shop.db.reader() as session:
        assert get_case(session, case.id).note_count == 0


def test_a_case_about_a_return_takes_its_order_and_another_customers_return_is_refused(
    shop: Shop,
) -> None:
    # given a return of Bob's order
    order = delivered_order(shop.db, shop.trade.id, ("A-1", 2))
    rma = ask(shop.db, order, (1, 1, "late"))
    # when
    case = make_case(shop.db, shop.trade.id, return_id=rma.id, case_type="complaint")
    with pytest.raises(CaseLinkMismatch) as anns:
        make_case(shop.db, shop.cash.id, return_id=rma.id)
    # then
    assert (case.return_number, case.order_number) == (rma.number, order.number)
    assert [f.field for f in anns.value.fields] == ["return"]
