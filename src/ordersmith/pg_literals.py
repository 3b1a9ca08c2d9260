"""The text of PostgreSQL array literals (``{a,"b c",NULL}``), written per column shape.

``ordersmith.pg_arrays`` sends each column of a set-based statement as one array
literal. A column's values, already through their column type's bind processing, are
written here by the column's shape: a whole column in a few C-level joins and scans
(``COLUMN_WRITERS``), or a single value, for a table of one row (``VALUE_WRITERS``,
which writes what the column writer would for ``[value]``).
"""

from __future__ import annotations

import enum
import json
import operator
import uuid
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any


class Shape(enum.Enum):
    """How a column's (processed) values are written into its literal."""

    BARE = "bare"  # numbers: str(value)
    UUID = "uuid"  # ids: their 32 hex digits, written by _uuids
    TEXT = "text"  # strings: quoted, quotes and backslashes escaped
    TIME = "time"  # dates and datetimes: their ISO form, quoted
    JSON = "json"  # JSON documents: their text, quoted
    ANY = "any"  # anything else: by the value's own type (_element)


def _bare(values: Sequence[Any]) -> str:
    """Ids and numbers as they print; a None as NULL."""
    body = ",".join(map(str, values))
    if "N" in body:  # a None ("None"), or a Decimal NaN: value by value
        return ",".join(map(_one_bare, values))
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
        return ",".join(map(_one_text, values))
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
    return ",".join(map(_one_time, values))


_json = json.JSONEncoder().encode  # json.dumps's own defaults, without its call


def _json_documents(values: Sequence[Any]) -> str:
    """Each value's JSON text, quoted (a None is the JSON null). The documents are
    joined with NUL, which JSON text never holds (``ensure_ascii`` escapes every
    control character), escaped in one pass and split again."""
    joined = "\x00".join(map(_json, values))
    escaped = joined.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\x00", '","') + '"'


def _any(values: Sequence[Any]) -> str:
    return ",".join(map(_element, values))


COLUMN_WRITERS: dict[Shape, Callable[[Sequence[Any]], str]] = {
    Shape.BARE: _bare,
    Shape.UUID: _uuids,
    Shape.TEXT: _text,
    Shape.TIME: _time,
    Shape.JSON: _json_documents,
    Shape.ANY: _any,
}


def _one_bare(value: Any) -> str:
    return "NULL" if value is None else str(value)


def _one_uuid(value: Any) -> str:
    if type(value) is uuid.UUID:
        return f"{value.int:032x}"
    return _one_bare(value)


def _one_text(value: Any) -> str:
    return "NULL" if value is None else _quoted(value)


def _one_time(value: Any) -> str:
    if value is None:
        return "NULL"
    return '"' + (value if isinstance(value, str) else value.isoformat()) + '"'


def _one_json(value: Any) -> str:
    return _quoted(_json(value))


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


VALUE_WRITERS: dict[Shape, Callable[[Any], str]] = {
    Shape.BARE: _one_bare,
    Shape.UUID: _one_uuid,
    Shape.TEXT: _one_text,
    Shape.TIME: _one_time,
    Shape.JSON: _one_json,
    Shape.ANY: _element,
}
