"""A unit of work is one transaction on its own connection (ADR 0047): Core statements
on ``uow.connection`` and the ORM session's work commit together, or roll back
together; the session never commits by itself."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa

from ordersmith import clock
from ordersmith.db import core, table_of
from ordersmith.ids import new_id
from ordersmith.inventory.models import Warehouse
from ordersmith.uow import Database, UnitOfWork


def _codes(db: Database) -> set[str]:
    with db.reader() as session:
        return set(session.scalars(sa.select(Warehouse.code)))


def _insert_on_the_connection(uow: UnitOfWork, code: str) -> None:
    uow.connection.execute(
        sa.insert(table_of(Warehouse)).values(
            id=new_id(), code=code, name=code, address={}, created_at=clock.now()
        )
    )


def _add_to_the_session(uow: UnitOfWork, code: str) -> None:
    uow.session.add(Warehouse(id=new_id(), code=code, name=code, created_at=clock.now()))


def test_core_and_orm_work_of_a_unit_of_work_commit_together(db: Database) -> None:
    # given a Core insert and an ORM object never flushed by the caller
    # when
    with db.unit_of_work(actor="test") as uow:
        _insert_on_the_connection(uow, "CORE")
        _add_to_the_session(uow, "ORM")
    # then both are written at commit
    assert _codes(db) == {"CORE", "ORM"}


def test_core_and_orm_work_of_a_failed_unit_of_work_roll_back_together(db: Database) -> None:
    # given
    def failing() -> None:
        with db.unit_of_work(actor="test") as uow:
            _add_to_the_session(uow, "ORM")
            uow.session.flush()
            _insert_on_the_connection(uow, "CORE")
            raise RuntimeError("refused")

    # when
    with pytest.raises(RuntimeError):
        failing()
    # then
    assert _codes(db) == set()


def test_a_flush_that_fails_at_commit_leaves_nothing_behind(db: Database) -> None:
    # given a Core insert, then an ORM object whose code is taken
    with db.unit_of_work(actor="test") as uow:
        _insert_on_the_connection(uow, "TAKEN")

    def clashing() -> None:
        with db.unit_of_work(actor="test") as uow:
            _insert_on_the_connection(uow, "FRESH")
            _add_to_the_session(uow, "TAKEN")

    # when the commit's flush fails
    with pytest.raises(sa.exc.IntegrityError):
        clashing()
    # then the unit of work's Core insert is rolled back with it
    assert _codes(db) == {"TAKEN"}


def test_a_savepoint_rolls_back_only_its_own_work(db: Database) -> None:
    # given
    # when
    with db.unit_of_work(actor="test") as uow:
        _add_to_the_session(uow, "OUTER")
        try:
            with uow.session.begin_nested():
                _add_to_the_session(uow, "INNER")
                uow.session.flush()
                raise RuntimeError("the inner step is refused")
        except RuntimeError:
            pass
    # then
    assert _codes(db) == {"OUTER"}


@pytest.mark.parametrize(
    "first_use",
    [lambda uow: uow.connection, lambda uow: core(uow.session)],
    ids=["connection first", "session first"],
)
def test_core_statements_of_the_session_run_on_the_unit_of_works_connection(
    db: Database, first_use: Callable[[UnitOfWork], object]
) -> None:
    # given
    with db.unit_of_work(actor="test") as uow:
        # when
        first_use(uow)
        # then
        assert core(uow.session) is uow.connection
