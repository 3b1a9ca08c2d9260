"""Cash sales wait for payment; account orders over their limit wait for credit control."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest

from ordersmith import clock
from ordersmith.billing.cash_sales import expire_unpaid_orders
from ordersmith.billing.payments import record_payment
from ordersmith.billing.queries import list_invoices
from ordersmith.checks import run_checks
from ordersmith.customers.services import update_customer
from ordersmith.inventory.queries import stock_levels
from ordersmith.orders.queries import get_order
from ordersmith.uow import Database
from tests.conftest import make_settings
from tests.factories.fulfillment import confirm, label_and_dispatch, make_courier, pack, pick, wave
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place
from tests.integration.conftest import Shop, make_shop


@pytest.fixture
def paying_shop(db: Database, tmp_path) -> Iterator[Shop]:
    """The shop with cash sales held until paid (the product default)."""
    settings = make_settings(tmp_path, db.settings.database_url, cash_orders_require_payment=True)
    database = Database.connect(settings)
    try:
        yield make_shop(database)
    finally:
        database.dispose()


def _order(db, number):
    with db.reader() as session:
        return get_order(session, number)


def _pay(db, customer_id, amount, order_id=None):
    with db.unit_of_work(actor="user:till") as uow:
        return record_payment(
            uow,
            customer_id=customer_id,
            method="card",
            amount=Decimal(amount),
            currency="EUR",
            order_id=order_id,
            card_last4="4242",
            reference="terminal 7",
        )


def _no_violations(db):
    with db.reader() as session:
        assert {k: v for k, v in run_checks(session).items() if v} == {}


def test_a_cash_order_waits_for_payment_then_goes_to_the_warehouse_with_a_receipt(paying_shop):
    # given: 2 x 12.50 + 20% tax = 30.00
    db = paying_shop.db
    stock_up(db, {("MAIN", "A-1"): 5})
    order = place(db, order_request(paying_shop.cash.id, ("A-1", 2)))
    assert (order.status, order.hold_reason) == ("on_hold", "awaiting_payment")
    # when: a first part, then the rest
    _pay(db, paying_shop.cash.id, "10.00", order.id)
    still_waiting = _order(db, order.number)
    _pay(db, paying_shop.cash.id, "20.00", order.id)
    # then
    assert still_waiting.status == "on_hold"
    paid = _order(db, order.number)
    assert (paid.status, paid.fulfilment_status) == ("confirmed", "allocated")
    with db.reader() as session:
        invoices = list_invoices(session, customer_id=paying_shop.cash.id)
    assert [(i.kind, i.status, i.total) for i in invoices] == [
        ("receipt", "paid", Decimal("30.0000"))
    ]
    _no_violations(db)


def test_an_unpaid_cash_order_expires_and_gives_its_stock_back(paying_shop):
    # given
    db = paying_shop.db
    stock_up(db, {("MAIN", "A-1"): 5})
    order = place(db, order_request(paying_shop.cash.id, ("A-1", 2)))
    # when: three days later
    later = clock.now() + timedelta(hours=db.settings.unpaid_order_expiry_hours + 1)
    with clock.simulated(later):
        expired = expire_unpaid_orders(db)
    # then
    assert expired == [order.number]
    assert _order(db, order.number).status == "cancelled"
    with db.reader() as session:
        assert stock_levels(session, sku="A-1", warehouse="MAIN")[0].reserved == 0
    _no_violations(db)


def test_an_account_order_over_the_credit_limit_is_held_for_credit_control(paying_shop):
    # given: a 100.00 limit; 15.00 a unit with tax
    db = paying_shop.db
    stock_up(db, {("MAIN", "A-1"): 20})
    with db.unit_of_work(actor="test") as uow:
        update_customer(uow, customer=paying_shop.trade.id, credit_limit="100.00")
    first = place(db, order_request(paying_shop.trade.id, ("A-1", 3)))  # 45.00
    second = place(db, order_request(paying_shop.trade.id, ("A-1", 2)))  # 30.00
    # when: a third would take open orders to 135.00
    third = place(db, order_request(paying_shop.trade.id, ("A-1", 4)))
    # then
    assert [first.status, second.status] == ["placed", "placed"]
    assert (third.status, third.hold_reason) == ("on_hold", "credit")


def test_an_account_customers_shipment_is_invoiced_when_it_is_dispatched(paying_shop):
    # given
    db = paying_shop.db
    make_courier(db)
    stock_up(db, {("MAIN", "A-1"): 10})
    address = {"line1": "5 Trade Park", "city": "Leipzig", "postcode": "04109", "country": "DE"}
    order = confirm(
        db, place(db, order_request(paying_shop.trade.id, ("A-1", 4), shipping_address=address))
    )
    pick(db, wave(db))
    # when
    label_and_dispatch(db, pack(db, order).id)
    # then: 4 x 12.50 = 50.00 + 10.00 tax
    with db.reader() as session:
        invoices = list_invoices(session, customer_id=paying_shop.trade.id)
    assert [(i.kind, i.status, i.total) for i in invoices] == [
        ("invoice", "issued", Decimal("60.0000"))
    ]
    _no_violations(db)
