"""Two pick waves started at once at one warehouse (PostgreSQL: row locks).

Both used to choose the same oldest ready orders; the second then skipped their
allocations, locked by the first, and found nothing to pick (409 ``nothing_to_pick``)
while other orders were ready. Waves at one warehouse now take turns (a transaction
advisory lock, ADR 0050): the second waits, chooses after the first committed, and
takes the next orders. SQLite serialises writers already.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
import sqlalchemy as sa

from ordersmith.checks import run_checks
from ordersmith.db import table_of
from ordersmith.fulfillment import picking
from ordersmith.fulfillment.models import PickListLine
from ordersmith.fulfillment.picking import PickListRef
from ordersmith.orders.views import OrderView
from ordersmith.uow import Database
from tests.factories.fulfillment import confirm, wave
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place
from tests.integration.concurrency.lock_waits import wait_for_lock_wait
from tests.integration.conftest import make_shop

pytestmark = pytest.mark.slow


@pytest.fixture
def ready_orders(db: Database) -> list[OrderView]:
    """Four confirmed orders of A-1 (1 to 4 units: no two alike, so none is held as a
    duplicate), allocated at MAIN, oldest first; PostgreSQL only."""
    if db.settings.is_sqlite:
        pytest.skip("SQLite serialises writers; waves cannot choose at the same time")
    shop = make_shop(db)
    stock_up(db, {("MAIN", "A-1"): 10})
    return [confirm(db, place(db, order_request(shop.cash.id, ("A-1", n)))) for n in (1, 2, 3, 4)]


def _orders_on(db: Database, pick_list: PickListRef) -> set[Any]:
    lines = table_of(PickListLine)
    with db.reader() as session:
        return set(
            session.scalars(sa.select(lines.c.order_id).where(lines.c.pick_list_id == pick_list.id))
        )


class Waves:
    """Waves on other threads; what each made or the error it raised."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.made: dict[str, PickListRef] = {}
        self.failed: list[BaseException] = []
        self.threads: list[threading.Thread] = []

    def start(self, name: str) -> None:
        def run() -> None:
            try:
                self.made[name] = wave(self.db, "MAIN", max_orders=2)
            except BaseException as exc:  # the test reads it
                self.failed.append(exc)

        thread = threading.Thread(target=run)
        self.threads.append(thread)
        thread.start()

    def join(self) -> None:
        for thread in self.threads:
            thread.join(timeout=60)


def test_a_wave_started_while_another_chooses_waits_and_takes_the_next_orders(
    db, ready_orders, monkeypatch
):
    # given: the first wave has chosen the two oldest orders and holds them
    chosen, release = threading.Event(), threading.Event()
    original = picking.ready_allocations

    def first_holds_its_choice(*args: Any, **kwargs: Any) -> Any:
        rows = original(*args, **kwargs)
        if not chosen.is_set():
            chosen.set()
            release.wait(timeout=60)
        return rows

    monkeypatch.setattr(picking, "ready_allocations", first_holds_its_choice)
    waves = Waves(db)
    waves.start("first")
    assert chosen.wait(timeout=30)
    # when: a second wave of two starts meanwhile
    waves.start("second")
    try:
        # then: the second waits for the first's turn (the warehouse's advisory lock) ...
        wait_for_lock_wait(db, timeout=30.0, wait_event="advisory")
    finally:
        release.set()
        waves.join()
    # ... and each wave has two orders, not the same ones
    assert waves.failed == []
    ids = [o.id for o in ready_orders]
    assert _orders_on(db, waves.made["first"]) == set(ids[:2])
    assert _orders_on(db, waves.made["second"]) == set(ids[2:])
    with db.reader() as session:
        assert {name: found for name, found in run_checks(session).items() if found} == {}
