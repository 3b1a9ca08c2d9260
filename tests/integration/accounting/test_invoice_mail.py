"""Invoices, credit notes and reminders by mail, through the outbox, to a real SMTP
server, with the PDF rendered when the mail is sent."""

from __future__ import annotations

import threading
import uuid
from datetime import date, timedelta
from decimal import Decimal
from email.message import EmailMessage

import pytest
import sqlalchemy as sa

from ordersmith.billing.overdue import request_statement_email, send_payment_reminders
from ordersmith.billing.records import PaymentReminder
from ordersmith.db import table_of
from ordersmith.jobs.handlers import default_handlers
from ordersmith.jobs.scheduled import DailyJob, DailyJobs, default_daily_jobs
from ordersmith.jobs.worker import deliver_events, run_once, run_worker
from ordersmith.notifications.models import MessageKind
from ordersmith.notifications.services import queue_message
from tests.factories.billing import bill_order, credit, pay
from tests.factories.orders import order_request, place
from tests.integration.accounting.conftest import SetClock, pdf_text
from tests.integration.conftest import Shop
from tests.integration.notifications.conftest import communications, drain, outbox
from tests.smtp import SmtpServer

D = Decimal


def _attachments(message: EmailMessage) -> list[tuple[str, str, bytes]]:
    return [
        (part.get_filename() or "", part.get_content_type(), part.get_content())
        for part in message.iter_attachments()
    ]


def _invoice(shop: Shop, services: int = 1):
    """Bob is invoiced ``services`` x 30.00 (no tax); the set-up's events are out of the way."""
    order = place(shop.db, order_request(shop.trade.id, ("SVC", services)))
    drain(shop.db)
    return bill_order(shop.db, order.id)


def test_an_issued_invoice_is_emailed_with_its_pdf_attached(
    shop: Shop, smtp_server: SmtpServer
) -> None:
    # given
    invoice = _invoice(shop, 2)
    # when
    report = run_once(shop.db, mailer=smtp_server.mailer())
    # then
    [received] = smtp_server.wait_for(1)
    assert received["To"] == "bob@example.com"
    assert received["Subject"] == f"Your invoice {invoice.number}"
    text = received.get_body(preferencelist=("plain",)).get_content()
    assert "Amount due: 60.00 EUR" in text
    [(filename, content_type, pdf)] = _attachments(received)
    assert (filename, content_type) == (f"{invoice.number}.pdf", "application/pdf")
    printed = pdf_text(pdf)
    assert f"Invoice {invoice.number}" in printed
    assert "Total 60.00 EUR" in printed
    assert "Balance due 60.00 EUR" in printed
    assert report.messages_sent == 1
    [row] = communications(shop.db)
    assert (row.kind, row.status) == ("invoice_issued", "sent")
    assert row.attachments == [
        {"kind": "invoice", "id": str(invoice.id), "filename": f"{invoice.number}.pdf"}
    ]


def test_the_attached_invoice_is_rendered_when_the_mail_is_sent(
    shop: Shop, smtp_server: SmtpServer
) -> None:
    # given an invoice paid in full after its mail was queued, before it was sent
    invoice = _invoice(shop)
    deliver_events(shop.db, handlers=default_handlers(), limit=100)  # the mail is queued
    pay(shop.db, shop.trade.id, "30.00")
    drain(shop.db)
    # when
    run_once(shop.db, mailer=smtp_server.mailer())
    # then the PDF shows the invoice as it stands at sending
    [received] = smtp_server.wait_for(1)
    [(_name, _type, pdf)] = _attachments(received)
    printed = pdf_text(pdf)
    assert "Amount paid 30.00 EUR" in printed
    assert "Balance due 0.00 EUR" in printed
    assert "PAID Thank you for your business" in printed
    assert invoice.number in printed


def test_a_credit_note_is_emailed_with_its_pdf_attached(
    shop: Shop, smtp_server: SmtpServer
) -> None:
    # given an invoice of 30.00, 12.00 of it credited
    invoice = _invoice(shop)
    note = credit(shop.db, invoice.id, "pricing_error", amount=D("12.00"))
    # when
    run_once(shop.db, mailer=smtp_server.mailer())
    # then both mails arrived; the credit note's carries its PDF
    messages = {m["Subject"]: m for m in smtp_server.wait_for(2)}
    received = messages[f"Credit note {note.number} for invoice {invoice.number}"]
    text = received.get_body(preferencelist=("plain",)).get_content()
    assert "Taken off invoice" in text
    assert "12.00 EUR" in text
    [(filename, content_type, pdf)] = _attachments(received)
    assert (filename, content_type) == (f"{note.number}.pdf", "application/pdf")
    printed = pdf_text(pdf)
    assert "Total credited 12.00 EUR" in printed
    assert f"Applied to {invoice.number} 12.00 EUR" in printed


def test_a_mail_whose_document_is_gone_is_given_up_at_once(
    shop: Shop, smtp_server: SmtpServer
) -> None:
    # given a queued message naming an invoice that does not exist
    drain(shop.db)
    with shop.db.unit_of_work(actor="test") as uow:
        queue_message(
            uow,
            kind=MessageKind.STATEMENT,
            customer_id=shop.trade.id,
            context={"date_from": "2026-01-01", "date_to": "2026-01-31"},
            attachments=[{"kind": "invoice", "id": str(uuid.uuid4()), "filename": "x.pdf"}],
        )
    # when
    report = run_once(shop.db, mailer=smtp_server.mailer())
    # then
    assert report.messages_failed == 1
    [row] = communications(shop.db)
    assert (row.status, row.attempts) == ("dead", 1)
    assert "cannot attach x.pdf" in row.last_error
    assert smtp_server.messages == []


def test_a_requested_statement_is_emailed_as_a_pdf(shop: Shop, smtp_server: SmtpServer) -> None:
    # given
    invoice = _invoice(shop)
    drain(shop.db)
    today = invoice.issue_date
    with shop.db.unit_of_work(actor="test") as uow:
        request_statement_email(
            uow, customer=shop.trade.number, date_from=today - timedelta(days=30), date_to=today
        )
    # when
    run_once(shop.db, mailer=smtp_server.mailer())
    # then
    [received] = smtp_server.wait_for(1)
    assert received["Subject"].startswith("Your statement of account")
    [(filename, _type, pdf)] = _attachments(received)
    assert filename == f"statement-{shop.trade.number}-{today.isoformat()}.pdf"
    assert "Closing balance (EUR) 30.00" in pdf_text(pdf)


def _reminders(shop: Shop) -> list[tuple[str, int]]:
    table = table_of(PaymentReminder)
    with shop.db.reader() as session:
        rows = session.execute(sa.select(table.c.invoice_id, table.c.step)).all()
    return sorted((str(r[0]), r[1]) for r in rows)


def _remind(shop: Shop, today: date) -> int:
    with shop.db.unit_of_work(actor="test") as uow:
        return send_payment_reminders(uow, today=today)


def test_each_reminder_step_is_sent_once_and_a_paid_invoice_gets_none(
    shop: Shop, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given two invoices issued 2 March 2026, due 1 April; the second is paid
    SetClock(monkeypatch, date(2026, 3, 2))
    unpaid = _invoice(shop)
    paid = bill_order(shop.db, place(shop.db, order_request(shop.trade.id, ("SVC", 2))).id)
    pay(shop.db, shop.trade.id, "60.00", allocate_to=[(paid.id, D("60.00"))])
    drain(shop.db)
    # when the job runs on these days, some of them twice
    days = [(4, 1), (4, 2), (4, 2), (4, 5), (4, 8), (4, 8), (4, 14), (4, 15), (5, 30)]
    queued = [_remind(shop, date(2026, m, d)) for m, d in days]
    # then: 1 day overdue on 2 April, 7 on 8 April, 14 on 15 April; nothing else
    assert queued == [0, 1, 0, 0, 1, 0, 0, 1, 0]
    assert _reminders(shop) == [(str(unpaid.id), 1), (str(unpaid.id), 7), (str(unpaid.id), 14)]
    assert len(outbox(shop.db, "invoice.reminder_due")) == 3
    run_once(shop.db, mailer=smtp_server.mailer())
    mails = smtp_server.wait_for(3)
    assert [m["Subject"] for m in mails] == [f"Reminder: invoice {unpaid.number} is overdue"] * 3
    text = mails[0].get_body(preferencelist=("plain",)).get_content()
    assert "30.00 EUR" in text
    assert "Wednesday 1 April 2026" in text
    assert [a[0] for a in _attachments(mails[0])] == [f"{unpaid.number}.pdf"]


def test_an_invoice_found_far_overdue_gets_one_reminder_for_the_highest_step_it_reached(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given an invoice due 1 April and a job that first runs on 20 April (19 days late)
    SetClock(monkeypatch, date(2026, 3, 2))
    invoice = _invoice(shop)
    # when
    first = _remind(shop, date(2026, 4, 20))
    later = [_remind(shop, date(2026, 4, day)) for day in (21, 28)]
    # then
    assert (first, later) == (1, [0, 0])
    assert _reminders(shop) == [(str(invoice.id), 14)]
    [event] = outbox(shop.db, "invoice.reminder_due")
    assert (event.payload["step"], event.payload["days_overdue"]) == (14, 19)


def test_the_daily_jobs_run_once_per_utc_day(shop: Shop, monkeypatch: pytest.MonkeyPatch) -> None:
    # given an invoice 1 day overdue on 2 April, and a job that counts its runs
    clock = SetClock(monkeypatch, date(2026, 3, 2))
    _invoice(shop)
    runs: list[date] = []
    counting = DailyJob("count", lambda _db, day: runs.append(day) or 0)
    daily = DailyJobs([*default_daily_jobs(), counting])
    # when the worker polls four times on 2 April and once just after midnight
    clock.day(date(2026, 4, 2), hour=0)
    results = [daily.run_due(shop.db, clock.now) for _ in range(3)]
    clock.day(date(2026, 4, 2), hour=23)
    results.append(daily.run_due(shop.db, clock.now))
    clock.day(date(2026, 4, 3), hour=0)
    results.append(daily.run_due(shop.db, clock.now))
    # then
    assert runs == [date(2026, 4, 2), date(2026, 4, 3)]
    assert results == [
        {
            "payment_reminders": 1,
            "expire_unpaid_orders": 0,
            "replenishment_review": 0,
            "loyalty_tiers": 0,
            "count": 0,
        },
        {},
        {},
        {},
        {
            "payment_reminders": 0,
            "expire_unpaid_orders": 0,
            "replenishment_review": 0,
            "loyalty_tiers": 0,
            "count": 0,
        },
    ]


def test_the_worker_loop_sends_the_days_reminders_on_its_own(
    shop: Shop, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given an invoice whose first reminder is due today (2 April)
    clock = SetClock(monkeypatch, date(2026, 3, 2))
    invoice = _invoice(shop)
    run_once(shop.db, mailer=smtp_server.mailer())  # the invoice mail
    smtp_server.wait_for(1)
    clock.day(date(2026, 4, 2))
    stop = threading.Event()
    worker = threading.Thread(
        target=run_worker,
        args=(shop.db,),
        kwargs={"stop": stop, "poll_ms": 20, "mailer": smtp_server.mailer()},
    )
    # when
    worker.start()
    try:
        mails = smtp_server.wait_for(2)
    finally:
        stop.set()
        worker.join(timeout=10)
    # then
    assert mails[1]["Subject"] == f"Reminder: invoice {invoice.number} is overdue"
    assert not worker.is_alive()
