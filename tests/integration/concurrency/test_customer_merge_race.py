"""A customer merge racing a dispatch of the duplicate's shipment (PostgreSQL: row locks).

Dispatch locks the shipment, then its orders (ADR 0013: shipment → orders → customer).
A merge used to lock the duplicate's orders and customers and only then update its
shipments: holding an order, it waited for the shipment dispatch held, while dispatch
waited for the order — a deadlock. The merge now locks the duplicate's shipments first.

SQLite serialises writers (BEGIN IMMEDIATE): the order of row locks cannot matter there.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from ordersmith.checks import run_checks
from ordersmith.customers import merge as merging
from ordersmith.customers.services import create_customer
from ordersmith.shipping.dispatch import dispatch_shipment
from ordersmith.shipping.labels import book_label
from ordersmith.shipping.queries import get_shipment
from tests.factories.customers import make_address, merge
from tests.factories.fulfillment import confirm, make_courier, pack, pick, wave
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place
from tests.integration.conftest import make_shop

pytestmark = pytest.mark.slow

PAUSE = 1.5


def test_a_merge_and_a_dispatch_of_the_duplicates_shipment_both_finish(db, monkeypatch):
    # given Ann's second record has a shipment packed and labelled, ready to go
    if db.settings.is_sqlite:
        pytest.skip("SQLite serialises writers; the lock order matters on PostgreSQL")
    shop = make_shop(db)
    make_courier(db)
    stock_up(db, {("MAIN", "A-1"): 10})
    with db.unit_of_work(actor="test") as uow:
        dup = create_customer(
            uow,
            name="Ann",
            email="ann2@example.com",
            account_type="cash",
            addresses=[make_address(is_default=True)],
        )
    order = confirm(db, place(db, order_request(dup.id, ("A-1", 2))))
    pick(db, wave(db, "MAIN"))
    shipment = pack(db, order)
    with db.unit_of_work(actor="user:packer") as uow:
        book_label(uow, shipment_id=shipment.id)
    failed: list[BaseException] = []

    def dispatch() -> None:
        try:
            with db.unit_of_work(actor="user:packer") as uow:
                dispatch_shipment(uow, shipment_id=shipment.id)
        except BaseException as exc:  # the test reads it
            failed.append(exc)

    dispatcher = threading.Thread(target=dispatch)
    original = merging._demote_clashing_flags

    def pause_holding_the_orders(*args: Any, **kwargs: Any) -> Any:
        dispatcher.start()
        time.sleep(PAUSE)
        return original(*args, **kwargs)

    monkeypatch.setattr(merging, "_demote_clashing_flags", pause_holding_the_orders)
    # when the merge holds the duplicate's records as the dispatch starts
    merge(db, shop.cash.id, dup.id)
    dispatcher.join(timeout=60)
    # then both finished: the shipment left, and it is the survivor's
    assert failed == []
    with db.reader() as session:
        sent = get_shipment(session, str(shipment.id))
        found = {name: rows for name, rows in run_checks(session).items() if rows}
    assert (sent.status, sent.customer_id) == ("dispatched", shop.cash.id)
    assert found == {}
