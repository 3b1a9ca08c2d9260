"""``UnitOfWork.after_commit``: in-process state that follows the database (a revoked
token forgotten, ADR 0035) changes only once the change is committed."""

from __future__ import annotations

import pytest

from ordersmith.uow import Database
from tests.factories.inventory import make_warehouse


def test_a_callback_runs_once_the_unit_of_work_has_committed(db: Database) -> None:
    # given
    ran: list[str] = []
    # when
    with db.unit_of_work(actor="test") as uow:
        make_warehouse(uow, code="MAIN")
        uow.after_commit(lambda: ran.append("after"))
        ran.append("inside")
    # then
    assert ran == ["inside", "after"]


def test_a_callback_never_runs_when_the_unit_of_work_rolls_back(db: Database) -> None:
    # given
    ran: list[str] = []

    def refused_change() -> None:
        with db.unit_of_work(actor="test") as uow:
            make_warehouse(uow, code="MAIN")
            uow.after_commit(lambda: ran.append("after"))
            raise RuntimeError("refused")

    # when
    with pytest.raises(RuntimeError):
        refused_change()
    # then
    assert ran == []
