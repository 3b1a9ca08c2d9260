"""``pg_arrays``: the text of a column's literal, written by its shape's fast path or
value by value, is the same."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from ordersmith import pg_arrays
from ordersmith.db import Fixed, UtcDateTime


def test_ids_are_written_as_their_hex_digits_whether_repeated_distinct_or_single() -> None:
    # given: distinct ids, one id repeated, a single id
    column = pg_arrays.array_column("ids", sa.Uuid())
    distinct = [uuid.uuid4() for _ in range(5)]
    for values in (distinct, [distinct[0]] * 3, distinct[:1]):
        # when
        literal = column.literal(values)
        # then
        assert literal == "{" + ",".join(v.hex for v in values) + "}"


def test_ids_with_a_null_among_them_are_written_one_by_one() -> None:
    # given
    column = pg_arrays.array_column("ids", sa.Uuid())
    one = uuid.uuid4()
    # when / then
    assert column.literal([one, None]) == "{" + str(one) + ",NULL}"


def test_one_object_in_every_row_is_written_once_and_repeated_as_each_would_be() -> None:
    # given: a column type that processes each value (a timezone-aware time), the same
    # datetime object in every row, and an equal but distinct one in a last row
    column = pg_arrays.array_column("at", UtcDateTime())
    at = datetime(2026, 11, 30, 2, 30, tzinfo=UTC)
    equal = datetime(2026, 11, 30, 2, 30, tzinfo=UTC)
    # when
    repeated, mixed = column.literal([at] * 3), column.literal([at, at, equal])
    # then
    assert repeated == mixed == "{" + ",".join(['"2026-11-30T02:30:00+00:00"'] * 3) + "}"


def test_a_naive_time_repeated_in_every_row_is_still_refused() -> None:
    # given
    column = pg_arrays.array_column("at", UtcDateTime())
    naive = datetime(2026, 11, 30, 2, 30)
    # when / then
    with pytest.raises(ValueError, match="naive datetime"):
        column.literal([naive] * 4)


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


ONE_ROW_CASES = [
    (sa.Uuid(), [uuid.uuid4(), None]),
    (sa.BigInteger(), [0, -7, None]),
    (Fixed(4), [Decimal("12.50"), Decimal("0"), None]),
    (sa.Text(), ['a"b', "c\\d", "", "NULL", None]),
    (UtcDateTime(), [datetime(2026, 11, 30, 2, 30, tzinfo=UTC), None]),
    (sa.JSON(), [{"a": 'q"uote', "b": [1, None]}, None, "text"]),
    (sa.Boolean(), [True, False, None]),
]


@pytest.mark.parametrize(("column_type", "values"), ONE_ROW_CASES)
def test_one_row_is_written_as_a_column_of_one_value_would_be(
    column_type: sa.types.TypeEngine[object], values: list[object]
) -> None:
    # given
    column = pg_arrays.array_column("v", column_type)
    for value in values:
        # when: the one-row path
        literal = column.literal([value])
        # then: what the shape's column writer gives for that one value
        processed = column.process(value) if column.process is not None else value
        assert literal == "{" + column.body([processed]) + "}"


def test_a_naive_time_alone_is_still_refused() -> None:
    # given
    column = pg_arrays.array_column("at", UtcDateTime())
    # when / then
    with pytest.raises(ValueError, match="naive datetime"):
        column.literal([datetime(2026, 11, 30, 2, 30)])
