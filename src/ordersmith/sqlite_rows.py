"""Many rows into one SQLite table through the driver's own ``executemany``.

SQLite runs in-process, so a statement costs no round trip, only CPU: what is worth
saving is Python's. SQLAlchemy's "insertmanyvalues" renders a multi-row VALUES for each
batch in Python; ``sqlite3``'s ``executemany`` loops over the rows in C with one
prepared statement. Every value first goes through its column type's own bind
processing for SQLite, as on SQLAlchemy's path: an id as its 32 hex digits, ``Fixed``
as a scaled integer (refusing extra decimals), ``UtcDateTime`` as naive UTC (refusing a
naive datetime), an enum's check, JSON as its text. A refused value raises
``StatementError`` before anything is written.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.sqlite import pysqlite
from sqlalchemy.engine import Connection, Dialect

from ordersmith.row_defaults import left_out_defaults

Process = Callable[[Any], Any]


@functools.cache
def dialect() -> Dialect:
    """The SQLite dialect whose bind processing the values go through."""
    built: Dialect = pysqlite.dialect()
    return built


@dataclass(frozen=True, eq=False)
class SqliteInsert:
    """``INSERT INTO t (…) VALUES (?, …)`` for rows of given keys."""

    sql: str
    keys: tuple[str, ...]
    processes: tuple[Process | None, ...]
    defaults: tuple[Any, ...]
    """The scalar Python-side defaults of the columns the rows leave out, in order."""

    def run(self, conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
        try:
            columns: list[Sequence[Any]] = []
            for key, process in zip(self.keys, self.processes, strict=False):
                values = [row[key] for row in rows]
                columns.append(values if process is None else [process(v) for v in values])
            for default, process in zip(
                self.defaults, self.processes[len(self.keys) :], strict=True
            ):
                value = default if process is None else process(default)
                columns.append([value] * len(rows))
        except (ValueError, TypeError) as exc:
            raise sa.exc.StatementError(str(exc), self.sql, None, exc) from exc
        conn.exec_driver_sql(self.sql, list(zip(*columns, strict=True)))


@functools.cache
def sqlite_insert(table: sa.Table, keys: tuple[str, ...]) -> SqliteInsert | None:
    """The insert of ``table`` for rows of these keys; None when a key is no column or
    a column left out has a callable Python-side default (only ``sa.insert`` runs it)."""
    defaults = left_out_defaults(table, keys)
    if defaults is None:
        return None
    columns = [table.c[key] for key in (*keys, *defaults)]
    processes = tuple(c.type.dialect_impl(dialect()).bind_processor(dialect()) for c in columns)
    quote = dialect().identifier_preparer
    names = ", ".join(quote.quote(c.name) for c in columns)
    marks = ", ".join("?" for _c in columns)
    sql = f"INSERT INTO {quote.format_table(table)} ({names}) VALUES ({marks})"
    return SqliteInsert(sql, keys, processes, tuple(defaults.values()))
