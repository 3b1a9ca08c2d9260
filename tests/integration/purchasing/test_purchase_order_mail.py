"""A sent purchase order reaches the supplier by mail, through the outbox and the worker,
with its PDF rendered at send time; the message is in the communications log."""

from __future__ import annotations

from email.message import EmailMessage

from ordersmith.jobs.worker import run_once
from ordersmith.notifications.queries import list_communications
from ordersmith.purchasing.documents import purchase_order_document, purchase_order_pdf_bytes
from ordersmith.purchasing.suppliers import update_supplier
from tests.factories.purchasing import approve, make_po, send, sent_po
from tests.integration.accounting.conftest import pdf_text
from tests.integration.notifications.conftest import communications, drain
from tests.integration.purchasing.conftest import Buyer
from tests.smtp import SmtpServer


def _attachments(message: EmailMessage) -> list[tuple[str, str, bytes]]:
    return [
        (part.get_filename() or "", part.get_content_type(), part.get_content())
        for part in message.iter_attachments()
    ]


def test_a_sent_purchase_order_is_emailed_to_the_supplier_with_its_pdf(
    buyer: Buyer, smtp_server: SmtpServer
) -> None:
    # given
    drain(buyer.db)
    po = send(buyer.db, approve(buyer.db, make_po(buyer.db, buyer.acme, ("A-1", 10), ("B-2", 150))))
    # when
    report = run_once(buyer.db, mailer=smtp_server.mailer())
    # then
    [received] = smtp_server.wait_for(1)
    assert received["To"] == "orders@acme.example"
    assert received["Subject"] == f"Purchase order {po.number} from Ordersmith Demo Ltd"
    text = received.get_body(preferencelist=("plain",)).get_content()
    assert "Hello Sam Seller," in text
    assert "10 x ACME-ANV-1 Anvil" in text
    assert "Total (net): 75.00 EUR" in text
    [(filename, content_type, pdf)] = _attachments(received)
    assert (filename, content_type) == (f"{po.number}.pdf", "application/pdf")
    printed = pdf_text(pdf)
    assert f"Purchase order {po.number}" in printed
    assert "1 A-1 ACME-ANV-1 Anvil 10 6.00 60.00" in printed
    assert "2 B-2 ACME-BLT-2 Bolt 150 0.10 15.00" in printed
    assert "Total (net) 75.00 EUR" in printed
    assert "Acme Anvils GmbH" in printed
    assert "DELIVER TO" in printed
    assert report.messages_sent == 1
    [row] = communications(buyer.db)
    assert (row.kind, row.status, row.customer_id, row.supplier_id) == (
        "purchase_order",
        "sent",
        None,
        buyer.acme.id,
    )
    assert row.attachments == [
        {"kind": "purchase_order", "id": str(po.id), "filename": f"{po.number}.pdf"}
    ]
    with buyer.db.reader() as session:
        logged, _more = list_communications(session, supplier_id=buyer.acme.id)
    assert [m.subject for m in logged] == [received["Subject"]]


def test_the_pdf_prints_the_delivery_warehouse_and_the_expected_dates(buyer: Buyer) -> None:
    # given MAIN has an address
    from ordersmith.inventory.services import create_warehouse

    with buyer.db.unit_of_work(actor="test") as uow:
        create_warehouse(
            uow,
            code="DOCK",
            name="Dock 4",
            address={"line1": "Kai 4", "city": "Hamburg", "postcode": "20457", "country": "DE"},
        )
    po = make_po(buyer.db, buyer.acme, ("A-1", 3), warehouse="DOCK")
    # when
    with buyer.db.reader() as session:
        doc = purchase_order_document(session, buyer.db.settings, po.number)
        printed = pdf_text(purchase_order_pdf_bytes(session, buyer.db.settings, po.id))
    # then
    assert doc.deliver_to.address_lines == ("Kai 4", "20457 Hamburg", "DE")
    assert doc.title == "Purchase order (draft)"
    assert "Dock 4 Kai 4 20457 Hamburg DE" in printed
    assert po.lines[0].expected_date.isoformat() in printed


def test_a_purchase_order_sent_without_email_queues_no_mail(
    buyer: Buyer, smtp_server: SmtpServer
) -> None:
    # given
    drain(buyer.db)
    sent_po(buyer.db, buyer.acme, ("A-1", 1), email=False)
    # when
    run_once(buyer.db, mailer=smtp_server.mailer())
    # then
    assert communications(buyer.db) == []
    assert smtp_server.messages == []


def test_the_mail_goes_to_the_address_the_order_was_sent_to(
    buyer: Buyer, smtp_server: SmtpServer
) -> None:
    # given: the supplier's address changes after the order was sent, before the worker runs
    drain(buyer.db)
    sent_po(buyer.db, buyer.acme, ("A-1", 1), email=True)
    with buyer.db.unit_of_work(actor="test") as uow:
        update_supplier(uow, supplier="ACME", email="new@acme.example")
    # when
    run_once(buyer.db, mailer=smtp_server.mailer())
    # then
    [received] = smtp_server.wait_for(1)
    assert received["To"] == "orders@acme.example"
