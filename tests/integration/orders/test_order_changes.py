"""Changing an order after it was placed: quantities, added and cancelled lines, address,
date and notes — each re-reserves stock atomically, re-prices under one rule, records a
versioned change with who and why, and emails the customer (ADR 0020)."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from ordersmith.catalog.services import update_product
from ordersmith.checks import run_checks
from ordersmith.config import BackorderPolicy
from ordersmith.db import table_of
from ordersmith.errors import InvalidTransition, ValidationFailed
from ordersmith.inventory.errors import InsufficientStock
from ordersmith.inventory.queries import stock_levels
from ordersmith.notifications.models import Communication
from ordersmith.orders.change_log import list_changes
from ordersmith.orders.errors import OrderVersionConflict
from ordersmith.orders.queries import get_order, order_history
from ordersmith.orders.requests import LineRequest
from ordersmith.orders.services import cancel_order
from tests.factories.fulfillment import confirm
from tests.factories.inventory import stock_up
from tests.factories.orders import change, order_request, place


def _reserved(shop, sku):
    with shop.db.reader() as session:
        return sum(lv.reserved for lv in stock_levels(session) if lv.sku == sku)


def _clean(shop):
    with shop.db.reader() as session:
        assert not any(run_checks(session).values()), run_checks(session)


def test_raising_a_quantity_reserves_the_extra_units_and_records_version_two(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 10})
    order = place(shop.db, order_request(shop.cash.id, ("A-1", 2)))
    # when
    changed = change(shop.db, order, quantities={1: 5}, reason="wants five after all")
    # then
    assert changed.version == 2
    assert (changed.lines[0].quantity, changed.lines[0].reserved_quantity) == (5, 5)
    assert changed.total == Decimal("75.00")  # 5 x 12.50 + 20 % tax
    assert _reserved(shop, "A-1") == 5
    with shop.db.reader() as session:
        changes = list_changes(session, order.id)
        history = order_history(session, order.number)
    assert [(c.version, c.kind, c.actor, c.reason) for c in changes] == [
        (2, "lines", "user:carol", "wants five after all")
    ]
    assert changes[0].before["lines"][0]["quantity"] == 2
    assert changes[0].after["lines"][0]["quantity"] == 5
    assert history[-1].action == "change"
    _clean(shop)


def test_lowering_a_quantity_and_cancelling_a_line_give_the_stock_back(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 10, ("MAIN", "B-2"): 10})
    order = place(shop.db, order_request(shop.cash.id, ("A-1", 4), ("B-2", 3)))
    # when
    changed = change(shop.db, order, quantities={1: 1}, cancel_lines=[2])
    # then
    assert [(line.sku, line.quantity, line.reserved_quantity) for line in changed.lines] == [
        ("A-1", 1, 1),
        ("B-2", 0, 0),
    ]
    assert (_reserved(shop, "A-1"), _reserved(shop, "B-2")) == (1, 0)
    assert changed.total == Decimal("15.00")
    _clean(shop)


def test_existing_units_keep_their_price_and_added_lines_take_todays_price(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 10, ("MAIN", "B-2"): 10})
    order = place(shop.db, order_request(shop.cash.id, ("A-1", 1)))
    with shop.db.unit_of_work(actor="test") as uow:
        update_product(uow, product="A-1", price=Decimal("20.00"))
        update_product(uow, product="B-2", price=Decimal("1.00"))
    # when
    changed = change(
        shop.db, order, quantities={1: 2}, add_lines=[LineRequest(sku="B-2", quantity=4)]
    )
    # then
    a1, b2 = changed.lines
    assert (a1.quantity, a1.unit_price) == (2, Decimal("12.5000"))
    assert (b2.line_no, b2.quantity, b2.unit_price, b2.reserved_quantity) == (
        2,
        4,
        Decimal("1.0000"),
        4,
    )
    assert changed.subtotal == Decimal("29.00")
    _clean(shop)


def test_an_increase_that_cannot_be_served_changes_nothing_under_the_reject_rule(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 3})
    order = place(shop.db, order_request(shop.cash.id, ("A-1", 2)))
    # when
    with pytest.raises(InsufficientStock) as refused:
        change(shop.db, order, quantities={1: 9}, notes="and a note")
    # then
    assert refused.value.extra["shortages"][0]["sku"] == "A-1"
    with shop.db.reader() as session:
        same = get_order(session, order.number)
        assert list_changes(session, order.id) == []
    assert (same.version, same.lines[0].quantity, same.notes) == (1, 2, "")
    assert _reserved(shop, "A-1") == 2
    _clean(shop)


def test_an_increase_beyond_stock_is_backordered_under_the_backorder_rule(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 3})
    order = place(
        shop.db,
        order_request(shop.cash.id, ("A-1", 2), backorder_policy=BackorderPolicy.BACKORDER),
    )
    # when
    changed = change(shop.db, order, quantities={1: 5})
    # then
    line = changed.lines[0]
    assert (line.quantity, line.reserved_quantity, line.backordered_quantity) == (5, 3, 2)
    _clean(shop)


def test_a_confirmed_order_is_allocated_again_after_its_lines_change(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 10, ("EAST", "B-2"): 10})
    order = confirm(shop.db, place(shop.db, order_request(shop.cash.id, ("A-1", 2))))
    # when
    changed = change(
        shop.db, order, quantities={1: 3}, add_lines=[LineRequest(sku="B-2", quantity=1)]
    )
    # then
    assert changed.status == "confirmed"
    assert [line.reserved_quantity for line in changed.lines] == [3, 1]
    assert (_reserved(shop, "A-1"), _reserved(shop, "B-2")) == (3, 1)
    _clean(shop)


def test_address_date_and_notes_change_in_one_version_and_the_customer_is_emailed(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 10})
    order = place(shop.db, order_request(shop.cash.id, ("A-1", 1)))
    address = {"name": "Ann", "line1": "9 New Road", "city": "Hamburg", "country": "DE"}
    # when
    changed = change(
        shop.db,
        order,
        shipping_address=address,
        requested_delivery_date=order.created_at.date().replace(year=2030),
        notes="leave with the neighbour",
    )
    # then
    assert changed.version == 2
    assert changed.shipping_address["line1"] == "9 New Road"
    assert changed.notes == "leave with the neighbour"
    comms = table_of(Communication)
    with shop.db.reader() as session:
        mails = session.execute(
            sa.select(comms.c.kind, comms.c.subject, comms.c.body_text).where(
                comms.c.order_id == order.id
            )
        ).all()
    assert [m.kind for m in mails] == ["order_changed"]
    assert order.number in mails[0].subject
    assert "9 New Road" in mails[0].body_text
    assert "customer asked" in mails[0].body_text


def test_a_stale_expected_version_is_refused_and_changes_nothing(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 10})
    order = place(shop.db, order_request(shop.cash.id, ("A-1", 1)))
    change(shop.db, order, notes="first")
    # when
    with pytest.raises(OrderVersionConflict) as conflict:
        change(shop.db, order, quantities={1: 2}, expected_version=1)
    # then
    assert conflict.value.extra == {"current_version": 2, "expected_version": 1}
    assert _reserved(shop, "A-1") == 1


def test_a_change_needs_a_reason_and_something_to_change(shop):
    stock_up(shop.db, {("MAIN", "A-1"): 10})
    order = place(shop.db, order_request(shop.cash.id, ("A-1", 1)))
    with pytest.raises(ValidationFailed):
        change(shop.db, order, notes="x", reason=" ")
    with pytest.raises(ValidationFailed):
        change(shop.db, order)
    with pytest.raises(ValidationFailed) as last_line:
        change(shop.db, order, cancel_lines=[1])
    assert last_line.value.code == "order_needs_a_line"


def test_a_cancelled_order_cannot_be_changed(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 10})
    order = place(shop.db, order_request(shop.cash.id, ("A-1", 1)))
    with shop.db.unit_of_work(actor="test") as uow:
        cancel_order(uow, order_id=order.id, reason="gone")
    # when / then
    with pytest.raises(InvalidTransition) as refused:
        change(shop.db, order, notes="too late")
    assert refused.value.code == "invalid_transition"
