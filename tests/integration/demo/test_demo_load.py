"""Loading a small demo business on both databases: the ledger closes and stock is reserved."""

from __future__ import annotations

from collections import Counter

import pytest
import sqlalchemy as sa

from ordersmith.checks import run_checks
from ordersmith.db import table_of
from ordersmith.demo.loader import DatabaseNotEmpty, has_business_data, load_demo
from ordersmith.demo.staff import DEMO_STAFF, demo_email
from ordersmith.inventory.models import StockLevel, StockMovement
from ordersmith.orders.models import Order, OrderLine
from ordersmith.staff.roles import StaffRole
from ordersmith.staff.services import sign_in
from tests.factories.catalog import make_product

SMALL = {"seed": 3, "history_days": 30, "customers": 20}


@pytest.fixture
def small_demo(db):
    """A small demo: a month of history, twenty customers (every open order placed)."""
    phases = Counter()

    def progress(phase, done, total):
        phases[phase] += 1
        assert 0 <= done <= total

    summary = load_demo(db, progress=progress, **SMALL)
    return summary, phases


def test_a_small_demo_loads_with_every_phase_reported(db, small_demo):
    # given
    summary, phases = small_demo
    # then
    assert set(phases) == {
        "catalog",
        "suppliers",
        "customers",
        "stock",
        "history",
        "open orders",
        "tiers",
    }
    assert (summary.warehouses, summary.customers, summary.price_lists) == (3, 20, 3)
    assert summary.carriers == 2
    assert summary.products > 90
    assert 300 < summary.historical_orders < 1500
    assert summary.open_orders == 20
    assert has_business_data(db)


def test_the_stock_projection_equals_the_ledger_after_loading(db, small_demo):
    # given
    levels, moves = table_of(StockLevel), table_of(StockMovement)
    # when
    with db.reader() as session:
        projection = {
            (r.warehouse_id, r.product_id): (r.on_hand, r.reserved)
            for r in session.execute(sa.select(levels))
        }
        ledger = {
            (r.warehouse_id, r.product_id): (r.on_hand, r.reserved)
            for r in session.execute(
                sa.select(
                    moves.c.warehouse_id,
                    moves.c.product_id,
                    sa.func.sum(moves.c.on_hand_delta).label("on_hand"),
                    sa.func.sum(moves.c.reserved_delta).label("reserved"),
                ).group_by(moves.c.warehouse_id, moves.c.product_id)
            )
        }
        violations = {name: v for name, v in run_checks(session).items() if v}
    # then
    assert {k: v for k, v in projection.items() if v != (0, 0)} == ledger
    assert violations == {}


def test_history_is_completed_or_cancelled_and_open_orders_reserve_stock(db, small_demo):
    # given
    orders, lines, levels = table_of(Order), table_of(OrderLine), table_of(StockLevel)
    # when
    with db.reader() as session:
        statuses = {
            status: count
            for status, count in session.execute(
                sa.select(orders.c.status, sa.func.count()).group_by(orders.c.status)
            )
        }
        manual_holds = session.scalar(
            sa.select(sa.func.count()).where(orders.c.hold_reason == "manual")
        )
        backordered = session.scalar(sa.select(sa.func.sum(lines.c.backordered_quantity)))
        reserved = session.scalar(sa.select(sa.func.sum(levels.c.reserved)))
        out_of_stock = session.scalar(
            sa.select(sa.func.count()).select_from(levels).where(levels.c.on_hand == 0)
        )
    # then
    assert statuses["completed"] > 300
    open_statuses = ("placed", "confirmed", "on_hold")  # unpaid cash sales wait on hold
    assert sum(statuses.get(status, 0) for status in open_statuses) == 20
    assert manual_holds == 1
    assert statuses["confirmed"] >= 5
    assert backordered > 0
    assert reserved > 0
    assert out_of_stock >= 1


def test_the_demo_refuses_a_database_that_already_has_products(db):
    # given
    with db.unit_of_work(actor="test") as uow:
        make_product(uow)
    # when
    with pytest.raises(DatabaseNotEmpty) as error:
        load_demo(db, **SMALL)
    # then
    assert error.value.code == "database_not_empty"
    with db.reader() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(table_of(Order))) == 0


def test_each_demo_user_signs_in_with_the_documented_password(db, small_demo):
    # given
    users = [(demo_email(role), password) for role, _name, password in DEMO_STAFF]
    # when
    outcomes = []
    for email, password in users:
        with db.unit_of_work(actor="test") as uow:
            outcomes.append(sign_in(uow, email=email, password=password, ip="127.0.0.1"))
    # then
    assert [o.error for o in outcomes] == [None] * len(StaffRole)
    assert {o.user.role for o in outcomes if o.user} == set(StaffRole)
