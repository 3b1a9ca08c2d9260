"""A warehouse's work queue: the orders waiting to be picked and to be packed there."""

from __future__ import annotations

from ordersmith.fulfillment.work_queue import ready_to_pick, to_pack
from ordersmith.inventory.queries import get_warehouse
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
