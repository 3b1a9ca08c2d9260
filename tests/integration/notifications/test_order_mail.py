"""From a committed order to a mail in a real SMTP server's inbox (aiosmtpd)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ordersmith.customers.models import Customer
from ordersmith.customers.services import create_customer
from ordersmith.db import table_of
from ordersmith.jobs.worker import run_once
from ordersmith.orders.placement import place_order
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place
from tests.integration.notifications.conftest import communications, outbox


def test_a_placed_order_is_confirmed_by_a_mail_the_smtp_server_receives(shop, smtp_server):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 10})
    order = place(shop.db, order_request(shop.cash.id, ("A-1", 2)))
    # when
    report = run_once(shop.db, mailer=smtp_server.mailer())
    # then
    [received] = smtp_server.wait_for(1)
    assert smtp_server.received[0].envelope_to == ["ann@example.com"]
    assert received["To"] == "ann@example.com"
    assert received["Subject"] == f"We have received your order {order.number}"
    text = received.get_body(preferencelist=("plain",)).get_content()
    assert "Hello Ann Cash," in text
    assert order.number in text
    assert "2 x Anvil (A-1)" in text
    assert f"{order.total} EUR" in text
    assert report.messages_sent == 1
    [message] = communications(shop.db)
    assert (message.status, message.order_id, message.kind) == ("sent", order.id, "order_received")
    assert message.sent_at is not None


def test_every_event_of_a_placed_order_is_marked_delivered(shop, smtp_server):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 10})
    place(shop.db, order_request(shop.cash.id, ("A-1", 1)))
    # when
    report = run_once(shop.db, mailer=smtp_server.mailer())
    # then
    rows = outbox(shop.db)
    assert rows
    assert all(row.delivered_at is not None and row.attempts == 1 for row in rows)
    assert report.events_delivered == len(rows)
    assert report.events_failed == 0


def _place_then_fail(db, request):
    with db.unit_of_work(actor="test") as uow:
        place_order(uow, request)
        raise RuntimeError("something after the order failed")


def test_a_rolled_back_unit_of_work_sends_nothing(shop, smtp_server):
    # given an order placed in a unit of work that then fails
    stock_up(shop.db, {("MAIN", "A-1"): 10})
    with pytest.raises(RuntimeError, match="after the order"):
        _place_then_fail(shop.db, order_request(shop.cash.id, ("A-1", 2)))
    # when
    report = run_once(shop.db, mailer=smtp_server.mailer())
    # then
    assert outbox(shop.db, "order.placed") == []
    assert communications(shop.db) == []
    assert report.messages_sent == 0
    assert smtp_server.messages == []


def test_a_customer_name_with_markup_is_escaped_in_the_html_part_and_kept_in_the_text(
    shop, smtp_server
):
    # given
    with shop.db.unit_of_work(actor="test") as uow:
        customer = create_customer(
            uow,
            name="<script>alert('x')</script> & Sons",
            email="sons@example.com",
            account_type="cash",
        )
    stock_up(shop.db, {("MAIN", "A-1"): 10})
    place(shop.db, order_request(customer.id, ("A-1", 1)))
    # when
    run_once(shop.db, mailer=smtp_server.mailer())
    # then
    [received] = smtp_server.wait_for(1)
    html = received.get_body(preferencelist=("html",)).get_content()
    text = received.get_body(preferencelist=("plain",)).get_content()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Sons" in html
    assert "Hello <script>alert('x')</script> & Sons," in text


def test_a_customer_without_an_email_address_gets_no_mail_and_the_event_is_still_delivered(
    shop, smtp_server
):
    # given a customer whose address was removed (imported customers may have none)
    stock_up(shop.db, {("MAIN", "A-1"): 10})
    with shop.db.unit_of_work(actor="test") as uow:
        customers = table_of(Customer)
        uow.session.execute(
            sa.update(customers).where(customers.c.id == shop.cash.id).values(email="")
        )
    place(shop.db, order_request(shop.cash.id, ("A-1", 1)))
    # when
    report = run_once(shop.db, mailer=smtp_server.mailer())
    # then
    [placed] = outbox(shop.db, "order.placed")
    assert placed.delivered_at is not None
    assert report.events_failed == 0
    assert communications(shop.db) == []
    assert smtp_server.messages == []
