"""Billing in a real browser: an accountant pays an invoice in full and in part through
its page, over-payments and negative amounts are refused with nothing recorded, the
PDFs are PDFs, a credit note and a refund go through their forms, the aging report puts
an overdue balance in its bucket, a credit hold is released, and a warehouse user can
neither see invoices nor post a payment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from ordersmith import clock
from ordersmith.billing.queries import get_invoice, list_payments
from ordersmith.billing.views import InvoiceView
from ordersmith.customers.services import create_customer
from ordersmith.db import table_of
from ordersmith.money import money_str
from ordersmith.orders.queries import get_order
from ordersmith.outbox.models import OutboxEvent
from tests.browser.screenshots import screenshot_dir
from tests.factories.billing import bill_order, pay
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place
from tests.integration.conftest import make_shop


@pytest.fixture(scope="module")
def shop(live_server: Any) -> Any:
    shop = make_shop(live_server.db)
    stock_up(live_server.db, {("MAIN", "A-1"): 1000, ("MAIN", "B-2"): 1000})
    return shop


def _customer(live_server: Any, name: str, **kw: Any) -> Any:
    with live_server.db.unit_of_work(actor="test") as uow:
        return create_customer(
            uow,
            name=name,
            email=f"{name.split()[0].lower()}@example.com",
            account_type="account",
            **kw,
        )


def _invoiced(live_server: Any, customer_id: Any, *lines: tuple[str, int]) -> InvoiceView:
    """An order of ``lines`` for the customer, invoiced in full."""
    order = place(live_server.db, order_request(customer_id, *lines))
    return bill_order(live_server.db, order.id)


def _invoice(live_server: Any, number: str) -> InvoiceView:
    with live_server.db.reader() as session:
        return get_invoice(session, number)


def _payments_of(live_server: Any, customer_id: Any) -> list[Any]:
    with live_server.db.reader() as session:
        return list_payments(session, customer_id=customer_id)


def _shot(page: Any, name: str) -> None:
    page.screenshot(path=str(screenshot_dir() / f"billing-{name}.png"), full_page=True)


def _click(page: Any, button: str) -> None:
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state()


def test_an_accountant_pays_an_invoice_in_full_through_its_page(page, live_server, signed_in, shop):
    # given: Bob's invoiced order of 2 anvils
    invoice = _invoiced(live_server, shop.trade.id, ("A-1", 2))
    total = money_str(invoice.total, "EUR")
    signed_in(page, "accounting")
    # when: the accountant finds it on the billing list and records its payment
    page.goto(live_server.url(f"/billing?customer={shop.trade.number}"))
    row = page.locator(f'tr[data-invoice="{invoice.number}"]')
    assert row.get_by_test_id("balance").inner_text() == f"{total} EUR"
    _shot(page, "invoices")
    row.get_by_role("link", name=invoice.number).click()
    page.wait_for_load_state()
    page.get_by_label("Amount paid (EUR)").fill(total)
    page.get_by_label("Method").select_option("bank_transfer")
    page.get_by_label("Reference").fill("bank statement 42")
    _click(page, "Record payment")
    # then: paid, nothing left to pay, and the payment is listed on the invoice
    assert page.get_by_role("status").inner_text() == "The payment is recorded."
    assert page.get_by_test_id("status").inner_text() == "paid"
    assert page.get_by_test_id("balance").inner_text() == "0.00 EUR"
    (payment,) = _payments_of(live_server, shop.trade.id)
    assert payment.reference == "bank statement 42"
    assert payment.number in page.get_by_test_id("settlements").inner_text()
    assert page.get_by_role("region", name="Actions").get_by_text("Record a payment").count() == 0
    _shot(page, "invoice")
    # and: the payments list has it, and filters live by customer (HTMX, URL follows)
    page.goto(live_server.url("/billing/payments"))
    assert page.locator(f'tr[data-payment="{payment.number}"]').count() == 1
    page.evaluate("window.notReloaded = true")
    with page.expect_response(lambda r: "customer=CUST-NONE" in r.url):
        page.get_by_label("Customer number").fill("CUST-NONE")
    page.wait_for_function("document.querySelectorAll('tr[data-payment]').length === 0")
    assert "no customer" in page.get_by_role("alert").inner_text()
    assert page.evaluate("window.notReloaded") is True
    assert "customer=CUST-NONE" in page.url
    assert all(url.startswith(live_server.base_url) for url in page.recorded.urls)


def test_a_part_payment_leaves_the_rest_to_pay(page, live_server, signed_in, shop):
    # given
    cleo = _customer(live_server, "Cleo Partial")
    invoice = _invoiced(live_server, cleo.id, ("A-1", 4))
    signed_in(page, "accounting")
    page.goto(live_server.url(f"/billing/invoices/{invoice.number}"))
    # when: 10.00 of it is paid
    page.get_by_label("Amount paid (EUR)").fill("10.00")
    _click(page, "Record payment")
    # then
    left = money_str(invoice.total - Decimal("10.00"), "EUR")
    assert page.get_by_test_id("status").inner_text() == "partially paid"
    assert page.get_by_test_id("balance").inner_text() == f"{left} EUR"
    assert page.get_by_label("Amount paid (EUR)").input_value() == left
    assert _invoice(live_server, invoice.number).balance == invoice.total - Decimal("10.00")
    # when: Cleo is sent her statement of the year
    _click(page, "Email statement")
    # then: queued for the worker
    assert page.get_by_role("status").inner_text() == (
        "The statement will be emailed to the customer."
    )
    outbox = table_of(OutboxEvent)
    with live_server.db.reader() as session:
        queued = session.scalar(
            sa.select(sa.func.count()).where(
                outbox.c.event_type == "customer.statement_requested",
                outbox.c.aggregate_id == cleo.id,
            )
        )
    assert queued == 1


def test_an_over_payment_or_a_negative_amount_is_refused_and_changes_nothing(
    page, live_server, signed_in, shop
):
    # given
    dora = _customer(live_server, "Dora Overpays")
    invoice = _invoiced(live_server, dora.id, ("B-2", 10))
    signed_in(page, "accounting")
    page.goto(live_server.url(f"/billing/invoices/{invoice.number}"))
    # when: one euro more than the balance
    page.get_by_label("Amount paid (EUR)").fill(money_str(invoice.total + 1, "EUR"))
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        _click(page, "Record payment")
    # then: the service's message and code, the error's status, nothing recorded
    assert posted.value.status == 409
    error = page.get_by_test_id("action-error").inner_text()
    assert "over_allocation" in error
    assert f"the balance of {invoice.number}" in error
    _shot(page, "invoice-refused")
    # when: a negative amount
    page.get_by_label("Amount paid (EUR)").fill("-5")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        _click(page, "Record payment")
    # then
    assert posted.value.status == 422
    error = page.get_by_test_id("action-error").inner_text()
    assert "validation_error" in error
    assert "amount" in error
    assert _payments_of(live_server, dora.id) == []
    assert _invoice(live_server, invoice.number).status == "issued"


def test_a_credit_note_is_issued_from_the_invoice_and_both_pdfs_are_pdfs(
    page, live_server, signed_in, shop
):
    # given
    eve = _customer(live_server, "Eve Credit")
    invoice = _invoiced(live_server, eve.id, ("A-1", 2))
    signed_in(page, "accounting")
    page.goto(live_server.url(f"/billing/invoices/{invoice.number}"))
    # when: the invoice's PDF is downloaded
    pdf = page.request.get(live_server.url(f"/billing/invoices/{invoice.number}/pdf"))
    # then
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    # when: one anvil is credited, damaged
    page.get_by_label("Units of line 1 (A-1)").fill("1")
    page.get_by_label("Reason").select_option("damage")
    _click(page, "Issue credit note")
    # then: a credit note on the invoice takes half of it off the balance
    assert page.get_by_role("status").inner_text() == "The credit note is issued."
    half = invoice.total / 2
    assert page.get_by_test_id("balance").inner_text() == f"{money_str(half, 'EUR')} EUR"
    page.get_by_test_id("credit-notes").get_by_role("link").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("total").inner_text() == f"{money_str(half, 'EUR')} EUR"
    _shot(page, "credit-note")
    number = page.locator("h1").inner_text().split()[-1]
    cn_pdf = page.request.get(live_server.url(f"/billing/credit-notes/{number}/pdf"))
    assert cn_pdf.headers["content-type"] == "application/pdf"
    assert cn_pdf.body().startswith(b"%PDF")


def test_money_paid_on_account_is_refunded_from_the_payment_page(
    page, live_server, signed_in, shop
):
    # given: Finn paid 50.00 that no invoice took
    finn = _customer(live_server, "Finn Refund")
    payment = pay(live_server.db, finn.id, "50.00", allocate_to=[])
    signed_in(page, "accounting")
    page.goto(live_server.url(f"/billing/payments/{payment.number}"))
    # when: more than is left is asked back, then 20.00
    page.get_by_label("Refund amount (EUR)").fill("60.00")
    page.get_by_label("Reason").fill("customer asked")
    _click(page, "Refund")
    assert "refund_exceeds_unallocated" in page.get_by_test_id("action-error").inner_text()
    page.get_by_label("Refund amount (EUR)").fill("20.00")
    _click(page, "Refund")
    # then
    assert page.get_by_role("status").inner_text() == "The refund is recorded."
    assert page.get_by_test_id("refunded").inner_text() == "20.00 EUR"
    assert page.get_by_test_id("unallocated").inner_text() == "30.00 EUR"
    _shot(page, "payment")


def test_the_aging_report_puts_an_overdue_balance_in_its_bucket_and_links_to_it(
    page, live_server, signed_in, shop
):
    # given: Gus's invoice of 75 days ago on 30 days' terms: 45 days overdue
    gus = _customer(live_server, "Gus Late", payment_terms_days=30)
    with clock.simulated(datetime.now(UTC) - timedelta(days=75)):
        invoice = _invoiced(live_server, gus.id, ("A-1", 1))
    amount = f"{money_str(invoice.total, 'EUR')}"
    signed_in(page, "accounting")
    # when
    page.goto(live_server.url("/billing/aging"))
    # then: in 31-60 days, and nowhere else
    row = page.locator(f'tr[data-customer="{gus.number}"]')
    assert row.locator('[data-bucket="days_31_60"]').inner_text() == amount
    for bucket in ("current", "days_1_30", "days_61_90", "over_90"):
        assert row.locator(f'[data-bucket="{bucket}"]').inner_text() == "0"
    assert row.get_by_role("link", name="Gus Late").get_attribute("href") == (
        f"/customers/{gus.number}"
    )
    _shot(page, "aging")
    # when: the bucket's amount is followed
    row.locator('[data-bucket="days_31_60"] a').click()
    page.wait_for_load_state()
    # then: the open invoices of Gus due 31 to 60 days ago
    assert page.locator("tr[data-invoice]").evaluate_all(
        "rows => rows.map(r => r.dataset.invoice)"
    ) == [invoice.number]
    assert "overdue" in page.locator(f'tr[data-invoice="{invoice.number}"]').inner_text()


def test_the_invoices_list_pages_by_cursor_and_reports_bad_filters(
    page, live_server, signed_in, shop
):
    # given: Hal has three invoices
    hal = _customer(live_server, "Hal Many")
    numbers = [_invoiced(live_server, hal.id, ("B-2", n)).number for n in (1, 2, 3)]
    signed_in(page, "sales")
    # when: two a page, then the next
    page.goto(live_server.url(f"/billing?customer={hal.number}&limit=2"))
    first = page.locator("tr[data-invoice]").evaluate_all("r => r.map(x => x.dataset.invoice)")
    page.get_by_role("link", name="Next page").click()
    page.wait_for_load_state()
    second = page.locator("tr[data-invoice]").evaluate_all("r => r.map(x => x.dataset.invoice)")
    # then: newest first, each once; sales may read but sees no forms
    assert first + second == list(reversed(numbers))
    page.goto(live_server.url(f"/billing/invoices/{numbers[0]}"))
    assert page.get_by_role("region", name="Actions").count() == 0
    # when: a day that is not one
    page.goto(live_server.url("/billing?due_from=soon&status=lost"))
    alerts = page.get_by_role("alert").all_inner_texts()
    assert any("due_from" in a for a in alerts)
    assert any("status" in a for a in alerts)
    assert page.locator("tr[data-invoice]").count() == 0


def test_an_accountant_releases_a_credit_hold_from_the_aging_page(
    page, live_server, signed_in, shop
):
    # given: Ivy's order passes her credit limit of 1.00
    ivy = _customer(live_server, "Ivy Limit", credit_limit="1.00")
    order = place(live_server.db, order_request(ivy.id, ("A-1", 1)))
    assert order.hold_reason == "credit"
    signed_in(page, "accounting")
    page.goto(live_server.url("/billing/aging"))
    # when: released without a reason, then with one
    page.locator(f'tr[data-order="{order.number}"]').get_by_role("button").click()
    page.wait_for_load_state()
    assert "validation_error" in page.get_by_test_id("action-error").inner_text()
    page.get_by_label(f"Why release {order.number}").fill("paid by phone")
    page.locator(f'tr[data-order="{order.number}"]').get_by_role("button").click()
    page.wait_for_load_state()
    # then
    assert page.get_by_role("status").inner_text() == (
        f"The credit hold of {order.number} is lifted."
    )
    assert page.locator(f'tr[data-order="{order.number}"]').count() == 0
    with live_server.db.reader() as session:
        assert get_order(session, str(order.id)).status == "placed"


def test_a_warehouse_user_can_neither_see_invoices_nor_post_a_payment(
    page, live_server, signed_in, shop
):
    # given
    jo = _customer(live_server, "Jo Guarded")
    invoice = _invoiced(live_server, jo.id, ("A-1", 1))
    signed_in(page, "warehouse")
    # when
    page.goto(live_server.url("/dashboard"))
    menu = page.get_by_role("navigation", name="Main").inner_text()
    listing = page.goto(live_server.url("/billing"))
    detail = page.goto(live_server.url(f"/billing/invoices/{invoice.number}"))
    _shot(page, "forbidden")
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    forged = page.request.post(
        live_server.url(f"/billing/invoices/{invoice.number}/payments"),
        form={"csrf_token": token, "amount": "1.00", "method": "cash"},
        headers={"accept": "text/html"},
    )
    # then
    assert "Billing" not in menu
    assert listing.status == 403
    assert detail.status == 403
    assert forged.status == 403
    assert _payments_of(live_server, jo.id) == []
    assert _invoice(live_server, invoice.number).status == "issued"
