"""Opaque keyset cursors: base64 of the sort key of the last row of a page."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime
from typing import Any

from ordersmith import clock
from ordersmith.errors import FieldError, ValidationFailed
from ordersmith.validation import whole_number

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps([str(v) for v in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


MAX_CURSOR_LENGTH = 512  # ours are ~100 characters; anything longer was not made here


def decode_cursor(cursor: str, size: int) -> list[str]:
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise ValidationFailed("the cursor is not one this API returned", code="invalid_cursor")
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ValidationFailed(
            "the cursor is not one this API returned", code="invalid_cursor"
        ) from exc
    if (
        not isinstance(values, list)
        or len(values) != size
        or not all(isinstance(v, str) for v in values)
    ):
        raise ValidationFailed("the cursor is not one this API returned", code="invalid_cursor")
    return values


def decode_number_cursor(cursor: str) -> int:
    """A positive whole-number keyset cursor (an order's version): ASCII digits that fit
    an INTEGER column, else ``invalid_cursor``."""
    (raw,) = decode_cursor(cursor, 1)
    number = whole_number(raw)
    if not number:
        raise ValidationFailed("the cursor is not one this API returned", code="invalid_cursor")
    return number


def encode_time_cursor(at: datetime, row_id: uuid.UUID) -> str:
    return encode_cursor([at.isoformat(), row_id])


def decode_time_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """A (created_at, id) keyset cursor, as returned by newest-first lists."""
    at, row_id = decode_cursor(cursor, 2)
    try:
        at_time, parsed_id = datetime.fromisoformat(at), uuid.UUID(row_id)
        if at_time.tzinfo is None:
            raise ValueError("cursor time without a time zone")
        return clock.as_utc(at_time), parsed_id
    except (ValueError, OverflowError) as exc:
        raise ValidationFailed(
            "the cursor is not one this API returned", code="invalid_cursor"
        ) from exc


def utc_filter(name: str, value: datetime | None) -> datetime | None:
    """A date-time query parameter in UTC (naive means UTC); a clear error for a time that
    has no UTC equivalent (the first or last day of the calendar with an offset)."""
    if value is None:
        return None
    try:
        return clock.as_utc(value)
    except OverflowError as exc:
        raise ValidationFailed(
            f"{name} is outside the range of dates that can be compared",
            fields=[FieldError(name, "out of range")],
        ) from exc
