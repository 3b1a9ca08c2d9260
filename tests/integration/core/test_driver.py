"""``ordersmith.driver``: a hot-path statement on the psycopg cursor keeps SQLAlchemy's
cursor events and exception classes (PostgreSQL; ADR 0043)."""

from __future__ import annotations

import collections
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from ordersmith import driver
from ordersmith.uow import Database


@pytest.fixture
def pg(db: Database) -> Iterator[Database]:
    if db.settings.is_sqlite:
        pytest.skip("the driver path is PostgreSQL's (SQLite's statements run in-process)")
    with db.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE driver_probe (code text PRIMARY KEY, n int)")
    yield db
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE driver_probe")


def test_rows_come_back_as_made_and_a_statement_without_rows_gives_none(pg: Database) -> None:
    # given
    row = collections.namedtuple("row", ["code", "n"])
    with pg.engine.begin() as conn:
        # when
        written = driver.fetch(
            conn, "INSERT INTO driver_probe VALUES (%(a)s, 1), (%(b)s, 2)", {"a": "A", "b": "B"}
        )
        read = driver.fetch(conn, "SELECT code, n FROM driver_probe ORDER BY code", {}, row._make)
        counted = driver.fetch(conn, "SELECT count(*) FROM driver_probe", {})
    # then
    assert written == []
    assert read == [row("A", 1), row("B", 2)]
    assert read[1].n == 2
    assert driver.scalar(counted) == 2
    assert driver.scalar([]) is None


def test_statements_fire_the_engines_cursor_events(pg: Database) -> None:
    # given: a counter as the benchmark and the statement tests attach one
    seen: list[tuple[str, str]] = []

    def before(*args: Any) -> None:
        seen.append(("before", args[2]))

    def after(*args: Any) -> None:
        seen.append(("after", args[2]))

    sa.event.listen(pg.engine, "before_cursor_execute", before)
    sa.event.listen(pg.engine, "after_cursor_execute", after)
    try:
        # when
        with pg.engine.begin() as conn:
            driver.fetch(conn, "SELECT 1", {})
    finally:
        sa.event.remove(pg.engine, "before_cursor_execute", before)
        sa.event.remove(pg.engine, "after_cursor_execute", after)
    # then
    assert [event for event in seen if event[1] == "SELECT 1"] == [
        ("before", "SELECT 1"),
        ("after", "SELECT 1"),
    ]


def test_a_database_error_is_raised_as_sqlalchemys_and_the_transaction_rolls_back(
    pg: Database,
) -> None:
    # given
    with pg.engine.begin() as conn:
        driver.fetch(conn, "INSERT INTO driver_probe VALUES ('A', 1)", {})

    # when: a new row, then the same key again, in one transaction
    def twice() -> None:
        with pg.engine.begin() as conn:
            driver.fetch(conn, "INSERT INTO driver_probe VALUES ('B', 2)", {})
            driver.fetch(conn, "INSERT INTO driver_probe VALUES ('A', 3)", {})

    with pytest.raises(sa.exc.IntegrityError) as caught:
        twice()
    # then: the driver's error is kept as orig, and nothing of the transaction stays
    assert type(caught.value.orig).__name__ == "UniqueViolation"
    assert "driver_probe" in str(caught.value)
    with pg.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT code FROM driver_probe").scalars().all() == ["A"]


def test_a_long_statement_of_many_parameters_runs_as_written(pg: Database) -> None:
    # given: more parameters (60) and a longer text (> 4 KiB) than psycopg keeps
    # parsed, one name used twice and a literal percent sign
    names = [f"p{i}" for i in range(60)]
    padding = " ".join(f"/* {'x' * 60} */" for _ in range(70))
    sql = (
        f"SELECT {' + '.join(f'%({n})s::int' for n in names)} + %(p0)s::int AS total, "
        f"'100%%' AS sign {padding}"
    )
    values = {n: i for i, n in enumerate(names)}
    with pg.engine.begin() as conn:
        # when: run twice, so that the second run takes the kept conversion
        first = driver.fetch(conn, sql, values)
        second = driver.fetch(conn, sql, {**values, "p0": 10})
    # then
    assert len(sql) > 4096
    assert first == [(sum(range(60)), "100%")]
    assert second == [(sum(range(60)) + 20, "100%")]


def test_a_missing_parameter_is_refused_before_anything_is_sent(pg: Database) -> None:
    # given
    seen: list[str] = []

    def before(*args: Any) -> None:
        seen.append(args[2])

    sa.event.listen(pg.engine, "before_cursor_execute", before)
    try:
        # when / then
        with pg.engine.begin() as conn, pytest.raises(KeyError, match="code"):
            driver.fetch(conn, "SELECT %(code)s::text", {"other": 1})
    finally:
        sa.event.remove(pg.engine, "before_cursor_execute", before)
    assert "SELECT %(code)s::text" not in seen
