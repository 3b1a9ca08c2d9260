"""PostgreSQL: a rollback that keeps the connection's prepared statements (ADR 0046).

psycopg's ``Connection.rollback()`` forgets every statement it prepared on the
connection and sends ``DEALLOCATE ALL`` (a conservative choice: a rolled-back
transaction may have dropped or altered what a statement refers to). In Ordersmith
every read-only unit of work ends with a rollback (``Database.reader``), and so does
every refused order, so the statements of order placement were prepared again and
again: after each rollback the next five executions of each ran unprepared
(``prepare_threshold``), each parsed, analysed and planned anew (measured on the
benchmark's data: 1.9 ms instead of 0.46 ms for placement's prices-and-stock read),
and the rollback cost a second round trip for the ``DEALLOCATE ALL``.

Here the engine's ``rollback`` event (and the pool's ``reset``, for a connection given
back inside a transaction) sends ``ROLLBACK`` on the libpq connection itself
(``PGconn.exec_``, psycopg's public low-level API) just before SQLAlchemy calls
``rollback()``, which then finds no transaction and returns at once. The server keeps
its prepared statements across a rollback (they belong to the session, not the
transaction), and Ordersmith's units of work run no DDL, so psycopg's cache stays
true. If the libpq call fails (a lost connection), psycopg's own rollback runs as
before and raises.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import pq
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine


def keep_prepared_statements(engine: Engine) -> None:
    """Have ``engine``'s rollbacks keep psycopg's prepared statements: those of a
    ``Connection`` (a unit of work's end or failure) and the pool's reset of a
    connection given back inside a transaction."""
    event.listen(engine, "rollback", _on_rollback)
    event.listen(engine, "reset", _on_reset)


def _on_rollback(conn: Connection) -> None:
    if conn.closed or conn.invalidated:
        return  # SQLAlchemy rolls back nothing on such a connection
    _rollback_on_libpq(conn.connection.driver_connection)


def _on_reset(dbapi_connection: Any, _record: Any, _state: Any) -> None:
    _rollback_on_libpq(getattr(dbapi_connection, "driver_connection", dbapi_connection))


def _rollback_on_libpq(driver: Any) -> None:
    pgconn = driver.pgconn
    if pgconn.transaction_status not in _IN_TRANSACTION:
        return  # idle, or the connection is lost: psycopg's rollback deals with it
    try:
        pgconn.exec_(b"ROLLBACK")
    except psycopg.Error:
        return  # psycopg's rollback, which follows, finds out and raises


_IN_TRANSACTION = frozenset({pq.TransactionStatus.INTRANS, pq.TransactionStatus.INERROR})
