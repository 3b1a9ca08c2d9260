"""Fulfilment's services check ``fulfilment:write`` themselves (ADR 0023, 0025): a role
without it is refused whatever page or form it came through; what follows from an act a
role may do (re-allocating a changed order) runs as the system."""

from __future__ import annotations

import pytest

from ordersmith.errors import Forbidden
from ordersmith.fulfillment.picking import confirm_pick_list, create_pick_list
from ordersmith.fulfillment.queries import order_allocations, order_incidents
from ordersmith.orders.change_rules import ChangeOrder
from ordersmith.orders.changes import change_order
from ordersmith.shipping.dispatch import dispatch_shipment
from ordersmith.shipping.queries import get_shipment
from ordersmith.staff.roles import permissions_of
from tests.factories.fulfillment import confirm, make_courier, pack, pick, wave
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place
from tests.factories.returns import ADDRESS


@pytest.fixture
def confirmed(shop):
    stock_up(shop.db, {("MAIN", "A-1"): 10})
    return confirm(shop.db, place(shop.db, order_request(shop.trade.id, ("A-1", 3))))


def test_a_sales_user_may_not_make_a_pick_list_and_nothing_changes(shop, confirmed):
    # when
    with (
        pytest.raises(Forbidden),
        shop.db.unit_of_work(actor="staff:sam", permissions=permissions_of("sales")) as uow,
    ):
        create_pick_list(uow, warehouse="MAIN")
    # then
    with shop.db.reader() as session:
        assert [a.status for a in order_allocations(session, confirmed.id)] == ["allocated"]


def test_a_sales_user_may_not_dispatch_a_shipment(shop):
    # given: a packed shipment
    make_courier(shop.db)
    stock_up(shop.db, {("MAIN", "B-2"): 5})
    order = confirm(
        shop.db, place(shop.db, order_request(shop.trade.id, ("B-2", 2), shipping_address=ADDRESS))
    )
    pick(shop.db, wave(shop.db))
    shipment = pack(shop.db, order)
    # when
    with (
        pytest.raises(Forbidden),
        shop.db.unit_of_work(actor="staff:sam", permissions=permissions_of("sales")) as uow,
    ):
        dispatch_shipment(uow, shipment_id=shipment.id)
    # then
    with shop.db.reader() as session:
        assert get_shipment(session, str(shipment.id)).status == "created"


def test_a_warehouse_user_confirms_a_short_pick_with_the_reason_on_the_incident(shop, confirmed):
    # given
    worker = permissions_of("warehouse")
    with shop.db.unit_of_work(actor="staff:walt", permissions=worker) as uow:
        pick_list = create_pick_list(uow, warehouse="MAIN")
    # when
    with shop.db.unit_of_work(actor="staff:walt", permissions=worker) as uow:
        result = confirm_pick_list(
            uow, pick_list_id=pick_list.id, picked={1: 2}, notes={1: "bin empty"}
        )
    # then
    assert result == {"lines": 1, "short_lines": 1}
    with shop.db.reader() as session:
        (incident,) = order_incidents(session, confirmed.id)
    assert incident.note.endswith("1 not found (bin empty)")


def test_a_sales_user_changing_a_confirmed_order_gets_it_re_allocated(shop, confirmed):
    # when: sales (no fulfilment:write) raises the quantity
    with shop.db.unit_of_work(actor="staff:sam", permissions=permissions_of("sales")) as uow:
        change_order(
            uow, order_id=confirmed.id, request=ChangeOrder(reason="phone", quantities={1: 5})
        )
    # then: the change's re-allocation ran as the system
    with shop.db.reader() as session:
        allocations = order_allocations(session, confirmed.id)
    assert sum(a.quantity for a in allocations if a.status != "cancelled") == 5
