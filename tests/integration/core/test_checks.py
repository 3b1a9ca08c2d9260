"""`ordersmith check` finds every kind of drift it promises to, on both databases."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from ordersmith.checks import run_checks
from ordersmith.db import table_of
from ordersmith.orders.models import OrderLine
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place


def _failed(db):
    with db.reader() as session:
        return {name for name, found in run_checks(session).items() if found}


@pytest.fixture
def placed(shop):
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    return place(shop.db, order_request(shop.cash.id, ("A-1", 2)))


def _tamper(db, sql, **params):
    with db.engine.begin() as conn:
        conn.execute(sa.text(sql), params)


def test_a_consistent_database_passes_every_check(shop, placed):
    assert _failed(shop.db) == set()


def test_a_stock_level_changed_behind_the_ledgers_back_is_found(shop, placed):
    _tamper(shop.db, "UPDATE stock_levels SET on_hand = on_hand + 1")
    assert "stock_equals_ledger" in _failed(shop.db)


def test_a_reservation_that_no_line_accounts_for_is_found(shop, placed):
    # given lines that claim nothing is reserved while the reservation row remains
    _tamper(
        shop.db, "UPDATE order_lines SET reserved_quantity = 0, backordered_quantity = quantity"
    )
    # then
    assert "lines_match_reservations" in _failed(shop.db)


def test_a_line_reserved_without_a_reservation_row_is_found(shop, placed):
    _tamper(shop.db, "DELETE FROM order_reservations")
    assert {"lines_match_reservations", "reserved_equals_open_reservations"} <= _failed(shop.db)


def test_a_line_whose_order_created_at_differs_from_its_orders_is_found(shop, placed):
    # given a line that no longer carries its order's created_at
    lines = table_of(OrderLine)
    with shop.db.engine.begin() as conn:
        conn.execute(
            sa.update(lines).values(order_created_at=placed.created_at - timedelta(seconds=1))
        )
    # when
    with shop.db.reader() as session:
        found = run_checks(session)["lines_carry_order_created_at"]
    # then
    assert [v.detail.split(" says ")[0] for v in found] == [f"order {placed.number} line 1"]


def test_totals_that_differ_from_their_lines_are_found(shop, placed):
    _tamper(shop.db, "UPDATE order_lines SET tax_amount = tax_amount + 1")
    assert "order_totals_add_up" in _failed(shop.db)


def test_units_that_differ_from_the_lines_quantities_are_found(shop, placed):
    # given an order whose units no longer add up its lines (customer history reads them)
    _tamper(shop.db, "UPDATE orders SET units = units + 1")
    # then
    assert "order_totals_add_up" in _failed(shop.db)
