"""Placing an order costs a fixed number of SQL statements, whatever its number of lines
(issue 3: set-based, no per-line round trips; at most 12)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa

from ordersmith.catalog.services import create_product
from ordersmith.orders.models import Channel
from ordersmith.orders.requests import LineRequest, PlaceOrder
from ordersmith.uow import Database
from tests.factories.inventory import stock_up
from tests.factories.orders import place

SKUS = [f"S-{n:02d}" for n in range(15)]
NOT_STATEMENTS = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


@pytest.fixture
def stocked(shop: Any) -> Any:
    with shop.db.unit_of_work(actor="test") as uow:
        for sku in SKUS:
            create_product(uow, sku=sku, name=f"Part {sku}", price="2.00")
    stock_up(shop.db, {(w, sku): 1000 for sku in SKUS for w in ("MAIN", "EAST")})
    return shop


@contextmanager
def counted(db: Database) -> Iterator[list[str]]:
    """The statements sent while inside (transaction control aside)."""
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(NOT_STATEMENTS):
            seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def _order(customer_id: Any, lines: int, quantity: int, *, pinned: int = 0) -> PlaceOrder:
    return PlaceOrder(
        customer_id=customer_id,
        channel=Channel.API,
        lines=[
            LineRequest(sku, quantity, warehouse="EAST" if i < pinned else None)
            for i, sku in enumerate(SKUS[:lines])
        ],
    )


def test_an_order_of_fifteen_lines_costs_the_statements_of_an_order_of_one(
    stocked: Any, database_url: str
) -> None:
    # given: the first order took a block of order numbers (its own short transaction)
    place(stocked.db, _order(stocked.trade.id, 1, 9))
    # when
    with counted(stocked.db) as one:
        place(stocked.db, _order(stocked.trade.id, 1, 1))
    with counted(stocked.db) as fifteen:
        place(stocked.db, _order(stocked.trade.id, 15, 2))
    with counted(stocked.db) as pinned:
        place(stocked.db, _order(stocked.trade.id, 15, 3, pinned=2))
    # then: the same count whatever the lines; a pinned warehouse adds one look-up of
    # its code on SQLite, none on PostgreSQL (it rides on the prices read, ADR 0042)
    postgresql = database_url.startswith("postgresql")
    assert len(fifteen) == len(one), fifteen
    assert len(pinned) == len(one) + (0 if postgresql else 1), pinned
    assert len(pinned) <= 12, pinned
    if postgresql:  # profile, prices with the duplicate check, the stock rows locked and
        # the pinned warehouses, and one write: the stock update with its ledger rows,
        # the order, its lines, reservations, history and events (pg_arrays, ADR 0037)
        assert len(one) == 3, one


def test_placement_statements_run_their_generic_plans_on_postgresql(
    stocked: Any, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("prepared statements and their plans are PostgreSQL's")
    # when: enough orders for psycopg to prepare placement's statements
    for quantity in range(1, 10):
        place(stocked.db, _order(stocked.trade.id, 3, quantity, pinned=1))
    with stocked.db.engine.connect() as conn:
        prepared = conn.exec_driver_sql(
            "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements"
        ).all()
    # then: the prices read (with the stock rows) and the write (one parameter per
    # column, ADR 0045) were prepared and planned once, not once per order
    reads = [p for p in prepared if p.statement.startswith("WITH stock AS MATERIALIZED")]
    writes = [p for p in prepared if "INSERT INTO orders" in p.statement]
    for plans in (reads, writes):
        assert plans, [p.statement[:60] for p in prepared]
        assert all(p.custom_plans == 0 and p.generic_plans > 0 for p in plans), [
            (p.generic_plans, p.custom_plans) for p in plans
        ]
