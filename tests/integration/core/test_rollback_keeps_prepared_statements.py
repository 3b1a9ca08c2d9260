"""On PostgreSQL a rollback undoes the transaction but keeps the connection's prepared
statements (``ordersmith.pg_rollback``, ADR 0046): psycopg's own rollback deallocated
them all, so every read-only unit of work and every refused order made the next ones
parse and plan their statements again."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from ordersmith.db import make_engine

PROBE = "SELECT count(*) FROM number_series WHERE name = %(series)s"


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.Engine]:
    if database_url.startswith("sqlite"):
        pytest.skip("prepared statements are PostgreSQL's (psycopg prepares them)")
    built = make_engine(database_url, pool_size=1)
    yield built
    built.dispose()


def _prepare_probe(conn: sa.Connection) -> None:
    """Run the probe often enough for psycopg to prepare it (after 5 runs)."""
    for _ in range(7):
        conn.exec_driver_sql(PROBE, {"series": "RB-TEST"}).scalar_one()


def _probe_prepared(conn: sa.Connection) -> bool:
    statements = conn.exec_driver_sql("SELECT statement FROM pg_prepared_statements").scalars()
    return any(s.startswith("SELECT count(*) FROM number_series") for s in statements)


def _series_written(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.exec_driver_sql(PROBE, {"series": "RB-TEST"}).scalar_one())


def test_a_rollback_undoes_the_write_and_keeps_the_prepared_statements(
    engine: sa.Engine,
) -> None:
    # given: a transaction that ran a statement often enough for psycopg to prepare it,
    # and wrote a row
    with engine.connect() as conn:
        _prepare_probe(conn)
        conn.exec_driver_sql("INSERT INTO number_series (name, next_value) VALUES ('RB-TEST', 1)")
        # when
        conn.rollback()
        # then: the statement is still prepared on the server (and the row is gone)
        assert _probe_prepared(conn)
    assert _series_written(engine) == 0


def test_a_transaction_failed_by_an_error_is_rolled_back_and_the_connection_is_reused(
    engine: sa.Engine,
) -> None:
    # given: a transaction aborted by an error, after a statement was prepared
    with engine.connect() as conn:
        _prepare_probe(conn)
        with pytest.raises(sa.exc.DataError):
            conn.exec_driver_sql("SELECT 1 / 0")
        # when
        conn.rollback()
        # then: the connection works again, its statement still prepared
        assert conn.exec_driver_sql(PROBE, {"series": "RB-TEST"}).scalar_one() == 0
        assert _probe_prepared(conn)


def test_a_connection_given_back_to_the_pool_inside_a_transaction_keeps_them_too(
    engine: sa.Engine,
) -> None:
    # given: a pooled connection that prepared a statement inside a transaction
    raw = engine.raw_connection()
    cursor = raw.cursor()
    for _ in range(7):
        cursor.execute("SELECT count(*) FROM number_series WHERE name = %s", ["RB-TEST"])
        cursor.fetchall()
    # when: it goes back to the pool without a commit (the pool's reset rolls it back)
    raw.close()
    # then: the pool's one connection still has the statement prepared
    with engine.connect() as conn:
        assert _probe_prepared(conn)
