"""What the back office's list pages share: their query parameters and how a filter with
a fixed set of values is read (every problem becomes a message; nothing raises)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlencode

from ordersmith.errors import OmsError
from ordersmith.web.pagination import decode_time_cursor

PAGE_SIZE = 50


@dataclass
class ListParams:
    """A list's query parameters as typed, and the problems found reading them; each page
    adds what they mean once read (its filter, its cursor)."""

    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    limit: int = PAGE_SIZE

    def query(self, **extra: str) -> str:
        """The parameters as a query string (empty ones left out), with ``extra``."""
        return urlencode({k: v for k, v in self.values.items() if v} | extra)


def choice(name: str, value: str, allowed: list[str], errors: list[str]) -> str | None:
    """``value`` when it is one of ``allowed``; None when empty, or (with a message in
    ``errors``) when it is not."""
    if not value:
        return None
    if value not in allowed:
        errors.append(f"{name}: {value!r} is not one of {', '.join(allowed)}")
        return None
    return value


def day(name: str, value: str, errors: list[str]) -> date | None:
    """A day typed as YYYY-MM-DD; None when empty, or (with a message) when unreadable."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.append(f"{name}: {value!r} is not a date (YYYY-MM-DD)")
        return None


def read_page(
    form: ListParams, params: dict[str, str], max_size: int
) -> tuple[datetime, uuid.UUID] | None:
    """Set ``form.limit`` from ``limit`` (1 to ``max_size``) and return the page's
    newest-first keyset cursor, if any; problems become messages."""
    limit = form.values.get("limit", "")
    if limit:
        if limit.isdigit() and 1 <= int(limit) <= max_size:
            form.limit = int(limit)
        else:
            form.errors.append(f"limit: a whole number from 1 to {max_size}")
    cursor = params.get("cursor", "")
    if not cursor:
        return None
    try:
        return decode_time_cursor(cursor)
    except OmsError as exc:
        form.errors.append(f"page: {exc}")
        return None
