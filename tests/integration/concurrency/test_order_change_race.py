"""Order changes racing placements for the last units (ADR 0020): edits that raise
quantities, add lines or cancel lines run on many threads at once with new orders for
the same scarce SKU. Nothing is oversold, no reservation is lost or counted twice, every
refused edit changed nothing, and ``ordersmith check`` is clean — on SQLite (writers
serialised) and PostgreSQL (stock rows locked in (warehouse, product) order)."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest

from ordersmith.checks import run_checks
from ordersmith.inventory.errors import InsufficientStock
from ordersmith.inventory.queries import stock_levels
from ordersmith.orders.change_rules import ChangeOrder
from ordersmith.orders.changes import change_order
from ordersmith.orders.models import Channel
from ordersmith.orders.placement import LineRequest, PlaceOrder, place_order
from ordersmith.orders.queries import get_order
from ordersmith.orders.views import OrderView
from ordersmith.uow import Database
from tests.factories.catalog import make_product
from tests.factories.customers import make_customer
from tests.factories.fulfillment import confirm
from tests.factories.inventory import make_warehouse, stock_up
from tests.factories.orders import place

pytestmark = pytest.mark.slow

SCARCE, PLENTY = "SCARCE-1", "PLENTY-1"
EDITORS, PLACERS = 6, 6


@dataclass
class Race:
    changed: dict[str, int] = field(default_factory=dict)  # order number -> new quantity
    refused: list[str] = field(default_factory=list)
    placed: list[OrderView] = field(default_factory=list)
    unexpected: list[BaseException] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def run_together(workers: Sequence[Callable[[], None]], race: Race) -> None:
    barrier = threading.Barrier(len(workers))

    def run(work: Callable[[], None]) -> None:
        try:
            barrier.wait(timeout=30)
            work()
        except BaseException as exc:
            with race.lock:
                race.unexpected.append(exc)

    with ThreadPoolExecutor(max_workers=len(workers)) as pool:
        for future in [pool.submit(run, w) for w in workers]:
            future.result(timeout=180)


def editor(db: Database, order: OrderView, rng: random.Random, race: Race) -> Callable[[], None]:
    def work() -> None:
        for _ in range(3):
            with db.reader() as session:
                now = get_order(session, order.number)
            quantity = now.lines[0].quantity + rng.randint(1, 3)
            request = ChangeOrder(
                reason="customer wants more",
                quantities={1: quantity},
                add_lines=[LineRequest(sku=PLENTY, quantity=1)] if rng.random() < 0.5 else [],
            )
            try:
                with db.unit_of_work(actor="user:editor") as uow:
                    change_order(uow, order_id=order.id, request=request)
            except InsufficientStock:
                with race.lock:
                    race.refused.append(order.number)
                continue
            with race.lock:
                race.changed[order.number] = quantity

    return work


def placer(db: Database, customer_id: Any, n: int, race: Race) -> Callable[[], None]:
    def work() -> None:
        for k in range(3):
            try:
                with db.unit_of_work(actor="user:placer") as uow:
                    view = place_order(
                        uow,
                        PlaceOrder(
                            customer_id=customer_id,
                            channel=Channel.API,
                            lines=[
                                LineRequest(sku=PLENTY, quantity=1 + 3 * n + k),
                                LineRequest(sku=SCARCE, quantity=2),
                            ],
                        ),
                    )
            except InsufficientStock:
                continue
            with race.lock:
                race.placed.append(view)

    return work


def test_edits_raising_quantities_race_placements_without_overselling_or_losing_units(db):
    # given: 30 scarce units in two warehouses; six orders of one unit each, half confirmed
    with db.unit_of_work(actor="test") as uow:
        customer = make_customer(uow)
        make_warehouse(uow, code="NORTH", priority=10)
        make_warehouse(uow, code="SOUTH", priority=20)
        make_product(uow, sku=SCARCE, name="Scarce widget")
        make_product(uow, sku=PLENTY, name="Plentiful bolt", price="0.50")
    stock_up(db, {("NORTH", SCARCE): 18, ("SOUTH", SCARCE): 12, ("NORTH", PLENTY): 5000})
    orders = []
    for i in range(EDITORS):
        order = place(db, _request(customer.id, i))
        orders.append(confirm(db, order) if i % 2 else order)
    race = Race()
    rng = random.Random(7)
    # when
    run_together(
        [editor(db, o, random.Random(rng.random()), race) for o in orders]
        + [placer(db, customer.id, n, race) for n in range(PLACERS)],
        race,
    )
    # then
    assert race.unexpected == []
    assert race.changed, "some edits should have won units"
    assert race.refused, "some edits should have lost the race"
    assert race.placed, "placements should have won some units"
    with db.reader() as session:
        levels = {r.warehouse: (r.on_hand, r.reserved) for r in stock_levels(session, sku=SCARCE)}
        views = [get_order(session, o.number) for o in orders + race.placed]
        found = {name: v for name, v in run_checks(session).items() if v}
    assert found == {}
    assert all(reserved <= on_hand for on_hand, reserved in levels.values())
    scarce_lines = [line for v in views for line in v.lines if line.sku == SCARCE]
    assert all(line.reserved_quantity == line.quantity for line in scarce_lines)
    assert sum(r for _h, r in levels.values()) == sum(line.quantity for line in scarce_lines)
    for view in views[:EDITORS]:
        assert view.lines[0].quantity == race.changed.get(view.number, 1)
        assert view.version >= 1 + (view.number in race.changed)


def _request(customer_id: Any, i: int) -> PlaceOrder:
    """Each order differs (PLENTY units), so none is held as a likely duplicate."""
    return PlaceOrder(
        customer_id=customer_id,
        channel=Channel.PHONE,
        lines=[LineRequest(sku=SCARCE, quantity=1), LineRequest(sku=PLENTY, quantity=20 + i)],
    )
