"""``pg_arrays``: the text of a column's literal, written by its shape's fast path or
value by value, is the same."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
import sqlalchemy as sa

from ordersmith import pg_arrays
from ordersmith.db import Fixed


def test_ids_are_written_as_str_writes_them_whether_repeated_distinct_single_or_null() -> None:
    # given: distinct ids, one id repeated, a single id, and ids with a NULL
    column = pg_arrays.array_column("ids", sa.Uuid())
    distinct = [uuid.uuid4() for _ in range(5)]
    for values in (distinct, [distinct[0]] * 3, distinct[:1], [distinct[0], None]):
        # when
        literal = column.literal(values)
        # then
        assert literal == "{" + ",".join("NULL" if v is None else str(v) for v in values) + "}"


def test_strings_are_escaped_one_by_one_as_a_whole_column_is() -> None:
    # given: strings to escape, and the same with a NUL inside one (written one by one)
    column = pg_arrays.array_column("texts", sa.Text())
    texts = ['a"b', "c\\d", "", "NULL", "{,}"]
    for values in (texts, [*texts, "nul\x00inside"]):
        # when
        literal = column.literal(values)
        # then
        expected = ('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
        assert literal == "{" + ",".join(expected) + "}"


@pytest.mark.parametrize(
    ("values", "literal"),
    [
        ([Decimal("12.3400"), Decimal("-0.0001")], "{12.3400,-0.0001}"),
        ([Decimal("1.00000"), Decimal("1E+2"), 7, None], "{1.00000,1E+2,7,NULL}"),
    ],
)
def test_amounts_are_written_as_printed_whether_checked_as_a_column_or_one_by_one(
    values: list[object], literal: str
) -> None:
    # given: a Fixed(4) column
    column = pg_arrays.array_column("amounts", Fixed(4))
    # when / then
    assert column.literal(values) == literal


def test_an_amount_too_fine_among_plain_ones_is_refused() -> None:
    # given: plain amounts and one of 5 places
    column = pg_arrays.array_column("amounts", Fixed(4))
    # when / then
    with pytest.raises(ValueError, match="more than 4 decimals"):
        column.literal([Decimal("1.5"), Decimal("0.00001")])
