"""Pooled PostgreSQL connections are pinged only after sitting idle (``db.make_engine``):
a connection the server dropped while it waited in the pool is replaced, not used."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from ordersmith.db import make_engine


@pytest.fixture
def postgres(database_url: str) -> str:
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite has no server to drop a connection")
    return database_url


def _backend_pid(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())


@contextmanager
def dropped_while_pooled(url: str, *, ping_after_idle_s: float) -> Iterator[tuple[sa.Engine, int]]:
    """An engine of one pooled connection that the server has just terminated, and
    that connection's backend pid."""
    engine = make_engine(url, pool_size=1, ping_after_idle_s=ping_after_idle_s)
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        dropped = _backend_pid(engine)
        with admin.connect() as conn:
            conn.exec_driver_sql("SELECT pg_terminate_backend(%s)", (dropped,))
        yield engine, dropped
    finally:
        engine.dispose()
        admin.dispose()


def test_a_connection_dropped_while_idle_in_the_pool_is_replaced(postgres: str) -> None:
    # given: an engine whose one pooled connection the server then terminates
    with dropped_while_pooled(postgres, ping_after_idle_s=0.0) as (engine, dropped):
        # when
        replacement = _backend_pid(engine)
        # then: the next transaction runs, on a new connection
        assert replacement != dropped


def test_a_connection_given_back_moments_ago_is_used_without_a_ping(postgres: str) -> None:
    # given: an engine that pings only connections idle for an hour, and one of its
    # connections dropped by the server right after it was given back
    with dropped_while_pooled(postgres, ping_after_idle_s=3600) as (engine, dropped):
        # when / then: it is used as it is (no round trip spent checking it), fails,
        # and the pool replaces it for the next transaction
        with pytest.raises(sa.exc.OperationalError):
            _backend_pid(engine)
        assert _backend_pid(engine) != dropped
