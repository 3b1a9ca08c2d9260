"""A stock posting carried by the order's write (PostgreSQL, ADR 0037): applied with it,
and refused with it — a refused posting leaves nothing of the write behind."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from ordersmith import clock
from ordersmith.db import RiderRefused, core, insert_together, table_of
from ordersmith.inventory import ledger
from ordersmith.inventory.ledger import Entry, Level
from ordersmith.inventory.models import MovementKind, StockMovement, Warehouse
from ordersmith.inventory.queries import stock_level
from ordersmith.outbox.models import OutboxEvent
from ordersmith.uow import Database
from tests.factories.inventory import stock_up
from tests.factories.outbox import outbox_row


@pytest.fixture
def main_stock(shop: Any, database_url: str) -> Any:
    if not database_url.startswith("postgresql"):
        pytest.skip("a carried posting is PostgreSQL's (SQLite posts at once)")
    (level,) = stock_up(shop.db, {("MAIN", "A-1"): 5})
    return level


def _reserve_entry(level: Any, units: int) -> Entry:
    return Entry(
        level.warehouse_id,
        level.product_id,
        MovementKind.RESERVATION,
        reserved_delta=units,
        source_type="order",
        source_id="T-1",
    )


def _write_with_posting(
    db: Database, level: Any, units: int, batch: tuple[sa.Table, list[dict[str, Any]]] | None = None
) -> None:
    locked = {(level.warehouse_id, level.product_id): Level(level.on_hand, level.reserved, 0)}
    with db.unit_of_work(actor="test") as uow:
        _levels, rider = ledger.post_carried(
            uow.session, [_reserve_entry(level, units)], locked, actor="test"
        )
        written = batch or (table_of(OutboxEvent), [outbox_row({})])
        insert_together(core(uow.session), [written], rider=rider)


def _counts(db: Database) -> tuple[int, int]:
    with db.reader() as session:
        events = session.scalar(sa.select(sa.func.count()).select_from(table_of(OutboxEvent)))
        moves = session.scalar(sa.select(sa.func.count()).select_from(table_of(StockMovement)))
    return int(events or 0), int(moves or 0)


def test_a_carried_posting_is_applied_by_the_write_that_carries_it(
    shop: Any, main_stock: Any
) -> None:
    # given
    events_before, moves_before = _counts(shop.db)
    # when: 3 units reserved, the posting carried by an insert of one event
    _write_with_posting(shop.db, main_stock, 3)
    # then: the stock row, its movement and the event, together
    with shop.db.reader() as session:
        after = stock_level(session, main_stock.warehouse_id, main_stock.product_id)
    assert (after.on_hand, after.reserved) == (5, 3)
    assert _counts(shop.db) == (events_before + 1, moves_before + 1)


def test_a_carried_posting_a_row_refuses_rolls_the_whole_write_back(
    shop: Any, main_stock: Any
) -> None:
    # given
    events_before, moves_before = _counts(shop.db)
    # when: a posting that would reserve more than is on hand (a bug: a caller's plan
    # never asks for it) rides on an insert
    with pytest.raises(RiderRefused):
        _write_with_posting(shop.db, main_stock, 6)
    # then: nothing of the statement stays: no event, no movement, the row as it was
    with shop.db.reader() as session:
        after = stock_level(session, main_stock.warehouse_id, main_stock.product_id)
    assert (after.on_hand, after.reserved) == (5, 0)
    assert _counts(shop.db) == (events_before, moves_before)


def test_rows_that_cannot_go_through_arrays_still_carry_the_posting(
    shop: Any, main_stock: Any
) -> None:
    # given: a warehouse row that leaves out its address, whose default is computed by
    # SQLAlchemy (a callable): such rows go in through sa.insert, not arrays
    _events, moves_before = _counts(shop.db)
    warehouse = {"id": uuid.uuid4(), "code": "NORTH", "name": "North", "created_at": clock.now()}
    # when: 2 units reserved, the posting carried by that insert
    _write_with_posting(shop.db, main_stock, 2, (table_of(Warehouse), [warehouse]))
    # then: the posting ran on its own, then the row went in
    with shop.db.reader() as session:
        after = stock_level(session, main_stock.warehouse_id, main_stock.product_id)
        codes = set(session.scalars(sa.select(table_of(Warehouse).c.code)))
    assert (after.on_hand, after.reserved) == (5, 2)
    assert _counts(shop.db)[1] == moves_before + 1
    assert "NORTH" in codes
