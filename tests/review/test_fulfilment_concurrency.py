"""Review: fulfilment work racing on PostgreSQL (READ COMMITTED, row locks).

Every thread runs its own unit of work over one shared Database, as the API's thread
pool does. A deadlock is not lost data (the loser rolls back and the API answers 503),
but it refuses ordinary work that never conflicts in business terms.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ordersmith.checks import run_checks
from ordersmith.config import BackorderPolicy
from ordersmith.fulfillment.allocation import allocate_order
from ordersmith.inventory.services import receive_stock
from ordersmith.shipping.tracking import TrackingInput, record_tracking
from ordersmith.uow import Database
from tests.factories.fulfillment import confirm, label_and_dispatch, make_courier, pack, pick, wave
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place
from tests.integration.conftest import make_shop

ROUNDS = 6


def _postgresql_only(db: Database) -> None:
    if db.settings.is_sqlite:
        pytest.skip("SQLite serialises writers; the lock order matters on PostgreSQL")


def _race(*work: Callable[[], Any]) -> list[BaseException]:
    """Run ``work`` in threads released together; the exceptions they raised."""
    barrier, failures = threading.Barrier(len(work)), []

    def run(job: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            job()
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(job,)) for job in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures


def _violations(db: Database) -> dict[str, Any]:
    with db.reader() as session:
        return {name: found for name, found in run_checks(session).items() if found}


def test_carrier_events_for_one_shipment_arriving_at_once_are_all_recorded(db):
    # given a dispatched shipment
    _postgresql_only(db)
    shop = make_shop(db)
    make_courier(db)
    stock_up(db, {("MAIN", "A-1"): 5})
    order = confirm(db, place(db, order_request(shop.cash.id, ("A-1", 2))))
    pick(db, wave(db))
    shipment = pack(db, order)
    tracking_number = label_and_dispatch(db, shipment.id)
    start = datetime.now(UTC) - timedelta(hours=2)

    def scan(event_id: str, minutes: int) -> Callable[[], Any]:
        def job() -> Any:
            point = TrackingInput(
                event_id, tracking_number, "in_transit", start + timedelta(minutes=minutes)
            )
            with db.unit_of_work(actor="carrier:LOCAL") as uow:
                return record_tracking(uow, carrier="LOCAL", events=[point], source="webhook")

        return job

    # when: rounds of four hub scans posted at the same moment
    failures = []
    for r in range(ROUNDS):
        failures += _race(*(scan(f"r{r}-{i}", r * 4 + i) for i in range(4)))
    # then
    assert [type(f).__name__ for f in failures] == []
    assert _violations(db) == {}


def test_a_receipt_and_a_manual_allocation_of_the_order_it_serves_both_succeed(db):
    # given
    _postgresql_only(db)
    shop = make_shop(db)
    failures: list[BaseException] = []
    for units in range(1, 2 * ROUNDS + 1):
        # a confirmed order waiting for units of A-1 (quantities differ: no duplicate hold)
        order = confirm(
            db,
            place(
                db,
                order_request(
                    shop.cash.id, ("A-1", units), backorder_policy=BackorderPolicy.BACKORDER
                ),
            ),
        )

        def receipt(units: int = units) -> Any:
            with db.unit_of_work(actor="user:goods-in") as uow:
                return receive_stock(
                    uow, warehouse="MAIN", sku="A-1", quantity=units, reference="r"
                )

        def allocation(order_id=order.id) -> Any:
            with db.unit_of_work(actor="user:planner") as uow:
                return allocate_order(uow, order_id=order_id, trigger="manual")

        # when: the units arrive while a planner asks for the order's allocation
        failures += _race(receipt, allocation)
    # then
    assert [type(f).__name__ for f in failures] == []
    assert _violations(db) == {}
