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
is processed. A column is written by its shape in a few C-level joins and scans
(``ordersmith.pg_literals``), a table of one row value by value.
Types are cast without length or scale: an explicit cast to ``VARCHAR(n)`` would cut a
long string silently, while the column refuses it on assignment. SQLite never comes
here (its statements run in-process).
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import psycopg
from sqlalchemy.engine import Connection, Dialect

from ordersmith import driver
from ordersmith.pg_literals import COLUMN_WRITERS, VALUE_WRITERS, Shape
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
    one: Callable[[Any], str] = field(init=False, repr=False, compare=False)
    """The shape's writer of one processed value: what ``body`` writes for ``[value]``."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "body", COLUMN_WRITERS[self.shape])
        object.__setattr__(self, "one", VALUE_WRITERS[self.shape])

    @property
    def sql(self) -> str:
        return f"%({self.key})s::{self.sql_type}[]"

    def literal(self, values: Sequence[Any]) -> str:
        """``{…}``: a few C-level joins and scans per column, no Python call per value
        (but the column type's bind processing, when it has one to do)."""
        if len(values) == 1:  # the order's own row, its history, an event: one call
            value = values[0]
            if self.process is not None:
                value = self.process(value)
            return "{" + self.one(value) + "}"
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
