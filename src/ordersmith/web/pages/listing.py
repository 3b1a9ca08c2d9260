"""What the back office's list pages share: their query parameters, the page size, the
newest-first keyset cursor, days and filters with a fixed set of values (every problem
becomes a message; nothing raises)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlencode

from fastapi import Request

from ordersmith.errors import OmsError
from ordersmith.web.pagination import decode_time_cursor

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


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


def query_params(request: Request) -> dict[str, str]:
    """The request's query parameters (the last value of each)."""
    return {k: v for k, v in request.query_params.items() if isinstance(v, str)}


def form_values(
    params: dict[str, str], names: tuple[str, ...], max_chars: int = 200
) -> dict[str, str]:
    """The named parameters as typed (trimmed, at most ``max_chars`` characters;
    missing: "")."""
    return {k: params.get(k, "").strip()[:max_chars] for k in names}


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


def read_limit(form: ListParams, max_size: int = MAX_PAGE_SIZE) -> None:
    """Set ``form.limit`` from ``limit``: a whole number from 1 to ``max_size``, else a
    message (the default stays)."""
    text = form.values.get("limit", "")
    if not text:
        return
    if text.isascii() and text.isdigit() and 1 <= int(text) <= max_size:
        form.limit = int(text)
    else:
        form.errors.append(f"limit: a whole number from 1 to {max_size}")


def read_time_cursor(
    params: dict[str, str], errors: list[str]
) -> tuple[datetime, uuid.UUID] | None:
    """The (time, id) keyset cursor of a newest-first list, or None (a message if bad)."""
    cursor = params.get("cursor", "")
    if not cursor:
        return None
    try:
        return decode_time_cursor(cursor)
    except OmsError as exc:
        errors.append(f"page: {exc}")
        return None


def read_page(
    form: ListParams, params: dict[str, str], max_size: int = MAX_PAGE_SIZE
) -> tuple[datetime, uuid.UUID] | None:
    """Set ``form.limit`` from ``limit`` (1 to ``max_size``) and return the page's
    newest-first keyset cursor, if any; problems become messages."""
    read_limit(form, max_size)
    return read_time_cursor(params, form.errors)
