"""A cash sale's payment against a dispatch sharing a SKU: both finish (ADR 0034).

The payment of a held cash order releases, confirms and allocates it (stock rows locked)
and receipts it; a dispatch posts its shipment to the stock ledger (stock rows locked)
and invoices an account customer's shipment. PostgreSQL once deadlocked them: the
payment held a gapless counter (``PAY``, earlier also ``JE``) while it asked for a stock
row that the dispatch held, and the dispatch then waited, directly or through a third
unit of work, for that counter (docs/performance.md, "Known problems"). Now every
gapless number is taken after the unit of work's last row lock.

The interleaving is forced, not hoped for: a gate (an in-transaction subscriber put in
front of the real ones) holds the payment open just after it recorded
``PaymentReceived`` -- after its payment number -- and the dispatch just after its
ledger post, and the next unit of work starts only once the previous one is at its gate
or waiting for a lock. On SQLite writers queue for the one write lock, so the same steps
run one after another; they must give the same books.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from ordersmith.billing.events import PaymentReceived
from ordersmith.billing.models import JournalEntry, Payment
from ordersmith.billing.payments import record_payment
from ordersmith.billing.queries import list_invoices
from ordersmith.db import table_of
from ordersmith.orders.queries import get_order
from ordersmith.orders.views import OrderView
from ordersmith.shipping.dispatch import dispatch_shipment
from ordersmith.shipping.events import ShipmentDispatched
from ordersmith.shipping.labels import book_label
from ordersmith.uow import Database
from tests.conftest import make_settings
from tests.factories.billing import DELIVERY, assert_books_clean
from tests.factories.fulfillment import confirm, make_courier, pack, pick, wave
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place
from tests.integration.conftest import Shop, make_shop

pytestmark = pytest.mark.slow

PATIENCE = 60.0  # seconds before a step that never comes fails the test (no hang)


class CountedTurn:
    """SQLite's one-writer turn (``Database.writer_turn``), counting who waits for it."""

    def __init__(self, turn: Any) -> None:
        self.turn, self.waiting, self._count = turn, 0, threading.Lock()

    def __enter__(self) -> Any:
        with self._count:
            self.waiting += 1
        try:
            return self.turn.__enter__()
        finally:
            with self._count:
                self.waiting -= 1

    def __exit__(self, *exc: Any) -> Any:
        return self.turn.__exit__(*exc)


@pytest.fixture
def paying_shop(db: Database, tmp_path: Path) -> Iterator[Shop]:
    """The shop with cash sales held until paid; SQLite's writer turn counted."""
    settings = make_settings(
        tmp_path,
        db.settings.database_url,
        cash_orders_require_payment=True,
        duplicate_window_minutes=0,
    )
    database = Database.connect(settings)
    if settings.is_sqlite:
        database.writer_turn = CountedTurn(database.writer_turn)
    try:
        yield make_shop(database)
    finally:
        database.dispose()


def lock_waits(db: Database) -> Callable[[], int]:
    """How many units of work wait for a lock now: PostgreSQL backends of this database
    waiting on a row or transaction lock; SQLite threads waiting for the writer turn."""
    turn = db.writer_turn
    if isinstance(turn, CountedTurn):
        return lambda: turn.waiting
    engine = sa.create_engine(db.settings.database_url, poolclass=sa.NullPool)

    def waiting() -> int:
        with engine.connect() as conn:
            return int(
                conn.scalar(
                    sa.text(
                        "SELECT count(*) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                    )
                )
                or 0
            )

    return waiting


def wait_until(what: str, condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {what}")
        time.sleep(0.02)


@dataclass
class Gate:
    """An in-transaction subscriber that holds the unit of work recording the event
    ``matches`` accepts open until the test opens the gate (once)."""

    matches: Callable[[Any], bool]
    reached: threading.Event = field(default_factory=threading.Event)
    opened: threading.Event = field(default_factory=threading.Event)

    def __call__(self, _uow: Any, event: Any) -> None:
        if self.matches(event) and not self.reached.is_set():
            self.reached.set()
            if not self.opened.wait(PATIENCE):
                raise AssertionError("the gate was never opened")

    def put_before(self, db: Database, event_type: type[Any]) -> None:
        db.subscribers.setdefault(event_type, []).insert(0, self)


@dataclass
class Work:
    """A unit of work on its own thread; what it raised."""

    job: Callable[[], Any]
    failure: BaseException | None = None
    thread: threading.Thread | None = None

    def start(self) -> Work:
        def run() -> None:
            try:
                self.job()
            except BaseException as exc:  # the test reports it
                self.failure = exc

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        return self

    @property
    def done(self) -> bool:
        return self.thread is not None and not self.thread.is_alive()

    def join(self) -> None:
        assert self.thread is not None
        self.thread.join(PATIENCE)
        assert not self.thread.is_alive(), "a unit of work never finished"


def _held_cash_order(shop: Shop) -> OrderView:
    order = place(shop.db, order_request(shop.cash.id, ("A-1", 1)))
    assert (order.status, order.hold_reason) == ("on_hold", "awaiting_payment")
    return order


def _labelled_shipment(shop: Shop) -> Any:
    """Bob's (account) order of two anvils, picked, packed and labelled at MAIN."""
    make_courier(shop.db)
    request = order_request(shop.trade.id, ("A-1", 2), shipping_address=DELIVERY)
    order = confirm(shop.db, place(shop.db, request))
    pick(shop.db, wave(shop.db, "MAIN"))
    shipment = pack(shop.db, order)
    with shop.db.unit_of_work(actor="user:packer") as uow:
        book_label(uow, shipment_id=shipment.id)
    return shipment


def _pay(db: Database, customer_id: Any, amount: Decimal, order_id: Any = None) -> Work:
    def job() -> None:
        with db.unit_of_work(actor="user:till") as uow:
            record_payment(
                uow,
                customer_id=customer_id,
                method="card" if order_id else "bank_transfer",
                amount=amount,
                currency="EUR",
                order_id=order_id,
                card_last4="4242" if order_id else "",
            )

    return Work(job)


def _dispatch(db: Database, shipment_id: Any) -> Work:
    def job() -> None:
        with db.unit_of_work(actor="user:packer") as uow:
            dispatch_shipment(uow, shipment_id=shipment_id)

    return Work(job)


def _numbers(db: Database) -> tuple[list[str], list[str]]:
    payments, entries = table_of(Payment), table_of(JournalEntry)
    with db.reader() as session:
        return (
            list(session.scalars(sa.select(payments.c.number).order_by(payments.c.number))),
            list(session.scalars(sa.select(entries.c.number).order_by(entries.c.number))),
        )


def _gapless(numbers: list[str]) -> bool:
    return [int(n.rsplit("-", 1)[1]) for n in numbers] == list(range(1, len(numbers) + 1))


@dataclass
class Race:
    """Ann's cash payment held open after its payment number, and Bob's dispatch started
    as far as it can go (its stock rows locked), sharing an anvil."""

    shop: Shop
    cash_order: OrderView
    waits: Callable[[], int]
    paying: Gate
    dispatching: Gate
    payment: Work
    dispatch: Work


def _race(shop: Shop) -> Race:
    # given Ann's held cash order of an anvil, and Bob's labelled shipment of anvils
    db = shop.db
    stock_up(db, {("MAIN", "A-1"): 10, ("EAST", "A-1"): 10})
    cash_order, shipment = _held_cash_order(shop), _labelled_shipment(shop)
    waits = lock_waits(db)
    paying = Gate(lambda e: e.order_id == cash_order.id)
    paying.put_before(db, PaymentReceived)
    dispatching = Gate(lambda e: e.aggregate_id == shipment.id)
    dispatching.put_before(db, ShipmentDispatched)
    # when the till takes Ann's payment and holds it open after its payment number,
    payment = _pay(db, shop.cash.id, cash_order.total, cash_order.id).start()
    wait_until("Ann's payment at its gate", paying.reached.is_set)
    # the warehouse dispatches Bob's shipment as far as it can (its stock rows locked),
    dispatch = _dispatch(db, shipment.id).start()
    wait_until(
        "the dispatch at its gate or waiting",
        lambda: dispatching.reached.is_set() or waits() >= 1,
    )
    return Race(shop, cash_order, waits, paying, dispatching, payment, dispatch)


def test_a_cash_sales_payment_and_a_dispatch_sharing_its_sku_both_finish(
    paying_shop: Shop,
) -> None:
    # given / when: Ann's payment held at its gate, Bob's dispatch as far as it goes
    race = _race(paying_shop)
    # and then the payment goes on, and the dispatch after it
    before = race.waits()
    race.paying.opened.set()
    wait_until("the payment done or waiting", lambda: race.payment.done or race.waits() > before)
    race.dispatching.opened.set()
    race.payment.join()
    race.dispatch.join()
    # then both finished, Ann's order is paid, receipted and confirmed, Bob's invoiced
    assert (race.payment.failure, race.dispatch.failure) == (None, None)
    _assert_outcome(race.shop, race.cash_order, payments=1)


def test_a_cash_sales_payment_a_dispatch_and_the_dispatched_customers_payment_all_finish(
    paying_shop: Shop,
) -> None:
    # given / when: Ann's payment held at its gate, Bob's dispatch as far as it goes,
    race = _race(paying_shop)
    # a clerk records Bob's bank transfer (it holds Bob's row, then waits for a number),
    before = race.waits()
    transfer = _pay(paying_shop.db, paying_shop.trade.id, Decimal("10.00")).start()
    wait_until("Bob's payment waiting", lambda: race.waits() > before)
    # and then Ann's payment goes on, and the dispatch after it
    race.paying.opened.set()
    wait_until(
        "Ann's payment done or waiting",
        lambda: race.payment.done or race.waits() > before + 1,
    )
    race.dispatching.opened.set()
    for work in (race.payment, race.dispatch, transfer):
        work.join()
    # then all three finished, with consistent books and gapless numbers
    assert (race.payment.failure, race.dispatch.failure, transfer.failure) == (None, None, None)
    _assert_outcome(race.shop, race.cash_order, payments=2)


def _assert_outcome(shop: Shop, cash_order: OrderView, *, payments: int) -> None:
    db = shop.db
    with db.reader() as session:
        assert get_order(session, cash_order.number).status == "confirmed"
        (receipt,) = list_invoices(session, customer_id=shop.cash.id)
        (invoice,) = list_invoices(session, customer_id=shop.trade.id)
    assert (receipt.kind, receipt.status, receipt.total) == ("receipt", "paid", cash_order.total)
    assert (invoice.kind, invoice.total) == ("invoice", Decimal("30.00"))
    payment_numbers, entry_numbers = _numbers(db)
    assert len(payment_numbers) == payments
    assert _gapless(payment_numbers)
    assert _gapless(entry_numbers)
    assert_books_clean(db)
