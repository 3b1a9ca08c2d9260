"""A warehouse's work queue: the orders waiting to be picked and to be packed there."""

from __future__ import annotations

import pytest

from ordersmith.config import BackorderPolicy, ShipPolicy
from ordersmith.errors import Conflict
from ordersmith.fulfillment.work_queue import ready_to_pick, to_pack
from ordersmith.inventory.queries import get_warehouse
from ordersmith.orders.services import hold_order
from ordersmith.orders.status import HoldReason
from tests.factories.fulfillment import confirm, pick, wave
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place


def test_the_work_queue_counts_the_lines_and_units_waiting_to_be_picked_and_to_be_packed(shop):
    # given: two confirmed orders at MAIN; the first is picked, the second waits for a wave
    stock_up(shop.db, {("MAIN", "A-1"): 10, ("MAIN", "B-2"): 10})
    picked = confirm(shop.db, place(shop.db, order_request(shop.cash.id, ("A-1", 1), ("B-2", 2))))
    pick(shop.db, wave(shop.db, order_ids=[picked.id]))
    waiting = confirm(shop.db, place(shop.db, order_request(shop.trade.id, ("A-1", 3))))
    # when
    with shop.db.reader() as session:
        main = get_warehouse(session, "MAIN").id
        to_pick, to_be_packed = ready_to_pick(session, main), to_pack(session, main)
    # then
    assert [(o.number, o.lines, o.units) for o in to_pick] == [(waiting.number, 1, 3)]
    assert [(o.number, o.lines, o.units) for o in to_be_packed] == [(picked.number, 2, 3)]


def test_ready_to_pick_lists_only_orders_a_wave_would_take(shop):
    # given: a confirmed order put on hold after its stock was allocated
    stock_up(shop.db, {("MAIN", "A-1"): 10})
    held = confirm(shop.db, place(shop.db, order_request(shop.trade.id, ("A-1", 2))))
    with shop.db.unit_of_work(actor="test") as uow:
        hold_order(uow, order_id=held.id, reason=HoldReason.MANUAL, note="address check")
    # when
    with shop.db.reader() as session:
        to_pick = ready_to_pick(session, get_warehouse(session, "MAIN").id)
    # then: not offered, as the wave would refuse it
    assert to_pick == []
    with pytest.raises(Conflict) as refused:
        wave(shop.db, order_ids=[held.id])
    assert refused.value.code == "nothing_to_pick"


def test_a_ship_complete_order_waiting_for_stock_is_not_ready_to_pick(shop):
    # given: a ship-complete order of A-1 (in stock) and B-2 (backordered)
    stock_up(shop.db, {("MAIN", "A-1"): 10})
    request = order_request(
        shop.trade.id,
        ("A-1", 2),
        ("B-2", 5),
        ship_policy=ShipPolicy.SHIP_COMPLETE,
        backorder_policy=BackorderPolicy.BACKORDER,
    )
    waiting = confirm(shop.db, place(shop.db, request))
    # when
    with shop.db.reader() as session:
        to_pick = ready_to_pick(session, get_warehouse(session, "MAIN").id)
    # then: its anvils wait with the rest, as the wave would have them wait
    assert waiting.backordered
    assert to_pick == []
