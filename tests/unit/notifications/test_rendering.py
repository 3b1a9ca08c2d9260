from __future__ import annotations

import jinja2
import pytest

from ordersmith.notifications.models import MessageKind
from ordersmith.notifications.rendering import render

BASE = {"customer_name": "Ann", "company_name": "Shop Ltd", "company_email": "help@shop.test"}
CONTEXTS = {
    MessageKind.ORDER_RECEIVED: {
        "order_number": "SO-1",
        "lines": [{"sku": "A-1", "name": "Anvil", "quantity": 2}],
        "total": "25.00",
        "currency": "EUR",
        "backordered": False,
    },
    MessageKind.ORDER_DISPATCHED: {
        "order_numbers": ["SO-1"],
        "shipment_number": "SH-1",
        "carrier_name": "DHL",
        "service_level": "",
        "tracking_number": "123",
        "tracking_url": "https://track.test/123",
        "promised_delivery_date": "",
    },
    MessageKind.ORDER_DELIVERED: {
        "order_numbers": ["SO-1"],
        "shipment_number": "SH-1",
        "delivered_on": "",
    },
    MessageKind.BACKORDER_DELAY: {
        "order_number": "SO-1",
        "lines": [{"sku": "A-1", "name": "Anvil", "quantity": 2, "expected_date": ""}],
    },
    MessageKind.BACKORDER_ALLOCATED: {"order_number": "SO-1", "still_waiting": 0},
    MessageKind.INVOICE_ISSUED: {
        "document_word": "invoice",
        "invoice_number": "INV-1",
        "total": "30.00",
        "balance": "30.00",
        "currency": "EUR",
        "due_date": "Wednesday 1 April 2026",
        "settled": False,
    },
    MessageKind.CREDIT_NOTE_ISSUED: {
        "credit_note_number": "CN-1",
        "invoice_number": "INV-1",
        "total": "12.00",
        "applied": "12.00",
        "credit": "0.00",
        "has_credit": False,
        "currency": "EUR",
    },
    MessageKind.PAYMENT_REMINDER: {
        "document_word": "invoice",
        "invoice_number": "INV-1",
        "total": "30.00",
        "balance": "30.00",
        "currency": "EUR",
        "due_date": "Wednesday 1 April 2026",
        "settled": False,
        "days_overdue": "7",
    },
    MessageKind.STATEMENT: {"date_from": "2026-03-01", "date_to": "2026-03-31"},
    MessageKind.PURCHASE_ORDER: {
        "po_number": "PO-1",
        "total": "60.00",
        "currency": "EUR",
        "deliver_to": "MAIN",
        "lines": [
            {
                "sku": "A-1",
                "supplier_sku": "X-1",
                "name": "Anvil",
                "quantity": 10,
                "expected_date": "2026-03-09",
            }
        ],
    },
    MessageKind.RETURN_AUTHORISED: {
        "rma_number": "RMA-1",
        "order_number": "SO-1",
        "lines": [{"sku": "A-1", "name": "Anvil", "quantity": 1}],
        "return_address": ["Shop Ltd", "1 Dock Rd", "Hamburg"],
        "carrier_name": "",
        "tracking_number": "",
    },
    MessageKind.RETURN_REJECTED: {
        "rma_number": "RMA-1",
        "order_number": "SO-1",
        "reason": "final sale",
    },
    MessageKind.RETURN_RECEIVED: {
        "rma_number": "RMA-1",
        "order_number": "SO-1",
        "lines": [{"sku": "A-1", "name": "Anvil", "expected": 2, "received": 1}],
        "short": True,
    },
    MessageKind.RETURN_RESOLVED: {
        "rma_number": "RMA-1",
        "order_number": "SO-1",
        "resolution": "refund",
        "credited": "15.00",
        "refunded": "15.00",
        "has_refund": True,
        "currency": "EUR",
        "credit_notes": ["CN-1"],
        "replacement_order_number": "",
    },
    MessageKind.ORDER_CHANGED: {
        "order_number": "SO-1",
        "summary": "line 1 (A-1) 2 → 3",
        "reason": "you asked for one more",
        "lines": [{"sku": "A-1", "name": "Anvil", "quantity": 3}],
        "total": "45.00 EUR",
        "shipping_address": ["1 Main St", "Berlin", "DE"],
        "requested_delivery_date": "",
    },
    MessageKind.CASE_REPLY: {
        "case_number": "CS-1",
        "case_subject": "Where is my parcel?",
        "order_number": "SO-1",
        "body": "It arrives on Tuesday.",
    },
    MessageKind.PORTAL_INVITE: {
        "link": "https://shop.test/portal/invite/abc",
        "valid_for": "7 days",
        "account_email": "ann@shop.test",
    },
    MessageKind.PORTAL_PASSWORD_RESET: {
        "link": "https://shop.test/portal/reset/abc",
        "valid_for": "1 hour",
        "account_email": "ann@shop.test",
    },
}
NAMED = {
    MessageKind.INVOICE_ISSUED: "INV-1",
    MessageKind.CREDIT_NOTE_ISSUED: "CN-1",
    MessageKind.PAYMENT_REMINDER: "INV-1",
    MessageKind.STATEMENT: "2026-03-31",
    MessageKind.PURCHASE_ORDER: "PO-1",
    MessageKind.RETURN_AUTHORISED: "RMA-1",
    MessageKind.RETURN_REJECTED: "RMA-1",
    MessageKind.RETURN_RECEIVED: "RMA-1",
    MessageKind.RETURN_RESOLVED: "RMA-1",
    MessageKind.CASE_REPLY: "CS-1",
    MessageKind.PORTAL_INVITE: "Shop Ltd",  # the portal of the company, with its link
    MessageKind.PORTAL_PASSWORD_RESET: "Shop Ltd",
}
"""What each kind must name (in its parts and its subject): the order, else the document."""


@pytest.mark.parametrize("kind", list(MessageKind))
def test_every_kind_greets_the_customer_by_name_and_names_the_order(kind):
    # given
    context = {**BASE, **CONTEXTS[kind]}
    # when
    message = render(kind, context)
    # then
    named = NAMED.get(kind, "SO-1")
    for part in (message.text, message.html):
        assert "Hello Ann," in part
        assert named in part
        assert "Shop Ltd" in part
    assert named in message.subject


@pytest.mark.parametrize("kind", list(MessageKind))
def test_customer_data_is_escaped_in_html_and_plain_in_text(kind):
    # given
    context = {**BASE, **CONTEXTS[kind], "customer_name": '<img src=x onerror="alert(1)">'}
    # when
    message = render(kind, context)
    # then
    assert "<img" not in message.html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in message.html
    assert 'Hello <img src=x onerror="alert(1)">,' in message.text


def test_a_subject_never_carries_a_line_break():
    # given an order number with a header-injection attempt
    context = {**BASE, **CONTEXTS[MessageKind.ORDER_RECEIVED], "order_number": "SO-1\r\nBcc: x@y"}
    # when
    message = render(MessageKind.ORDER_RECEIVED, context)
    # then
    assert "\n" not in message.subject
    assert "\r" not in message.subject


def test_one_shipment_for_several_orders_says_orders():
    # given
    context = {**BASE, **CONTEXTS[MessageKind.ORDER_DISPATCHED], "order_numbers": ["SO-1", "SO-2"]}
    # when
    message = render(MessageKind.ORDER_DISPATCHED, context)
    # then
    assert message.subject == "On its way: your orders SO-1, SO-2"
    assert "your orders SO-1, SO-2 is on its way" in message.text


def test_a_missing_template_variable_is_an_error_not_an_empty_gap():
    # given a context without the order number
    context = {**BASE, **CONTEXTS[MessageKind.ORDER_RECEIVED]}
    del context["order_number"]
    # when / then
    with pytest.raises(jinja2.UndefinedError, match="order_number"):
        render(MessageKind.ORDER_RECEIVED, context)
