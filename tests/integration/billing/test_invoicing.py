"""Invoices from shipments and orders: what was shipped, priced as ordered, per line."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from ordersmith import clock
from ordersmith.billing.errors import (
    AlreadyInvoiced,
    NothingToInvoice,
    OrderNotInvoiceable,
    ShipmentNotDispatched,
)
from ordersmith.billing.invoices import invoice_order
from ordersmith.billing.models import DocumentCounter, Invoice
from ordersmith.billing.queries import get_invoice, list_invoices
from ordersmith.config import BackorderPolicy
from ordersmith.customers.services import update_customer
from ordersmith.db import table_of
from ordersmith.orders.services import cancel_order
from ordersmith.outbox.models import OutboxEvent
from ordersmith.uow import Database
from tests.factories.billing import (
    DELIVERY,
    assert_books_clean,
    bill_order,
    bill_shipment,
    confirm_and_ship,
    invoice_of_shipment,
    pay,
    ship_everything_picked,
)
from tests.factories.fulfillment import confirm, make_courier, pack, pick, wave
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place
from tests.integration.conftest import Shop

D = Decimal


def _terms(db: Database, customer_id, days: int) -> None:
    with db.unit_of_work(actor="test") as uow:
        update_customer(uow, customer=customer_id, payment_terms_days=days)


def _amounts(invoice):
    return [(line.sku, line.quantity, line.net_amount, line.tax_amount) for line in invoice.lines]


def _invoice_then_fail(db: Database, order_id) -> None:
    with db.unit_of_work(actor="test") as uow:
        invoice_order(uow, order_id=order_id)
        raise RuntimeError("the printer caught fire")


def test_each_shipment_of_an_account_order_gets_its_own_invoice_for_exactly_what_it_carried(
    shop: Shop,
) -> None:
    # given Bob (account, 30 days) ordered 3 anvils and 7 bolts, only 1 anvil in stock
    _terms(shop.db, shop.trade.id, 30)
    make_courier(shop.db)
    stock_up(shop.db, {("MAIN", "A-1"): 1, ("MAIN", "B-2"): 10})
    order = place(
        shop.db,
        order_request(
            shop.trade.id,
            ("A-1", 3),
            ("B-2", 7),
            shipping_address=DELIVERY,
            backorder_policy=BackorderPolicy.BACKORDER,
            shipping_amount=D("4.90"),
        ),
    )
    # when both shipments are dispatched (each is invoiced as it leaves)
    first_shipment = confirm_and_ship(shop.db, order)
    stock_up(shop.db, {("MAIN", "A-1"): 5})  # the backorder is allocated on arrival
    second_shipment = ship_everything_picked(shop.db, order)
    first = invoice_of_shipment(shop.db, first_shipment)
    second = invoice_of_shipment(shop.db, second_shipment)
    # then: 1 anvil + 7 bolts + shipping, then 2 anvils; amounts rounded per line
    assert [
        (line.sku, line.quantity, line.net_amount, line.tax_amount) for line in first.lines
    ] == [
        ("A-1", 1, D("12.50"), D("2.50")),
        ("B-2", 7, D("2.45"), D("0.49")),
        ("SHIPPING", 1, D("4.90"), D("0")),
    ]
    assert (first.subtotal, first.tax_total, first.total) == (D("19.85"), D("2.99"), D("22.84"))
    assert [
        (line.sku, line.quantity, line.net_amount, line.tax_amount) for line in second.lines
    ] == [
        ("A-1", 2, D("25.00"), D("5.00")),
    ]
    assert second.total == D("30.00")
    assert first.total + second.total == order.total
    assert (first.number, second.number) == (
        f"INV-{clock.today().year}-000001",
        f"INV-{clock.today().year}-000002",
    )
    assert (first.kind, first.status, first.overdue) == ("invoice", "issued", False)
    assert first.due_date == first.issue_date + timedelta(days=30)
    assert (first.order_id, first.shipment_id) == (order.id, first_shipment)
    assert first.billing["customer_number"] == shop.trade.number
    assert_books_clean(shop.db)


def test_a_shipment_is_invoiced_once(shop: Shop) -> None:
    # given an account customer's shipment, invoiced when it was dispatched
    make_courier(shop.db)
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    order = place(shop.db, order_request(shop.trade.id, ("A-1", 2), shipping_address=DELIVERY))
    shipment = confirm_and_ship(shop.db, order)
    assert invoice_of_shipment(shop.db, shipment).total == order.total
    # when / then
    with pytest.raises(AlreadyInvoiced) as again:
        bill_shipment(shop.db, shipment)
    assert again.value.code == "already_invoiced"
    with pytest.raises(NothingToInvoice) as rest:
        bill_order(shop.db, order.id)
    assert rest.value.code == "nothing_to_invoice"


def test_a_shipment_not_yet_dispatched_cannot_be_invoiced(shop: Shop) -> None:
    # given a packed shipment without a label
    make_courier(shop.db)
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    order = confirm(
        shop.db, place(shop.db, order_request(shop.trade.id, ("A-1", 2), shipping_address=DELIVERY))
    )
    pick(shop.db, wave(shop.db))
    shipment = pack(shop.db, order)
    # when / then
    with pytest.raises(ShipmentNotDispatched) as refused:
        bill_shipment(shop.db, shipment.id)
    assert refused.value.code == "shipment_not_dispatched"


def test_an_order_invoiced_up_front_leaves_nothing_for_its_shipment(shop: Shop) -> None:
    # given Ann's (cash) order receipted in full before it ships
    make_courier(shop.db)
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    order = place(shop.db, order_request(shop.cash.id, ("A-1", 2)))
    receipt = bill_order(shop.db, order.id)
    shipment = confirm_and_ship(shop.db, order)
    # when / then
    with pytest.raises(AlreadyInvoiced) as nothing_left:
        bill_shipment(shop.db, shipment)
    assert "everything shipment" in nothing_left.value.detail
    assert receipt.total == order.total


def test_an_account_order_invoiced_up_front_can_still_be_dispatched(shop: Shop) -> None:
    # given Bob's (account) order invoiced in full before it ships
    make_courier(shop.db)
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    order = place(shop.db, order_request(shop.trade.id, ("A-1", 2), shipping_address=DELIVERY))
    bill_order(shop.db, order.id)
    # when it is dispatched
    shipment = confirm_and_ship(shop.db, order)
    # then no second invoice was issued
    with shop.db.reader() as session:
        assert list_invoices(session, shipment_id=shipment) == []


def test_a_cash_sale_paid_ahead_gets_a_receipt_that_is_paid_at_once(shop: Shop) -> None:
    # given Ann (cash) pays for her order at the counter before the receipt is printed
    order = place(shop.db, order_request(shop.cash.id, ("SVC", 1)))
    payment = pay(
        shop.db, shop.cash.id, "30.00", method="card", order_id=order.id, card_last4="4242"
    )
    assert payment.unallocated == D("30.00")  # nothing to allocate to yet
    # when
    receipt = bill_order(shop.db, order.id)
    # then
    assert receipt.kind == "receipt"
    assert receipt.number == f"RCT-{clock.today().year}-000001"
    assert (receipt.status, receipt.balance) == ("paid", D("0"))
    assert [(s.kind, s.number, s.amount) for s in receipt.settlements] == [
        ("payment", payment.number, D("30.00"))
    ]
    assert_books_clean(shop.db)


def test_a_draft_or_cancelled_order_is_not_invoiced(shop: Shop) -> None:
    # given a cancelled order
    order = place(shop.db, order_request(shop.trade.id, ("SVC", 1)))
    with shop.db.unit_of_work(actor="test") as uow:
        cancel_order(uow, order_id=order.id, reason="test")
    # when / then
    with pytest.raises(OrderNotInvoiceable) as refused:
        bill_order(shop.db, order.id)
    assert refused.value.code == "order_not_invoiceable"


def test_an_invoice_rolled_back_gives_its_number_back(shop: Shop) -> None:
    # given one invoice issued, and a second one whose unit of work fails after numbering
    first = bill_order(shop.db, place(shop.db, order_request(shop.trade.id, ("SVC", 1))).id)
    second_order = place(shop.db, order_request(shop.trade.id, ("SVC", 2)))
    with pytest.raises(RuntimeError):
        _invoice_then_fail(shop.db, second_order.id)
    # when the order is invoiced again
    second = bill_order(shop.db, second_order.id)
    # then its number follows the first without a gap, and nothing of the failed one stayed
    year = clock.today().year
    assert (first.number, second.number) == (f"INV-{year}-000001", f"INV-{year}-000002")
    with shop.db.reader() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(table_of(Invoice))) == 2
        events = session.scalars(
            sa.select(table_of(OutboxEvent).c.event_type).where(
                table_of(OutboxEvent).c.event_type == "invoice.issued"
            )
        ).all()
        counter = session.scalar(
            sa.select(table_of(DocumentCounter).c.next_value).where(
                table_of(DocumentCounter).c.series == f"INV-{year}"
            )
        )
    assert len(events) == 2
    assert counter == 3


def test_a_discounted_line_invoiced_in_parts_never_exceeds_its_order_line(shop: Shop) -> None:
    # given 3 anvils at 12.50 with a 10.00 discount, shipped 1 + 1 + 1
    make_courier(shop.db)
    stock_up(shop.db, {("MAIN", "A-1"): 1})
    from ordersmith.orders.models import Channel
    from ordersmith.orders.placement import LineRequest, PlaceOrder

    order = place(
        shop.db,
        PlaceOrder(
            customer_id=shop.trade.id,
            channel=Channel.PHONE,
            lines=[LineRequest(sku="A-1", quantity=3, discount=D("10.00"))],
            shipping_address=DELIVERY,
            backorder_policy=BackorderPolicy.BACKORDER,
        ),
    )
    invoices = [invoice_of_shipment(shop.db, confirm_and_ship(shop.db, order))]
    for _ in range(2):
        stock_up(shop.db, {("MAIN", "A-1"): 1})
        invoices.append(invoice_of_shipment(shop.db, ship_everything_picked(shop.db, order)))
    # then: the discount is 3.33, 3.33 and the rest 3.34; the line adds up exactly
    assert [inv.lines[0].discount for inv in invoices] == [D("3.33"), D("3.33"), D("3.34")]
    assert [inv.lines[0].net_amount for inv in invoices] == [D("9.17"), D("9.17"), D("9.16")]
    assert sum(inv.lines[0].net_amount for inv in invoices) == order.lines[0].net_amount
    # tax is rounded per invoice line from its own net
    assert [inv.lines[0].tax_amount for inv in invoices] == [D("1.83"), D("1.83"), D("1.83")]
    assert_books_clean(shop.db)


def test_invoices_list_newest_first_filtered_by_customer_status_and_overdue(shop: Shop) -> None:
    # given two invoices of Bob, issued 40 and 10 days ago on 30 days' terms, one paid
    _terms(shop.db, shop.trade.id, 30)
    today = clock.now()
    with clock.simulated(today - timedelta(days=40)):
        old = bill_order(shop.db, place(shop.db, order_request(shop.trade.id, ("SVC", 1))).id)
    with clock.simulated(today - timedelta(days=10)):
        new = bill_order(shop.db, place(shop.db, order_request(shop.trade.id, ("SVC", 2))).id)
    pay(shop.db, shop.trade.id, "10.00")  # oldest first: part of the old one
    # when
    with shop.db.reader() as session:
        everything = list_invoices(session, customer_id=shop.trade.id)
        overdue = list_invoices(session, overdue_only=True)
        page_two = list_invoices(
            session, limit=1, before=(everything[0].issue_date, everything[0].number)
        )
        old_view = get_invoice(session, old.number)
    # then
    assert [i.number for i in everything] == [new.number, old.number]
    assert [i.number for i in overdue] == [old.number]
    assert [i.number for i in page_two] == [old.number]
    assert (old_view.status, old_view.overdue, old_view.balance) == (
        "partially_paid",
        True,
        old.total - D("10.00"),
    )
