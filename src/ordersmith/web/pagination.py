"""Opaque keyset cursors: base64 of the sort key of the last row of a page."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime
from typing import Any

from ordersmith.errors import ValidationFailed

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps([str(v) for v in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, size: int) -> list[str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError) as exc:
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


def encode_time_cursor(at: datetime, row_id: uuid.UUID) -> str:
    return encode_cursor([at.isoformat(), row_id])


def decode_time_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """A (created_at, id) keyset cursor, as returned by newest-first lists."""
    at, row_id = decode_cursor(cursor, 2)
    try:
        at_time, parsed_id = datetime.fromisoformat(at), uuid.UUID(row_id)
        if at_time.tzinfo is None:
            raise ValueError("cursor time without a time zone")
        return at_time, parsed_id
    except ValueError as exc:
        raise ValidationFailed(
            "the cursor is not one this API returned", code="invalid_cursor"
        ) from exc
