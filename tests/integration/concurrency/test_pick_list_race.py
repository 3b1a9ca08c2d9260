"""Order changes and cancellations racing pick-list creation (PostgreSQL: row locks).

A change or a cancellation locks its order FOR UPDATE and then touches the order's
allocations; a wave used to lock the allocations first and the order last (the pick-list
lines' foreign key), so the two deadlocked. Both now take the order first, then its
allocations (ADR 0020, ADR 0013's lock order): whichever comes second waits. A change
that waited is refused (``order_picking_started``); a wave that waited picks the order
only as changed, or not at all once it is cancelled.

SQLite serialises writers (BEGIN IMMEDIATE): the order of row locks cannot matter there.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from ordersmith.checks import run_checks
from ordersmith.db import table_of
from ordersmith.errors import Conflict
from ordersmith.fulfillment import picking
from ordersmith.fulfillment.models import PickListLine
from ordersmith.fulfillment.picking import PickListRef
from ordersmith.inventory.queries import stock_levels
from ordersmith.orders import changes, services
from ordersmith.orders.change_rules import ChangeOrder
from ordersmith.orders.changes import change_order
from ordersmith.orders.errors import OrderPickingStarted
from ordersmith.orders.queries import get_order
from ordersmith.orders.services import cancel_order
from ordersmith.orders.views import OrderView
from ordersmith.uow import Database
from tests.factories.fulfillment import confirm, pick, wave
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place
from tests.integration.conftest import make_shop

pytestmark = pytest.mark.slow

PAUSE = 1.5
"""Seconds the first transaction holds its locks: long enough for the other to block."""


@pytest.fixture
def order(db: Database) -> OrderView:
    """A confirmed order of 4 x A-1, allocated at MAIN; PostgreSQL only."""
    if db.settings.is_sqlite:
        pytest.skip("SQLite serialises writers; the lock order matters on PostgreSQL")
    shop = make_shop(db)
    stock_up(db, {("MAIN", "A-1"): 10})
    return confirm(db, place(db, order_request(shop.cash.id, ("A-1", 4))))


class Wave:
    """A wave on another thread; what it made or the error it raised."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.made: list[PickListRef] = []
        self.failed: list[BaseException] = []
        self.thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        try:
            self.made.append(wave(self.db, "MAIN"))
        except BaseException as exc:  # the test reads it
            self.failed.append(exc)

    def start(self) -> None:
        self.thread.start()

    def join(self) -> None:
        self.thread.join(timeout=60)


def _change(db: Database, order: OrderView) -> None:
    with db.unit_of_work(actor="user:clerk") as uow:
        change_order(
            uow, order_id=order.id, request=ChangeOrder(reason="only one", quantities={1: 1})
        )


def _cancel(db: Database, order: OrderView) -> None:
    with db.unit_of_work(actor="user:clerk") as uow:
        cancel_order(uow, order_id=order.id, reason="customer cancelled")


ACTIONS: dict[str, tuple[Callable[[Database, OrderView], None], Any, str]] = {
    # action, the module whose step right after lock_order is paused, that step's name
    "change": (_change, changes, "check_version"),
    "cancel": (_cancel, services, "check_transition"),
}


def _pick_lines(db: Database, order: OrderView) -> list[int]:
    lines = table_of(PickListLine)
    with db.reader() as session:
        return sorted(
            session.scalars(sa.select(lines.c.quantity).where(lines.c.order_id == order.id))
        )


def _clean(db: Database) -> dict[str, Any]:
    with db.reader() as session:
        return {name: found for name, found in run_checks(session).items() if found}


@pytest.mark.parametrize("action", ["change", "cancel"])
def test_a_wave_started_while_an_order_is_changed_or_cancelled_waits_for_it(
    db, order, monkeypatch, action
):
    # given: the change (or cancellation) holds its order when a wave starts
    run, module, step = ACTIONS[action]
    racing = Wave(db)
    original = getattr(module, step)

    def pause_holding_the_order(*args: Any, **kwargs: Any) -> Any:
        racing.start()
        time.sleep(PAUSE)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, step, pause_holding_the_order)
    # when
    run(db, order)
    racing.join()
    # then: no deadlock; the wave picked the order as changed, or not at all
    with db.reader() as session:
        after = get_order(session, order.number)
    if action == "change":
        assert racing.failed == []
        assert [line.quantity for line in after.lines] == [1]
        assert _pick_lines(db, order) == [1]
    else:
        assert after.status == "cancelled"
        assert [e.code for e in racing.failed if isinstance(e, Conflict)] == ["nothing_to_pick"]
        assert len(racing.failed) == 1
        assert _pick_lines(db, order) == []
    assert _clean(db) == {}


@pytest.mark.parametrize("action", ["change", "cancel"])
def test_a_change_or_cancellation_waits_for_a_wave_that_took_the_order_first(
    db, order, monkeypatch, action
):
    # given: a wave has chosen the order's allocations and holds them
    run, _module, _step = ACTIONS[action]
    chosen = threading.Event()
    original = picking.ready_allocations

    def pause_holding_the_allocations(*args: Any, **kwargs: Any) -> Any:
        rows = original(*args, **kwargs)
        chosen.set()
        time.sleep(PAUSE)
        return rows

    monkeypatch.setattr(picking, "ready_allocations", pause_holding_the_allocations)
    racing = Wave(db)
    racing.start()
    assert chosen.wait(timeout=30)
    # when
    refused: list[BaseException] = []
    try:
        run(db, order)
    except OrderPickingStarted as exc:
        refused.append(exc)
    racing.join()
    # then: the wave made its pick list; the change is refused, a cancellation is not
    assert racing.failed == []
    assert _pick_lines(db, order) == [4]
    with db.reader() as session:
        after = get_order(session, order.number)
    if action == "change":
        assert len(refused) == 1
        assert [line.quantity for line in after.lines] == [4]
    else:
        assert refused == []
        assert after.status == "cancelled"
    assert _clean(db) == {}


def test_a_short_pick_confirmed_while_the_order_is_cancelled_waits_for_the_cancellation(
    db, order, monkeypatch
):
    # given: the order is on a pick list; its cancellation holds the order when the
    # picker confirms the list, two of the four units not found
    pick_list = wave(db, "MAIN")
    failed: list[BaseException] = []

    def confirm_short() -> None:
        try:
            pick(db, pick_list, {1: 2})
        except BaseException as exc:  # the test reads it
            failed.append(exc)

    picker = threading.Thread(target=confirm_short)
    original = services.check_transition

    def pause_holding_the_order(*args: Any, **kwargs: Any) -> Any:
        picker.start()
        time.sleep(PAUSE)
        return original(*args, **kwargs)

    monkeypatch.setattr(services, "check_transition", pause_holding_the_order)
    # when
    _cancel(db, order)
    picker.join(timeout=60)
    # then: no deadlock; the picked goods go back to the shelf, nothing is written off
    assert failed == []
    with db.reader() as session:
        assert get_order(session, order.number).status == "cancelled"
        levels = {r.warehouse: (r.on_hand, r.reserved) for r in stock_levels(session, sku="A-1")}
    assert levels["MAIN"] == (10, 0)
    assert _clean(db) == {}
