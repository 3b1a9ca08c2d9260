"""Billing's lock order under real concurrency (PostgreSQL: READ COMMITTED, row locks).

Every billing path takes its locks in one order (ADR 0013, "Lock order"): the shipment
(dispatch), the orders in id order, the customer, the invoices, the payments and credit
notes, then the document counter and the journal's counter last. A cash sale's payment
and an invoice of the same order, or a payment and another customer's receipt, racing
each other must both finish: a deadlock is not lost data (the loser rolls back), but it
refuses ordinary work that never conflicts in business terms.

SQLite serialises writers (BEGIN IMMEDIATE): the order of row locks cannot matter there.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ordersmith.billing.errors import NothingToInvoice
from ordersmith.billing.invoices import invoice_order
from ordersmith.billing.payments import record_payment
from ordersmith.billing.queries import list_invoices
from ordersmith.orders.queries import get_order
from ordersmith.orders.views import OrderView
from ordersmith.uow import Database
from tests.conftest import make_settings
from tests.factories.billing import assert_books_clean
from tests.factories.customers import make_customer
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place
from tests.integration.conftest import make_shop

pytestmark = pytest.mark.slow

ROUNDS = 12


@pytest.fixture
def paying_db(db: Database, tmp_path: Path) -> Iterator[Database]:
    """PostgreSQL only; cash sales held until paid (the product's default, ADR 0013)."""
    if db.settings.is_sqlite:
        pytest.skip("SQLite serialises writers; the lock order matters on PostgreSQL")
    settings = make_settings(
        tmp_path,
        db.settings.database_url,
        cash_orders_require_payment=True,
        duplicate_window_minutes=0,
    )
    database = Database.connect(settings)
    try:
        yield database
    finally:
        database.dispose()


def _race(*work: Callable[[], Any]) -> list[BaseException]:
    """Run ``work`` in threads released together; the exceptions they raised."""
    barrier, failures = threading.Barrier(len(work)), []

    def run(job: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            job()
        except BaseException as exc:  # reported by the caller
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(job,)) for job in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return failures


def _payment(db: Database, order: OrderView) -> Callable[[], Any]:
    def pay() -> Any:
        with db.unit_of_work(actor="user:till") as uow:
            return record_payment(
                uow,
                customer_id=order.customer_id,
                method="card",
                amount=order.total,
                currency="EUR",
                order_id=order.id,
                card_last4="4242",
            )

    return pay


def _invoice(db: Database, order: OrderView) -> Callable[[], Any]:
    def invoice() -> Any:
        with db.unit_of_work(actor="user:clerk") as uow:
            return invoice_order(uow, order_id=order.id)

    return invoice


def _cash_orders(db: Database, customers: int, units: int) -> list[OrderView]:
    """One held cash order of ``units`` anvils for each of ``customers`` new customers."""
    orders = []
    for _ in range(customers):
        with db.unit_of_work(actor="test") as uow:
            customer = make_customer(uow).id
        orders.append(place(db, order_request(customer, ("A-1", units))))
    assert {(o.status, o.hold_reason) for o in orders} == {("on_hold", "awaiting_payment")}
    return orders


def test_a_cash_sales_payment_and_an_invoice_of_the_same_order_at_once_both_finish(
    paying_db: Database,
) -> None:
    # given a held cash order per round (quantities differ: no duplicate hold)
    db = paying_db
    make_shop(db)
    stock_up(db, {("MAIN", "A-1"): 10 * ROUNDS})
    failures: list[BaseException] = []
    orders = []
    for r in range(ROUNDS):
        (order,) = _cash_orders(db, 1, 1 + r % 3)
        # when the till takes the payment while a clerk invoices the order
        failures += _race(_payment(db, order), _invoice(db, order))
        orders.append(order)
    # then nothing deadlocked; whoever came second found the receipt already issued
    assert [type(f).__name__ for f in failures if not isinstance(f, NothingToInvoice)] == []
    with db.reader() as session:
        for order in orders:
            (receipt,) = list_invoices(session, customer_id=order.customer_id)
            assert (receipt.kind, receipt.status, receipt.total) == ("receipt", "paid", order.total)
            assert get_order(session, order.number).status == "confirmed"
    assert_books_clean(db)


def test_a_cash_sales_payment_and_another_customers_receipt_at_once_both_finish(
    paying_db: Database,
) -> None:
    # given two held cash orders of two customers per round
    db = paying_db
    make_shop(db)
    stock_up(db, {("MAIN", "A-1"): 10 * ROUNDS})
    failures: list[BaseException] = []
    for _ in range(ROUNDS):
        paid, invoiced = _cash_orders(db, 2, 1)
        # when one is paid (released, allocated, receipted) while the other is invoiced:
        # both take the receipt series' counter and the journal's
        failures += _race(_payment(db, paid), _invoice(db, invoiced))
    # then every unit of work finished
    assert [type(f).__name__ for f in failures] == []
    with db.reader() as session:
        invoices = list_invoices(session, limit=1000)
    assert sorted(i.status for i in invoices) == ["issued"] * ROUNDS + ["paid"] * ROUNDS
    assert sum((i.total for i in invoices), Decimal(0)) == 2 * ROUNDS * Decimal("15.00")
    assert_books_clean(db)
