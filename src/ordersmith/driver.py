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

The text is written with named parameters (``%(name)s``) and sent in PostgreSQL's own
positional form (``$1``) on a ``psycopg.RawCursor`` (ADR 0045): the conversion is done
once per text here, where psycopg's own parses a text of more than 4,096 characters or
50 parameters again on every execute. A statement then takes as many parameters as it
needs (one array per column, ``ordersmith.pg_arrays``) at no cost per call.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import psycopg
import sqlalchemy as sa
from psycopg import pq
from sqlalchemy.engine import Connection

RowMaker = Callable[[Sequence[Any]], Any]
Arguments = Callable[[Mapping[str, Any]], Sequence[Any]]

_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")


def fetch(
    conn: Connection, sql: str, parameters: Mapping[str, Any], make: RowMaker | None = None
) -> list[Any]:
    """Run ``sql`` (psycopg's ``%(name)s`` style) in ``conn``'s transaction; its rows,
    each made by ``make`` from the row's values (a tuple without it), or [] when the
    statement returns none."""
    driver = conn.connection.driver_connection
    assert isinstance(driver, psycopg.Connection), "a PostgreSQL (psycopg) connection"
    dispatch = conn.dispatch
    text, arguments = positional(sql)
    values = arguments(parameters)
    cursor = (
        psycopg.RawCursor(driver)
        if make is None
        else psycopg.RawCursor(driver, row_factory=lambda _c: make)
    )
    with cursor:
        dispatch.before_cursor_execute(conn, cursor, sql, parameters, None, False)
        try:
            cursor.execute(text, values)
            result = cursor.pgresult
            rows = cursor.fetchall() if result and result.status == pq.ExecStatus.TUPLES_OK else []
        except psycopg.Error as exc:
            raise sa.exc.DBAPIError.instance(
                sql, dict(parameters), exc, psycopg.Error, dialect=conn.dialect
            ) from exc
        dispatch.after_cursor_execute(conn, cursor, sql, parameters, None, False)
    return rows


@functools.lru_cache(maxsize=256)
def positional(sql: str) -> tuple[str, Arguments]:
    """``sql`` with its named parameters as ``$1``, ``$2``, … (a name used twice is one
    number) and ``%%`` as ``%``, and the function giving a mapping's values in that
    order. Raises ``KeyError`` at the call for a parameter the mapping lacks."""
    names: dict[str, int] = {}

    def number(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:
            return "%"
        return f"${names.setdefault(name, len(names) + 1)}"

    text = _PLACEHOLDER.sub(number, sql)
    order = list(names)
    if len(order) > 1:
        return text, operator.itemgetter(*order)
    if order:
        (only,) = order
        return text, lambda parameters: (parameters[only],)
    return text, lambda _parameters: ()


def scalar(rows: Sequence[Sequence[Any]]) -> Any:
    """The first column of the first row of ``rows``; None without rows."""
    return rows[0][0] if rows else None
