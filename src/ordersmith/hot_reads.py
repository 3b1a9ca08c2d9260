"""Hot reads: fixed SELECTs run at the driver level on PostgreSQL (ADR 0037).

A read that runs on every order placement is written once, as a SQLAlchemy Core select
built by a function of the dialect (``postgresql: bool``). On SQLite, whose statements
run in-process, the select runs as usual. On PostgreSQL its text is compiled once and
run on the psycopg cursor (``ordersmith.driver``, ADR 0043): no compile-cache look-up,
bind or result processing, result metadata, or ``IN`` expansion per call. A list
parameter is one array (``one_of``: ``= ANY(...)`` instead of an expanding ``IN``), so
the text is the same for any number of values and psycopg prepares it once on each
connection.

What the caller gives up on PostgreSQL: the column types' bind processing of the
parameters (they must be values psycopg adapts as the column would: ``uuid.UUID``,
``str``, ``int``, ``date``, aware ``datetime``, lists of those) and result processing
(rows carry psycopg's own values: ``uuid.UUID``, ``Decimal``, ``str`` for enum columns,
aware datetimes in the session's time zone).
"""

from __future__ import annotations

import collections
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection, Dialect

from ordersmith import driver


def one_of(column: sa.ColumnElement[Any], name: str, *, postgresql: bool) -> sa.ColumnElement[bool]:
    """``column`` is one of the list parameter ``name``: an array on PostgreSQL (one
    parameter whatever its length), an expanding ``IN`` elsewhere. The array's element
    type has no length, so a value longer than the column is compared whole, never cut
    to the column's length."""
    if not postgresql:
        return column.in_(sa.bindparam(name, expanding=True))
    element = column.type
    if isinstance(element, sa.String):
        element = sa.String()
    return column == sa.any_(sa.bindparam(name, type_=ARRAY(element)))


Query = sa.Select[Any] | sa.CompoundSelect[Any]


class HotRead:
    """A SELECT built once per dialect; ``rows`` runs it with the given parameters."""

    def __init__(self, build: Callable[[bool], Query]) -> None:
        self._build = build
        self._portable: Query | None = None
        self._driver: tuple[str, dict[str, Any], driver.RowMaker] | None = None

    def rows(self, conn: Connection, params: Mapping[str, Any]) -> Sequence[Any]:
        """The rows, with the statement's column names as attributes: SQLAlchemy rows on
        SQLite, named tuples made by ``ordersmith.driver`` on PostgreSQL."""
        if conn.dialect.name != "postgresql":
            if self._portable is None:
                self._portable = self._build(False)
            return conn.execute(self._portable, dict(params)).all()
        if self._driver is None:
            built = self._build(True)
            names = [str(column.key) for column in built.selected_columns]
            row = collections.namedtuple("HotRow", names, rename=True)  # type: ignore[misc]
            self._driver = (*driver_text(built, conn.dialect), row._make)
        text, constants, make = self._driver
        return driver.fetch(conn, text, {**constants, **params}, make)


def driver_text(statement: Query, dialect: Dialect) -> tuple[str, dict[str, Any]]:
    """The statement's text in the driver's parameter style, and the values of the
    parameters it fixed when it was built (a literal list, a ``LIMIT``), bind-processed."""
    compiled = statement.compile(dialect=dialect)
    given = {key for key, bind in compiled.binds.items() if bind.required}
    expanded = compiled.construct_expanded_state(dict.fromkeys(given))
    constants: dict[str, Any] = {}
    for key, value in expanded.parameters.items():
        if key in given:
            continue
        process = expanded.processors.get(key)
        constants[key] = process(value) if process is not None else value
    return expanded.statement, constants
