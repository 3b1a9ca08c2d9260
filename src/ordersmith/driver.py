"""PostgreSQL hot-path statements run on the connection's own psycopg cursor (ADR 0043).

``Connection.exec_driver_sql`` builds a ``CursorResult`` for every call: its metadata is
made from the cursor's description, for which psycopg makes a ``Column`` per column.
For placement's reads of ~20 columns that was the largest cost of a statement in the
application, larger than sending it. Here the text runs on the DBAPI connection of the
SQLAlchemy connection (same transaction), and its rows come back as tuples, or as named
tuples of names the caller knew when it built the statement.

What is kept of SQLAlchemy's execution:

- the engine's cursor events, ``before_cursor_execute`` and ``after_cursor_execute``
  (statement counters and timers listen to them; the context argument is None, and a
  ``retval=True`` listener cannot rewrite the statement);
- its exception classes: a psycopg error is raised as the ``sqlalchemy.exc`` error it
  maps to (``IntegrityError`` for a unique violation, ``OperationalError`` for a
  deadlock, …), with the psycopg error as ``orig``.

What is not: result processing (the rows carry psycopg's values, as ``hot_reads``
already promised) and SQLAlchemy's ``handle_error`` hook; a connection lost mid-statement
is found out by the rollback that follows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import psycopg
import sqlalchemy as sa
from psycopg import pq
from sqlalchemy.engine import Connection

RowMaker = Callable[[Sequence[Any]], Any]


def fetch(
    conn: Connection, sql: str, parameters: Mapping[str, Any], make: RowMaker | None = None
) -> list[Any]:
    """Run ``sql`` (psycopg's ``%(name)s`` style) in ``conn``'s transaction; its rows,
    each made by ``make`` from the row's values (a tuple without it), or [] when the
    statement returns none."""
    driver = conn.connection.driver_connection
    assert isinstance(driver, psycopg.Connection), "a PostgreSQL (psycopg) connection"
    dispatch = conn.dispatch
    cursor = driver.cursor() if make is None else driver.cursor(row_factory=lambda _c: make)
    with cursor:
        dispatch.before_cursor_execute(conn, cursor, sql, parameters, None, False)
        try:
            cursor.execute(sql, parameters)
            result = cursor.pgresult
            rows = cursor.fetchall() if result and result.status == pq.ExecStatus.TUPLES_OK else []
        except psycopg.Error as exc:
            raise sa.exc.DBAPIError.instance(
                sql, dict(parameters), exc, psycopg.Error, dialect=conn.dialect
            ) from exc
        dispatch.after_cursor_execute(conn, cursor, sql, parameters, None, False)
    return rows


def scalar(rows: Sequence[Sequence[Any]]) -> Any:
    """The first column of the first row of ``rows``; None without rows."""
    return rows[0][0] if rows else None
