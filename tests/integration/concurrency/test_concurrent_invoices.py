"""Gapless invoice numbers under concurrency: many threads invoice at once, some of them
roll back after taking a number; the committed invoices are numbered 1..N without a gap
or a duplicate, on SQLite (BEGIN IMMEDIATE) and PostgreSQL (the counter's row lock)."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from ordersmith import clock
from ordersmith.billing.invoices import invoice_order
from ordersmith.billing.models import DocumentCounter, Invoice
from ordersmith.billing.payments import record_payment
from ordersmith.billing.queries import customer_balance, list_invoices
from ordersmith.config import Settings
from ordersmith.db import table_of
from ordersmith.uow import Database
from tests.conftest import make_settings
from tests.factories.billing import assert_books_clean
from tests.factories.catalog import make_product
from tests.factories.customers import make_customer
from tests.factories.orders import order_request, place

pytestmark = pytest.mark.slow

INVOICES = 50
FAILING = 10
THREADS = 16


class Regret(Exception):
    """Raised after invoicing: the unit of work rolls back with its number."""


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(tmp_path, database_url, duplicate_window_minutes=0)


def _orders(db: Database, count: int) -> list[uuid.UUID]:
    customers = []
    for _ in range(5):
        with db.unit_of_work(actor="test") as uow:
            customers.append(make_customer(uow, account_type="account").id)
    with db.unit_of_work(actor="test") as uow:
        make_product(uow, sku="FEE", name="Handling fee", price="9.99", stocked=False)
    return [
        place(db, order_request(customers[n % len(customers)], ("FEE", 1 + n % 3))).id
        for n in range(count)
    ]


def test_concurrent_invoices_are_numbered_without_gaps_or_duplicates(db: Database) -> None:
    # given 60 orders; 10 of their invoicing threads will fail after taking a number
    order_ids = _orders(db, INVOICES + FAILING)
    failing = set(order_ids[::6][:FAILING])
    start = threading.Event()

    def invoice(order_id: uuid.UUID) -> str | None:
        start.wait(timeout=30)  # the first 16 start together; the rest as threads free up
        try:
            with db.unit_of_work(actor="user:clerk") as uow:
                number = invoice_order(uow, order_id=order_id).number
                if order_id in failing:
                    raise Regret(number)
                return number
        except Regret:
            return None

    # when every order is invoiced from 16 threads at once
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        futures = [pool.submit(invoice, order_id) for order_id in order_ids]
        start.set()
        numbers = [n for n in (f.result() for f in futures) if n is not None]
    # then 1..50, each once, and the counter stands at 51
    year = clock.today().year
    assert sorted(numbers) == [f"INV-{year}-{n:06d}" for n in range(1, INVOICES + 1)]
    invoices, counters = table_of(Invoice), table_of(DocumentCounter)
    with db.reader() as session:
        stored = session.scalars(sa.select(invoices.c.number).order_by(invoices.c.number)).all()
        counter = session.scalar(
            sa.select(counters.c.next_value).where(counters.c.series == f"INV-{year}")
        )
    assert stored == sorted(numbers)
    assert counter == INVOICES + 1
    assert_books_clean(db)


def test_concurrent_payments_of_one_customer_never_pay_an_invoice_twice(db: Database) -> None:
    # given one customer with 5 open invoices of 9.99 x 1..3
    with db.unit_of_work(actor="test") as uow:
        customer = make_customer(uow, account_type="account").id
    with db.unit_of_work(actor="test") as uow:
        make_product(uow, sku="FEE", name="Handling fee", price="9.99", stocked=False)
    owed = Decimal(0)
    for n in range(5):
        order = place(db, order_request(customer, ("FEE", 1 + n % 3)))
        with db.unit_of_work(actor="test") as uow:
            owed += invoice_order(uow, order_id=order.id).total
    start = threading.Event()

    def pay(_n: int) -> Decimal:
        start.wait(timeout=30)
        with db.unit_of_work(actor="user:clerk") as uow:
            payment = record_payment(
                uow, customer_id=customer, method="bank_transfer", amount="5.00", currency="EUR"
            )
        return payment.amount_allocated

    # when 20 payments of 5.00 (100.00) arrive at once for 89.91 owed
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        futures = [pool.submit(pay, n) for n in range(20)]
        start.set()
        allocated = sum((f.result() for f in futures), Decimal(0))
    # then exactly what was owed is allocated, the rest is credit, every invoice is paid
    assert allocated == owed == Decimal("89.91")
    with db.reader() as session:
        (balance,) = customer_balance(session, customer)
        statuses = {i.status for i in list_invoices(session, customer_id=customer)}
    assert (balance.open_invoices, balance.unallocated_payments) == (0, Decimal("100") - owed)
    assert statuses == {"paid"}
    assert_books_clean(db)
