"""The warehouse path: wave pick lists, short picks, packing, dispatch through the ledger."""

from __future__ import annotations

import pytest

from ordersmith.checks import run_checks
from ordersmith.errors import Conflict, InvalidTransition
from ordersmith.fulfillment.queries import order_allocations, order_incidents
from ordersmith.inventory.queries import stock_levels
from ordersmith.orders.queries import get_order
from ordersmith.orders.services import cancel_order
from ordersmith.shipping.dispatch import cancel_shipment
from ordersmith.shipping.packing import PackageInput
from tests.factories.fulfillment import (
    confirm,
    label_and_dispatch,
    make_courier,
    pack,
    pick,
    wave,
)
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place


def _order(db, number):
    with db.reader() as session:
        return get_order(session, number)


def _level(db, warehouse, sku):
    with db.reader() as session:
        level = stock_levels(session, warehouse=warehouse, sku=sku)[0]
    return level.on_hand, level.reserved


def _no_violations(db):
    with db.reader() as session:
        assert {k: v for k, v in run_checks(session).items() if v} == {}


def test_a_wave_batches_lines_of_several_orders_in_bin_order(shop):
    # given: two confirmed orders, A-1 lives in bin B-07 and B-2 in bin A-01
    from ordersmith.inventory.services import set_stock_settings

    stock_up(shop.db, {("MAIN", "A-1"): 10, ("MAIN", "B-2"): 10})
    with shop.db.unit_of_work(actor="test") as uow:
        set_stock_settings(uow, warehouse="MAIN", sku="A-1", bin_location="B-07")
        set_stock_settings(uow, warehouse="MAIN", sku="B-2", bin_location="A-01")
    first = confirm(shop.db, place(shop.db, order_request(shop.cash.id, ("A-1", 1), ("B-2", 2))))
    second = confirm(shop.db, place(shop.db, order_request(shop.trade.id, ("A-1", 3))))
    # when
    pick_list = wave(shop.db)
    # then
    from ordersmith.fulfillment.documents import pick_list_document

    with shop.db.reader() as session:
        doc = pick_list_document(session, pick_list.id)
    assert (pick_list.orders, pick_list.lines) == (2, 3)
    assert [(line.bin_location, line.sku, line.order_number) for line in doc.lines] == [
        ("A-01", "B-2", first.number),
        ("B-07", "A-1", first.number),
        ("B-07", "A-1", second.number),
    ]
    with pytest.raises(Conflict) as nothing_left:
        wave(shop.db)
    assert nothing_left.value.code == "nothing_to_pick"


def test_the_whole_path_from_pick_to_dispatch_moves_stock_out_through_the_ledger(shop):
    # given
    make_courier(shop.db)
    stock_up(shop.db, {("MAIN", "A-1"): 10})
    order = confirm(shop.db, place(shop.db, order_request(shop.cash.id, ("A-1", 4))))
    pick(shop.db, wave(shop.db))
    # when
    shipment = pack(shop.db, order)
    tracking_number = label_and_dispatch(shop.db, shipment.id)
    # then
    assert tracking_number.startswith("LOCA")
    assert _level(shop.db, "MAIN", "A-1") == (6, 0)
    shipped = _order(shop.db, order.number)
    assert (shipped.fulfilment_status, shipped.lines[0].shipped_quantity) == ("shipped", 4)
    _no_violations(shop.db)


def test_a_short_pick_writes_off_the_missing_units_and_reallocates_them_elsewhere(shop):
    # given: MAIN believes it has 3, EAST has 5
    stock_up(shop.db, {("MAIN", "A-1"): 3, ("EAST", "A-1"): 5})
    order = confirm(shop.db, place(shop.db, order_request(shop.cash.id, ("A-1", 3))))
    pick_list = wave(shop.db)
    # when: the picker finds only 1
    pick(shop.db, pick_list, {1: 1})
    # then
    assert _level(shop.db, "MAIN", "A-1") == (1, 1)  # 2 written off
    assert _level(shop.db, "EAST", "A-1") == (5, 2)  # the rest comes from EAST
    with shop.db.reader() as session:
        allocations = [
            (a.warehouse, a.quantity, a.status) for a in order_allocations(session, order.id)
        ]
        incidents = [(i.kind, i.quantity) for i in order_incidents(session, order.id)]
    assert sorted(allocations) == [("EAST", 2, "allocated"), ("MAIN", 1, "picked")]
    assert incidents == [("short_pick", 2)]
    _no_violations(shop.db)


def test_a_short_pick_with_no_other_stock_becomes_a_backorder(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 2})
    order = confirm(shop.db, place(shop.db, order_request(shop.cash.id, ("A-1", 2))))
    # when
    pick(shop.db, wave(shop.db), {1: 0})
    # then
    after = _order(shop.db, order.number)
    assert after.lines[0].backordered_quantity == 2
    assert after.fulfilment_status == "backordered"
    with shop.db.reader() as session:
        kinds = sorted(i.kind for i in order_incidents(session, order.id))
    assert kinds == ["backorder", "short_pick"]
    _no_violations(shop.db)


def test_packing_into_two_boxes_needs_their_contents_and_never_more_than_picked(shop):
    # given
    make_courier(shop.db)
    stock_up(shop.db, {("MAIN", "A-1"): 10, ("MAIN", "B-2"): 10})
    order = confirm(shop.db, place(shop.db, order_request(shop.cash.id, ("A-1", 2), ("B-2", 5))))
    pick(shop.db, wave(shop.db))
    a_line, b_line = order.lines[0].id, order.lines[1].id
    box = {"weight_grams": 900, "length_mm": 200, "width_mm": 200, "height_mm": 100}
    # when / then: too many
    from ordersmith.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        pack(shop.db, order, packages=[PackageInput(**box, contents={a_line: 3})])
    shipment = pack(
        shop.db,
        order,
        packages=[
            PackageInput(**box, contents={a_line: 2}),
            PackageInput(**box, contents={b_line: 5}),
        ],
    )
    assert (shipment.packages, shipment.units) == (2, 7)
    _no_violations(shop.db)


def test_orders_of_one_customer_to_one_address_share_a_shipment(shop):
    # given
    make_courier(shop.db)
    stock_up(shop.db, {("MAIN", "A-1"): 10})
    first = confirm(shop.db, place(shop.db, order_request(shop.cash.id, ("A-1", 1))))
    second = confirm(shop.db, place(shop.db, order_request(shop.cash.id, ("A-1", 2))))
    other = confirm(shop.db, place(shop.db, order_request(shop.trade.id, ("A-1", 1))))
    pick(shop.db, wave(shop.db))
    # when
    shipment = pack(shop.db, first, second)
    # then
    assert set(shipment.order_numbers) == {first.number, second.number}
    with pytest.raises(Conflict) as refused:
        pack(shop.db, first, other)
    assert refused.value.code in ("cannot_consolidate", "nothing_to_pack")


def test_a_packed_order_cannot_be_cancelled_until_its_shipment_is(shop):
    # given
    make_courier(shop.db)
    stock_up(shop.db, {("MAIN", "A-1"): 10})
    order = confirm(shop.db, place(shop.db, order_request(shop.cash.id, ("A-1", 1))))
    pick(shop.db, wave(shop.db))
    shipment = pack(shop.db, order)
    # when
    with (
        pytest.raises(InvalidTransition) as refused,
        shop.db.unit_of_work(actor="user:sam") as uow,
    ):
        cancel_order(uow, order_id=order.id, reason="too late")
    with shop.db.unit_of_work(actor="user:sam") as uow:
        cancel_shipment(uow, shipment_id=shipment.id, reason="customer called")
    with shop.db.unit_of_work(actor="user:sam") as uow:
        cancel_order(uow, order_id=order.id, reason="customer called")
    # then
    assert refused.value.code == "order_in_shipment"
    assert _level(shop.db, "MAIN", "A-1") == (10, 0)
    _no_violations(shop.db)
