"""Allocation on confirmation: the strategy chain, its trace, and reservations that move."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ordersmith.checks import run_checks
from ordersmith.config import BackorderPolicy, ShipPolicy
from ordersmith.db import table_of
from ordersmith.fulfillment.queries import (
    allocation_decisions,
    order_allocations,
    order_incidents,
)
from ordersmith.inventory.queries import stock_levels
from ordersmith.inventory.services import return_to_stock
from ordersmith.orders.queries import get_order
from ordersmith.orders.services import cancel_order, confirm_order
from ordersmith.outbox.models import OutboxEvent
from tests.factories.inventory import make_warehouse, stock_up
from tests.factories.orders import order_request, place

BERLIN = {"line1": "Unter den Linden 1", "city": "Berlin", "postcode": "10117", "country": "DE"}


def _confirm(db, order):
    with db.unit_of_work(actor="user:sam") as uow:
        return confirm_order(uow, order_id=order.id)


def _allocations(db, order):
    with db.reader() as session:
        return [(a.sku, a.warehouse, a.quantity) for a in order_allocations(session, order.id)]


def _decision(db, order):
    with db.reader() as session:
        return allocation_decisions(session, order.id)[-1]


def _reserved(db, warehouse, sku):
    with db.reader() as session:
        levels = stock_levels(session, warehouse=warehouse, sku=sku)
    return levels[0].reserved if levels else 0


def _no_violations(db):
    with db.reader() as session:
        assert {k: v for k, v in run_checks(session).items() if v} == {}


def test_an_order_one_warehouse_can_send_whole_moves_its_reservation_there(shop):
    # given: placement reserved A-1 at MAIN (preferred) and B-2 at EAST (only there)
    stock_up(shop.db, {("MAIN", "A-1"): 5, ("EAST", "A-1"): 5, ("EAST", "B-2"): 10})
    order = place(shop.db, order_request(shop.cash.id, ("A-1", 3), ("B-2", 2)))
    assert _reserved(shop.db, "MAIN", "A-1") == 3
    # when
    confirmed = _confirm(shop.db, order)
    # then: EAST ships complete, the MAIN reservation moved there
    assert sorted(_allocations(shop.db, order)) == [("A-1", "EAST", 3), ("B-2", "EAST", 2)]
    assert (_reserved(shop.db, "MAIN", "A-1"), _reserved(shop.db, "EAST", "A-1")) == (0, 3)
    decision = _decision(shop.db, order)
    assert decision.decided_by == "ship_complete"
    assert decision.summary == "5 of 5 units from EAST (one warehouse can send everything)"
    chosen = [c for c in decision.trace["candidates"] if c["chosen"]]
    assert chosen[0]["warehouses"] == ["EAST"]
    assert len(decision.trace["candidates"]) >= 2  # the split plan was considered too
    assert confirmed.fulfilment_status == "allocated"
    _no_violations(shop.db)


def test_an_order_no_single_warehouse_can_send_is_split_with_the_fewest_warehouses(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 5, ("EAST", "B-2"): 10})
    order = place(shop.db, order_request(shop.cash.id, ("A-1", 3), ("B-2", 2)))
    # when
    _confirm(shop.db, order)
    # then
    assert sorted(_allocations(shop.db, order)) == [("A-1", "MAIN", 3), ("B-2", "EAST", 2)]
    assert (
        "MAIN + EAST" in _decision(shop.db, order).summary
        or "EAST + MAIN" in _decision(shop.db, order).summary
    )
    _no_violations(shop.db)


def test_between_two_complete_warehouses_the_nearest_to_the_ship_to_address_wins(db):
    # given: HAM is preferred by priority, but BER is in the customer's postcode area
    from ordersmith.catalog.services import create_product
    from tests.factories.customers import make_customer

    with db.unit_of_work(actor="test") as uow:
        make_warehouse(uow, code="HAM", priority=10, city="Hamburg", postcode="20457")
        make_warehouse(uow, code="BER", priority=50, city="Berlin", postcode="10115")
        create_product(uow, sku="A-1", name="Anvil", price="12.50")
    with db.unit_of_work(actor="test") as uow:
        customer = make_customer(uow)
    stock_up(db, {("HAM", "A-1"): 9, ("BER", "A-1"): 9})
    order = place(db, order_request(customer.id, ("A-1", 4), shipping_address=BERLIN))
    # when
    _confirm(db, order)
    # then
    assert _allocations(db, order) == [("A-1", "BER", 4)]
    decision = _decision(db, order)
    assert decision.decided_by == "nearest"
    assert {s["warehouse"]: s["distance"] for s in decision.trace["sites"]} == {
        "BER": 0,
        "HAM": 2,
    }


def test_with_priority_before_nearest_the_preferred_warehouse_wins(db, tmp_path):
    # given: the same shop with rules configured priority-first
    from ordersmith.catalog.services import create_product
    from ordersmith.uow import Database
    from tests.conftest import make_settings
    from tests.factories.customers import make_customer

    settings = make_settings(
        tmp_path, db.settings.database_url, allocation_strategy="priority,nearest"
    )
    db2 = Database.connect(settings)
    try:
        with db2.unit_of_work(actor="test") as uow:
            make_warehouse(uow, code="HAM", priority=10, city="Hamburg", postcode="20457")
            make_warehouse(uow, code="BER", priority=50, city="Berlin", postcode="10115")
            create_product(uow, sku="A-1", name="Anvil", price="12.50")
        with db2.unit_of_work(actor="test") as uow:
            customer = make_customer(uow)
        stock_up(db2, {("HAM", "A-1"): 9, ("BER", "A-1"): 9})
        order = place(db2, order_request(customer.id, ("A-1", 4), shipping_address=BERLIN))
        # when
        _confirm(db2, order)
        # then
        assert _allocations(db2, order) == [("A-1", "HAM", 4)]
        assert _decision(db2, order).decided_by == "priority"
    finally:
        db2.dispose()


def test_units_without_stock_are_backordered_with_an_incident_and_a_customer_event(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    order = place(
        shop.db,
        order_request(shop.cash.id, ("A-1", 8), backorder_policy=BackorderPolicy.BACKORDER),
    )
    # when
    confirmed = _confirm(shop.db, order)
    # then
    assert _allocations(shop.db, order) == [("A-1", "MAIN", 5)]
    assert (confirmed.lines[0].reserved_quantity, confirmed.lines[0].backordered_quantity) == (
        5,
        3,
    )
    assert confirmed.fulfilment_status == "backordered"
    with shop.db.reader() as session:
        kinds = [i.kind for i in order_incidents(session, order.id)]
        outbox = table_of(OutboxEvent)
        events = session.scalars(
            sa.select(outbox.c.event_type).where(outbox.c.aggregate_id == order.id)
        ).all()
    assert kinds == ["backorder"]
    assert "order.backordered" in events
    _no_violations(shop.db)


def test_stock_arriving_allocates_backorders_oldest_order_first(shop):
    # given: two orders waiting for A-1, the older one first
    stock_up(shop.db, {("MAIN", "A-1"): 1})
    backorder = {"backorder_policy": BackorderPolicy.BACKORDER}
    older = place(shop.db, order_request(shop.cash.id, ("A-1", 3), **backorder))
    newer = place(shop.db, order_request(shop.trade.id, ("A-1", 2), **backorder))
    _confirm(shop.db, older)
    _confirm(shop.db, newer)
    # when: two units arrive at EAST
    stock_up(shop.db, {("EAST", "A-1"): 2})
    # then: the older order is served in full, the newer one keeps waiting
    with shop.db.reader() as session:
        first, second = get_order(session, older.number), get_order(session, newer.number)
    assert (first.fulfilment_status, first.lines[0].backordered_quantity) == ("allocated", 0)
    assert (second.fulfilment_status, second.lines[0].backordered_quantity) == ("backordered", 2)
    assert _decision(shop.db, older).trigger == "stock_arrived"
    _no_violations(shop.db)


def test_goods_returned_to_stock_allocate_backorders_oldest_order_first(shop):
    # given: two orders waiting for A-1, the older one first
    backorder = {"backorder_policy": BackorderPolicy.BACKORDER}
    older = place(shop.db, order_request(shop.cash.id, ("A-1", 1), **backorder))
    newer = place(shop.db, order_request(shop.trade.id, ("A-1", 1), **backorder))
    _confirm(shop.db, older)
    _confirm(shop.db, newer)
    # when: a customer sends one back, fit to sell
    with shop.db.unit_of_work(actor="user:wes") as uow:
        return_to_stock(uow, warehouse="EAST", sku="A-1", quantity=1, reference="RET-1")
    # then
    with shop.db.reader() as session:
        first, second = get_order(session, older.number), get_order(session, newer.number)
    assert (first.fulfilment_status, second.fulfilment_status) == ("allocated", "backordered")
    assert _allocations(shop.db, older) == [("A-1", "EAST", 1)]
    assert _decision(shop.db, older).trigger == "stock_arrived"
    _no_violations(shop.db)


def test_a_ship_complete_order_is_allocated_but_marked_as_waiting_for_the_rest(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 2})
    order = place(
        shop.db,
        order_request(
            shop.cash.id,
            ("A-1", 3),
            backorder_policy=BackorderPolicy.BACKORDER,
            ship_policy=ShipPolicy.SHIP_COMPLETE,
        ),
    )
    # when
    confirmed = _confirm(shop.db, order)
    # then
    assert confirmed.ship_policy == "ship_complete"
    assert confirmed.fulfilment_status == "backordered"


def test_cancelling_an_allocated_order_gives_the_stock_back_and_closes_the_allocations(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    order = place(shop.db, order_request(shop.cash.id, ("A-1", 2)))
    _confirm(shop.db, order)
    # when
    with shop.db.unit_of_work(actor="user:sam") as uow:
        cancel_order(uow, order_id=order.id, reason="customer changed mind")
    # then
    with shop.db.reader() as session:
        statuses = {a.status for a in order_allocations(session, order.id)}
    assert statuses == {"cancelled"}
    assert _reserved(shop.db, "MAIN", "A-1") == 0
    _no_violations(shop.db)


@pytest.mark.parametrize("services", [1])
def test_a_non_stocked_line_needs_no_allocation(shop, services):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    order = place(shop.db, order_request(shop.cash.id, ("A-1", 1), ("SVC", services)))
    # when
    confirmed = _confirm(shop.db, order)
    # then
    assert _allocations(shop.db, order) == [("A-1", "MAIN", 1)]
    assert confirmed.fulfilment_status == "allocated"


def test_a_customer_waiting_for_a_backorder_is_told_when_the_stock_arrives(shop):
    # given
    from ordersmith.jobs.handlers import default_handlers
    from ordersmith.jobs.worker import deliver_events
    from ordersmith.notifications.queries import list_communications

    order = place(
        shop.db,
        order_request(shop.cash.id, ("A-1", 2), backorder_policy=BackorderPolicy.BACKORDER),
    )
    _confirm(shop.db, order)
    # when
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    deliver_events(shop.db, handlers=default_handlers(), limit=100)
    # then
    with shop.db.reader() as session:
        messages, _more = list_communications(session, order_id=order.id)
    kinds = sorted(str(m.kind) for m in messages)
    assert kinds == ["backorder_allocated", "backorder_delay", "order_received"]
