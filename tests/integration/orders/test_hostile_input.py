"""Hostile text in orders: control characters and NUL are refused with field errors, and
look-ups by a text that cannot be stored find nothing — the same on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ordersmith.errors import ValidationFailed
from ordersmith.inventory.queries import stock_levels
from ordersmith.orders.drafts import place_draft
from ordersmith.orders.errors import OrderNotFound
from ordersmith.orders.placement import LineRequest, PlaceOrder
from ordersmith.orders.queries import OrderFilter, get_order, list_orders, order_id
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place

ADDRESS = {"line1": "1 Main St", "city": "Berlin", "country": "DE"}


def _order_count(db):
    with db.reader() as session:
        return session.scalar(sa.text("SELECT count(*) FROM orders"))


def _refusal(db, request):
    with pytest.raises(ValidationFailed) as caught:
        place(db, request)
    return caught.value


def _fields(error):
    return {f.field for f in error.fields}


def _reserved(db, sku):
    with db.reader() as session:
        return {r.warehouse: r.reserved for r in stock_levels(session, sku=sku)}


@pytest.mark.parametrize("value", ["a\x00b", "a\x1bb", "line\nbreak"])
def test_an_external_ref_with_a_control_character_is_refused_with_its_field(shop, value):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    # when
    error = _refusal(shop.db, order_request(shop.cash.id, ("A-1", 1), external_ref=value))
    # then
    assert _fields(error) == {"external_ref"}
    assert _order_count(shop.db) == 0
    assert _reserved(shop.db, "A-1") == {"MAIN": 0}


def test_notes_with_a_nul_or_an_escape_are_refused_but_line_breaks_and_tabs_are_kept(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    # when
    nul = _refusal(shop.db, order_request(shop.cash.id, ("A-1", 1), notes="call\x00me"))
    escape = _refusal(shop.db, order_request(shop.cash.id, ("A-1", 1), notes="\x1b[31mred"))
    order = place(shop.db, order_request(shop.cash.id, ("A-1", 1), notes="leave\tat\r\ndoor"))
    # then
    assert _fields(nul) == _fields(escape) == {"notes"}
    assert order.notes == "leave\tat\r\ndoor"


@pytest.mark.parametrize("field", ["name", "line1", "line2", "city", "region", "postcode"])
def test_a_nul_in_any_address_field_is_refused_with_that_fields_name(shop, field):
    # given
    address = {**ADDRESS, field: "x\x00y"}
    # when
    error = _refusal(
        shop.db,
        order_request(shop.cash.id, ("SVC", 1), shipping_address=address, billing_address=ADDRESS),
    )
    # then
    assert _fields(error) == {f"shipping_address.{field}"}
    assert _order_count(shop.db) == 0


def test_address_problems_keep_their_field_names_and_are_listed_together(shop):
    # given
    address = {"line1": " ", "city": "Berlin", "country": "D\x00", "floor": "3"}
    # when
    error = _refusal(shop.db, order_request(shop.cash.id, ("SVC", 1), billing_address=address))
    # then
    assert _fields(error) == {
        "billing_address.line1",
        "billing_address.country",
        "billing_address.floor",
    }


def test_a_nul_or_an_empty_sku_is_refused_with_the_lines_field_name(shop):
    # when
    error = _refusal(shop.db, order_request(shop.cash.id, ("A-1", 1), ("B\x00", 1), (" ", 1)))
    # then
    assert _fields(error) == {"lines.1.sku", "lines.2.sku"}


def test_a_pinned_warehouse_matches_its_code_in_any_case(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 5, ("EAST", "A-1"): 5})
    request = PlaceOrder(
        customer_id=shop.cash.id,
        channel=order_request(shop.cash.id, ("A-1", 1)).channel,
        lines=[LineRequest("A-1", 2, warehouse="east")],
    )
    # when
    order = place(shop.db, request)
    # then
    assert order.status == "placed"
    assert _reserved(shop.db, "A-1") == {"EAST": 2, "MAIN": 0}


@pytest.mark.parametrize("code", ["NOPE", "MA\x00IN"])
def test_an_unknown_or_unstorable_pinned_warehouse_is_an_unknown_warehouse_error(shop, code):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    request = PlaceOrder(
        customer_id=shop.cash.id,
        channel=order_request(shop.cash.id, ("A-1", 1)).channel,
        lines=[LineRequest("A-1", 1), LineRequest("A-1", 1, warehouse=code)],
    )
    # when
    error = _refusal(shop.db, request)
    # then
    assert error.code == "unknown_warehouse"
    assert _fields(error) == {"lines.1.warehouse"}
    assert _order_count(shop.db) == 0


def test_an_inactive_pinned_warehouse_is_an_unknown_warehouse_error_and_reserves_nothing(shop):
    # given: stock in EAST, which is then closed
    stock_up(shop.db, {("MAIN", "A-1"): 5, ("EAST", "A-1"): 5})
    with shop.db.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE warehouses SET active = :no WHERE code = 'EAST'"), {"no": False}
        )
    request = PlaceOrder(
        customer_id=shop.cash.id,
        channel=order_request(shop.cash.id, ("A-1", 1)).channel,
        lines=[LineRequest("A-1", 1), LineRequest("A-1", 1, warehouse="east")],
    )
    # when
    error = _refusal(shop.db, request)
    # then
    assert error.code == "unknown_warehouse"
    assert _fields(error) == {"lines.1.warehouse"}
    assert _reserved(shop.db, "A-1") == {"EAST": 0, "MAIN": 0}


def test_a_sku_pinned_on_one_line_and_free_on_another_reserves_from_both_warehouses(shop):
    # given: MAIN is the preferred warehouse
    stock_up(shop.db, {("MAIN", "A-1"): 5, ("EAST", "A-1"): 5})
    request = PlaceOrder(
        customer_id=shop.cash.id,
        channel=order_request(shop.cash.id, ("A-1", 1)).channel,
        lines=[LineRequest("A-1", 3, warehouse="EAST"), LineRequest("A-1", 4)],
    )
    # when
    order = place(shop.db, request)
    # then: the pinned units come from EAST, the free ones from the first that has them all
    assert order.status == "placed"
    assert _reserved(shop.db, "A-1") == {"EAST": 3, "MAIN": 4}


def test_a_draft_keeps_its_pinned_warehouse_when_it_is_placed(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 5, ("EAST", "A-1"): 5})
    draft = place(
        shop.db,
        PlaceOrder(
            customer_id=shop.cash.id,
            channel=order_request(shop.cash.id, ("A-1", 1)).channel,
            lines=[LineRequest("A-1", 3, warehouse="EAST"), LineRequest("SVC", 1)],
            draft=True,
        ),
    )
    # when
    with shop.db.unit_of_work(actor="test") as uow:
        placed = place_draft(uow, order_id=draft.id)
    # then
    assert placed.status == "placed"
    assert _reserved(shop.db, "A-1") == {"EAST": 3, "MAIN": 0}


@pytest.mark.parametrize("ref", ["SO-2026\x00", "\x00"])
def test_looking_up_an_order_by_an_unstorable_number_finds_nothing(shop, ref):
    # given
    place(shop.db, order_request(shop.cash.id, ("SVC", 1)))
    # when / then
    with shop.db.reader() as session:
        with pytest.raises(OrderNotFound):
            get_order(session, ref)
        with pytest.raises(OrderNotFound):
            order_id(session, ref)


@pytest.mark.parametrize(
    "flt",
    [
        OrderFilter(sku="SVC\x00"),
        OrderFilter(external_ref="x\x00"),
        OrderFilter(channel="phone\x00"),
        OrderFilter(hold_reason="manual\x00"),
    ],
)
def test_order_lists_filtered_by_an_unstorable_text_are_empty(shop, flt):
    # given
    place(shop.db, order_request(shop.cash.id, ("SVC", 1), external_ref="x"))
    # when
    with shop.db.reader() as session:
        rows = list_orders(session, flt)
    # then
    assert rows == []
