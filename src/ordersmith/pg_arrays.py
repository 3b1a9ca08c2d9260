"""PostgreSQL statements fed by arrays: one text parameter per column, one SQL text.

A set-based statement of many rows (``INSERT … SELECT * FROM unnest(…)``, ``UPDATE …
FROM unnest(…)``) takes each column as **one array literal** (``{a,b,c}``) sent as text
and cast on the server (``%(col)s::UUID[]``):

- the SQL text is the same for any number of rows, so it is prepared on the server
  after a few runs; it goes to psycopg in positional form (``ordersmith.driver``), so a
  statement of several tables may take a parameter per column (ADR 0045);
- building the literal is one string join per column; a Python list would be dumped by
  the driver element by element (measured: most of the parameter cost of placement);
- the statements are driver-level SQL (``ordersmith.driver``): nothing is
  compiled or bound per call, and SQLAlchemy's events still see them.

Every value first goes through its column type's own bind processing, as on the VALUES
path: an enum's check, ``Fixed``'s refusal of extra decimals, ``UtcDateTime``'s refusal
of a naive datetime; a refused value raises ``StatementError`` before anything is sent.
A type may vouch for a whole column at once instead (``Fixed.passes_unchanged``: plain
Decimals of few enough places), sparing a Python call per value; otherwise each value
is processed. A column is written by its shape in a few C-level joins and scans.
Types are cast without length or scale: an explicit cast to ``VARCHAR(n)`` would cut a
long string silently, while the column refuses it on assignment. SQLite never comes
here (its statements run in-process).
"""

from __future__ import annotations

import enum
import functools
import json
import operator
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import psycopg
from sqlalchemy.engine import Connection, Dialect

from ordersmith import driver
from ordersmith.row_defaults import left_out_defaults

Process = Callable[[Any], Any]
Rows = Sequence[dict[str, Any]]
Parameters = dict[str, Any]

_TYPMOD = re.compile(r"\([^)]*\)")
_SHORT_NAMES = {"TIMESTAMP WITH TIME ZONE": "TIMESTAMPTZ"}


@functools.cache
def dialect() -> Dialect:
    """The PostgreSQL dialect the column types are compiled for (built on first use)."""
    built: Dialect = psycopg.dialect()  # type: ignore[no-untyped-call]
    return built


class Shape(enum.Enum):
    """How a column's (processed) values are written into its literal."""

    BARE = "bare"  # numbers: str(value)
    UUID = "uuid"  # ids: their 32 hex digits, written by _uuids
    TEXT = "text"  # strings: quoted, quotes and backslashes escaped
    TIME = "time"  # dates and datetimes: their ISO form, quoted
    JSON = "json"  # JSON documents: their text, quoted
    ANY = "any"  # anything else: by the value's own type (_element)


@dataclass(frozen=True, slots=True)
class ArrayColumn:
    """One column of an ``unnest``: its parameter name, SQL element type, the column
    type's bind processing (if any) and how its values are written into the literal."""

    key: str
    sql_type: str
    shape: Shape
    process: Process | None = None
    unchanged: Callable[[Sequence[Any], str], bool] | None = None
    """The column type's cheap check, on a column's values and their text, that its
    processing would give back each value as is (``Fixed.passes_unchanged``)."""
    body: Callable[[Sequence[Any]], str] = field(init=False, repr=False, compare=False)
    """The shape's writer of processed values (what goes between the braces)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "body", _BODIES[self.shape])

    @property
    def sql(self) -> str:
        return f"%({self.key})s::{self.sql_type}[]"

    def literal(self, values: Sequence[Any]) -> str:
        """``{…}``: a few C-level joins and scans per column, no Python call per value
        (but the column type's bind processing, when it has one to do)."""
        if not values:
            return "{}"
        return "{" + self._written(values) + "}"

    def _written(self, values: Sequence[Any]) -> str:
        """The values processed by the column type and written by the shape; a column
        holding one object in every row (the order's id, its time, the actor) is
        written once and repeated."""
        if len(values) > 1 and len({*map(id, values)}) == 1:
            return ",".join([self._each(values[:1])] * len(values))
        return self._each(values)

    def _each(self, values: Sequence[Any]) -> str:
        process = self.process
        if process is None:
            return self.body(values)
        if self.unchanged is not None:  # a number's text, checked as a whole
            written = self.body(values)
            if self.unchanged(values, written):
                return written
        return self.body(list(map(process, values)))


def array_column(key: str, column_type: sa.types.TypeEngine[Any]) -> ArrayColumn:
    """The array column of a value of ``column_type`` named ``key``."""
    sql_type = _TYPMOD.sub("", column_type.compile(dialect=dialect()))
    sql_type = _SHORT_NAMES.get(sql_type, sql_type)
    if isinstance(column_type, sa.JSON):  # json.dumps itself (the driver's would wrap it)
        return ArrayColumn(key, sql_type, Shape.JSON)
    process = column_type.dialect_impl(dialect()).bind_processor(dialect())
    shape = _shape(column_type)
    unchanged = getattr(column_type, "passes_unchanged", None) if shape is Shape.BARE else None
    return ArrayColumn(key, sql_type, shape, process, unchanged)


def _shape(column_type: sa.types.TypeEngine[Any]) -> Shape:
    """By the column's type (a decorated type by the type it stores)."""
    if isinstance(column_type, sa.TypeDecorator):
        column_type = column_type.impl_instance
    if isinstance(column_type, sa.Boolean):
        return Shape.ANY
    if isinstance(column_type, sa.Uuid):
        return Shape.UUID
    if isinstance(column_type, sa.Integer | sa.Numeric):
        return Shape.BARE
    if isinstance(column_type, sa.String):  # Enum and Text too
        return Shape.TEXT
    if isinstance(column_type, sa.DateTime | sa.Date):
        return Shape.TIME
    return Shape.ANY


def unnest(columns: Sequence[ArrayColumn]) -> str:
    """``unnest(%(a)s::UUID[], %(b)s::BIGINT[], …)``."""
    return "unnest(" + ", ".join(c.sql for c in columns) + ")"


def run(conn: Connection, sql: str, parameters: Parameters) -> list[tuple[Any, ...]]:
    """Run driver-level ``sql`` on the unit of work's connection; its rows, as tuples
    (ordersmith.driver)."""
    return driver.fetch(conn, sql, parameters)


@dataclass(frozen=True, eq=False)  # one per (table, keys, parameter), compared by identity
class UnnestInsert:
    """``INSERT INTO t (…) SELECT … FROM unnest(…)`` for rows of given keys.

    Each column's literal is a parameter of its own, named after the statement's
    ``parameter`` and the column's place (``t0_1``, ``t0_2``, …), so that several such
    statements can share one text. (Packing them into one ``text[]`` parameter made the
    server parse every value twice: ~15% of the order write's PostgreSQL time, ADR 0045.)"""

    sql: str
    """The statement's text, to run alone or inside a CTE."""
    keys: tuple[str, ...]
    """The rows' keys, in the columns' order."""
    columns: tuple[ArrayColumn, ...]
    """The rows' columns, then the columns the rows leave out."""
    defaults: dict[str, Any]
    """The scalar Python-side defaults of the columns the rows leave out."""
    _values_of: Callable[[dict[str, Any]], tuple[Any, ...]] = field(init=False, repr=False)
    _default_values: tuple[Any, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_values_of", _values_of(self.keys))
        object.__setattr__(self, "_default_values", tuple(self.defaults.values()))

    def parameters(self, rows: Rows) -> dict[str, str]:
        """The columns' literals of ``rows``; a value its column refuses raises
        ``StatementError``, as SQLAlchemy would on the VALUES path."""
        n = len(rows)
        try:
            given = (
                list(zip(*map(self._values_of, rows), strict=True)) if n else [()] * len(self.keys)
            )
            given += [(d,) * n for d in self._default_values]
            return {c.key: c.literal(v) for c, v in zip(self.columns, given, strict=True)}
        except (ValueError, TypeError, AttributeError) as exc:  # a value of the wrong kind
            raise sa.exc.StatementError(str(exc), self.sql, None, exc) from exc


def _values_of(keys: Sequence[str]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """A row's values of ``keys``, as a tuple (``itemgetter``, in C, from two keys)."""
    if len(keys) > 1:
        return operator.itemgetter(*keys)
    return lambda row: tuple(row[key] for key in keys)


@functools.cache
def unnest_insert(
    table: sa.Table, keys: tuple[str, ...], parameter: str = "rows"
) -> UnnestInsert | None:
    """The array INSERT of ``table`` for rows of these keys, taking their columns as
    ``parameter_1``, ``parameter_2``, …; None when a key is no column or a column left
    out has a callable Python-side default (only ``sa.insert`` runs it)."""
    defaults = left_out_defaults(table, keys)
    if defaults is None:
        return None
    table_columns = [table.c[key] for key in (*keys, *defaults)]
    columns = tuple(
        array_column(f"{parameter}_{i}", c.type) for i, c in enumerate(table_columns, 1)
    )
    quote = dialect().identifier_preparer
    names = ", ".join(quote.quote(c.name) for c in table_columns)
    sql = (
        f"INSERT INTO {quote.format_table(table)} ({names}) SELECT r.* FROM {unnest(columns)} AS r"
    )
    return UnnestInsert(sql, keys, columns, defaults)


Batch = tuple[sa.Table, Rows]


@dataclass(frozen=True, slots=True)
class Rider:
    """Data-modifying CTEs that ride on another statement (``insert_together``): their
    text, their parameters, and ``count``, an expression of them whose value the
    statement returns and which must equal ``expected``."""

    ctes: str
    parameters: dict[str, Any]
    count: str
    expected: int


def insert_together(
    batches: Sequence[Batch], rider: Rider | None = None
) -> tuple[str, dict[str, Any]] | None:
    """One statement inserting every batch (``WITH a AS (INSERT …), … INSERT …``) and its
    parameters (one per batch); None when a batch cannot go through arrays. Foreign keys
    are checked at the statement's end, so an order and its lines can be written
    together. With a ``rider``, its CTEs come first and the statement returns its
    ``count``."""
    plans: list[tuple[UnnestInsert, Rows]] = []
    for i, (table, rows) in enumerate(batches):
        keys = tuple(rows[0])
        plan = unnest_insert(table, keys, f"t{i}")
        if plan is None or any(len(row) != len(keys) for row in rows):
            return None
        plans.append((plan, rows))
    parameters: dict[str, Any] = dict(rider.parameters) if rider else {}
    for plan, rows in plans:
        parameters.update(plan.parameters(rows))
    together = tuple(plan for plan, _rows in plans)
    if rider is None:
        return _together(together), parameters
    return _together_carrying(together, rider.ctes, rider.count), parameters


@functools.cache
def _together(plans: tuple[UnnestInsert, ...]) -> str:
    *first, last = plans
    ctes = ", ".join(f"i{i} AS ({plan.sql})" for i, plan in enumerate(first))
    return f"WITH {ctes} {last.sql}" if ctes else last.sql


@functools.cache
def _together_carrying(plans: tuple[UnnestInsert, ...], ctes: str, count: str) -> str:
    inserts = ", ".join(f"i{i} AS ({plan.sql})" for i, plan in enumerate(plans))
    return f"WITH {ctes}, {inserts} SELECT {count}"


def _bare(values: Sequence[Any]) -> str:
    """Ids and numbers as they print; a None as NULL."""
    body = ",".join(map(str, values))
    if "N" in body:  # a None ("None"), or a Decimal NaN: value by value
        return ",".join(["NULL" if v is None else str(v) for v in values])
    return body


_UUID_ONLY = {uuid.UUID}
_INT = operator.attrgetter("int")


def _uuids(values: Sequence[Any]) -> str:
    """Ids as 32 hex digits, without hyphens (PostgreSQL's ``uuid`` input takes both
    forms; this one is written in C-level calls only); anything but UUIDs as _bare."""
    if {*map(type, values)} != _UUID_ONLY:
        return _bare(values)
    return ",".join(map("%032x".__mod__, map(_INT, values)))


def _text(values: Sequence[Any]) -> str:
    """Strings quoted, their quotes and backslashes escaped; a None as NULL.

    The strings are joined with NUL, escaped in one pass each and split again by
    NUL: when no string holds a NUL itself (PostgreSQL text never does), it is the
    same as escaping each string."""
    if None in values:  # value by value
        return ",".join(["NULL" if v is None else _quoted(v) for v in values])
    try:
        joined = "\x00".join(values)
    except TypeError:  # a value that is no string: refused by _quoted
        return ",".join([_quoted(v) for v in values])
    if joined.count("\x00") != len(values) - 1:  # a string holds a NUL
        return ",".join([_quoted(v) for v in values])
    escaped = joined.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\x00", '","') + '"'


def _time(values: Sequence[Any]) -> str:
    """Dates and datetimes in their ISO form, quoted; a None as NULL."""
    if None not in values:
        try:
            return '"' + '","'.join([v.isoformat() for v in values]) + '"'
        except AttributeError:  # a value already text: value by value
            pass
    return ",".join(
        [
            "NULL" if v is None else '"' + (v if isinstance(v, str) else v.isoformat()) + '"'
            for v in values
        ]
    )


_json = json.JSONEncoder().encode  # json.dumps's own defaults, without its call


def _json_documents(values: Sequence[Any]) -> str:
    """Each value's JSON text, quoted (a None is the JSON null). The documents are
    joined with NUL, which JSON text never holds (``ensure_ascii`` escapes every
    control character), escaped in one pass and split again."""
    joined = "\x00".join(map(_json, values))
    escaped = joined.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\x00", '","') + '"'


def _any(values: Sequence[Any]) -> str:
    return ",".join([_element(v) for v in values])


_BODIES: dict[Shape, Callable[[Sequence[Any]], str]] = {
    Shape.BARE: _bare,
    Shape.UUID: _uuids,
    Shape.TEXT: _text,
    Shape.TIME: _time,
    Shape.JSON: _json_documents,
    Shape.ANY: _any,
}


def _element(value: Any) -> str:
    """One element of an array literal: NULL, a bare number or id, or a quoted text."""
    if value is None:
        return "NULL"
    kind = type(value)
    if kind is str:
        return _quoted(value)
    if kind is int or kind is uuid.UUID or kind is Decimal:
        return str(value)
    if kind is bool:
        return "t" if value else "f"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, datetime | date):
        return '"' + value.isoformat() + '"'
    if isinstance(value, str):
        return _quoted(value)
    raise TypeError(f"no array element for a {kind.__name__}")


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
