"""Splitting an order and merging two, and what picking and billing forbid (ADR 0020)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ordersmith.checks import run_checks
from ordersmith.config import BackorderPolicy
from ordersmith.errors import ValidationFailed
from ordersmith.inventory.queries import stock_levels
from ordersmith.orders.change_log import list_changes
from ordersmith.orders.errors import OrderAlreadyBilled, OrderPickingStarted, OrdersNotMergeable
from ordersmith.orders.queries import get_order
from ordersmith.orders.requests import LineRequest
from ordersmith.orders.splitting import merge_orders, split_order
from tests.factories.billing import bill_order
from tests.factories.fulfillment import confirm, wave
from tests.factories.inventory import stock_up
from tests.factories.orders import change, order_request, place


def _reserved(shop, sku):
    with shop.db.reader() as session:
        return sum(lv.reserved for lv in stock_levels(session) if lv.sku == sku)


def _clean(shop):
    with shop.db.reader() as session:
        found = run_checks(session)
    assert not any(found.values()), {k: v for k, v in found.items() if v}


def test_a_split_moves_units_and_their_reservation_to_a_new_order_at_the_same_price(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 10, ("MAIN", "B-2"): 10})
    order = place(shop.db, order_request(shop.cash.id, ("A-1", 4), ("B-2", 2)))
    # when
    with shop.db.unit_of_work(actor="user:carol") as uow:
        original, new = split_order(
            uow, order=order.number, moves={1: 3, 2: 2}, reason="ship part later"
        )
    # then
    assert [(line.sku, line.quantity) for line in original.lines] == [("A-1", 1), ("B-2", 0)]
    assert [(line.sku, line.quantity, line.reserved_quantity) for line in new.lines] == [
        ("A-1", 3, 3),
        ("B-2", 2, 2),
    ]
    assert (new.customer_id, new.status) == (order.customer_id, "placed")
    assert new.lines[0].unit_price == Decimal("12.5000")
    assert (original.version, new.version) == (2, 1)
    assert original.total + new.total == order.total
    assert (_reserved(shop, "A-1"), _reserved(shop, "B-2")) == (4, 2)
    _clean(shop)


def test_a_confirmed_split_allocates_both_orders(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 10})
    order = confirm(shop.db, place(shop.db, order_request(shop.cash.id, ("A-1", 4))))
    # when
    with shop.db.unit_of_work(actor="user:carol") as uow:
        original, new = split_order(uow, order=str(order.id), moves={1: 1}, reason="two parcels")
    # then
    assert (original.status, new.status) == ("confirmed", "confirmed")
    assert (original.fulfilment_status, new.fulfilment_status) == ("allocated", "allocated")
    _clean(shop)


def test_merging_moves_lines_and_reservations_and_cancels_the_other_order(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 10, ("MAIN", "B-2"): 10})
    first = place(shop.db, order_request(shop.cash.id, ("A-1", 1)))
    second = place(shop.db, order_request(shop.cash.id, ("B-2", 3)))
    # when
    with shop.db.unit_of_work(actor="user:carol") as uow:
        merged = merge_orders(uow, into=first.id, other=second.id, reason="one parcel please")
    # then
    assert [(line.sku, line.quantity, line.reserved_quantity) for line in merged.lines] == [
        ("A-1", 1, 1),
        ("B-2", 3, 3),
    ]
    assert merged.total == first.total + second.total
    with shop.db.reader() as session:
        gone = get_order(session, second.number)
        assert [c.kind for c in list_changes(session, second.id)] == ["merged_into"]
    assert gone.status == "cancelled"
    assert (_reserved(shop, "A-1"), _reserved(shop, "B-2")) == (1, 3)
    _clean(shop)


def test_orders_of_different_customers_are_not_merged(shop):
    stock_up(shop.db, {("MAIN", "A-1"): 10})
    first = place(shop.db, order_request(shop.cash.id, ("A-1", 1)))
    second = place(shop.db, order_request(shop.trade.id, ("A-1", 1)))
    with (
        pytest.raises(OrdersNotMergeable) as refused,
        shop.db.unit_of_work(actor="user:carol") as uow,
    ):
        merge_orders(uow, into=first.id, other=second.id, reason="one parcel")
    assert "different customers" in refused.value.extra["problems"]


def test_once_picking_started_only_address_and_notes_may_change(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 10})
    order = confirm(shop.db, place(shop.db, order_request(shop.cash.id, ("A-1", 2))))
    wave(shop.db, "MAIN")
    # when
    with pytest.raises(OrderPickingStarted) as refused:
        change(shop.db, order, quantities={1: 3}, notes="more")
    noted = change(shop.db, order, notes="ring twice")
    # then
    assert refused.value.code == "order_picking_started"
    assert refused.value.extra["picked"] == [
        {"order": order.number, "line_no": 1, "sku": "A-1", "quantity": 2}
    ]
    assert (noted.notes, noted.lines[0].quantity, noted.version) == ("ring twice", 2, 2)
    with (
        pytest.raises(OrderPickingStarted),
        shop.db.unit_of_work(actor="user:carol") as uow,
    ):
        split_order(uow, order=order.number, moves={1: 1}, reason="later")
    _clean(shop)


def test_an_invoiced_order_keeps_its_lines(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 10, ("MAIN", "B-2"): 10})
    order = confirm(shop.db, place(shop.db, order_request(shop.trade.id, ("A-1", 2))))
    bill_order(shop.db, order.id)
    # when
    with pytest.raises(OrderAlreadyBilled) as refused:
        change(shop.db, order, add_lines=[LineRequest(sku="B-2", quantity=1)])
    # then
    assert refused.value.code == "order_already_billed"
    assert change(shop.db, order, notes="invoice attached").version == 2
    _clean(shop)


def test_a_split_cannot_move_everything(shop):
    stock_up(shop.db, {("MAIN", "A-1"): 10})
    order = place(shop.db, order_request(shop.cash.id, ("A-1", 2)))
    with (
        pytest.raises(ValidationFailed) as refused,
        shop.db.unit_of_work(actor="user:carol") as uow,
    ):
        split_order(uow, order=order.number, moves={1: 2}, reason="all of it")
    assert refused.value.code == "split_moves_everything"


def test_split_units_take_their_reservation_with_them_and_a_backorder_stays_a_backorder(shop):
    # given an order of 10 anvils, 4 reserved and 6 backordered; then 3 more arrive, which
    # nothing has taken yet (the order is not confirmed, so no backorder was served)
    stock_up(shop.db, {("MAIN", "A-1"): 4})
    order = place(
        shop.db,
        order_request(shop.cash.id, ("A-1", 10), backorder_policy=BackorderPolicy.BACKORDER),
    )
    stock_up(shop.db, {("MAIN", "A-1"): 3})
    # when 5 units move to a new order
    with shop.db.unit_of_work(actor="user:carol") as uow:
        original, new = split_order(uow, order=order.number, moves={1: 5}, reason="two parcels")
    # then the original keeps its reserved units first; the new order takes the rest of
    # the reservation and the backorder, and does not jump ahead for the 3 free units
    line = original.lines[0]
    assert (line.quantity, line.reserved_quantity, line.backordered_quantity) == (5, 4, 1)
    line = new.lines[0]
    assert (line.quantity, line.reserved_quantity, line.backordered_quantity) == (5, 0, 5)
    assert _reserved(shop, "A-1") == 4
    _clean(shop)


def test_a_split_of_a_partly_reserved_line_moves_the_surplus_reservation(shop):
    # given 8 of 10 reserved, 2 backordered
    stock_up(shop.db, {("MAIN", "A-1"): 8})
    order = place(
        shop.db,
        order_request(shop.cash.id, ("A-1", 10), backorder_policy=BackorderPolicy.BACKORDER),
    )
    # when
    with shop.db.unit_of_work(actor="user:carol") as uow:
        original, new = split_order(uow, order=order.number, moves={1: 5}, reason="two parcels")
    # then
    line = original.lines[0]
    assert (line.quantity, line.reserved_quantity, line.backordered_quantity) == (5, 5, 0)
    line = new.lines[0]
    assert (line.quantity, line.reserved_quantity, line.backordered_quantity) == (5, 3, 2)
    assert _reserved(shop, "A-1") == 8
    _clean(shop)
