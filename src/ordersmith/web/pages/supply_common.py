"""What the purchasing, replenishment and forecast pages share: reading a list's page
size, cursor and days (every problem a message, nothing raises), whole numbers typed in
forms, and the unit of work that carries the signed-in user's permissions."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import Request

from ordersmith.errors import FieldError, OmsError
from ordersmith.uow import UnitOfWork
from ordersmith.validation import whole_number
from ordersmith.web.pages.deps import StaffSession, get_db
from ordersmith.web.pages.listing import ListParams
from ordersmith.web.pagination import decode_time_cursor

MAX_PAGE_SIZE = 200


def query_params(request: Request) -> dict[str, str]:
    """The request's query parameters (the last value of each)."""
    return {k: v for k, v in request.query_params.items() if isinstance(v, str)}


def form_values(params: dict[str, str], names: tuple[str, ...]) -> dict[str, str]:
    """The named parameters as typed (trimmed, at most 200 characters; missing: "")."""
    return {k: params.get(k, "").strip()[:200] for k in names}


def read_limit(form: ListParams) -> None:
    """``limit``: a whole number from 1 to 200, else a message (the default stays)."""
    text = form.values.get("limit", "")
    if not text:
        return
    if text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_PAGE_SIZE:
        form.limit = int(text)
    else:
        form.errors.append(f"limit: a whole number from 1 to {MAX_PAGE_SIZE}")


def read_time_cursor(params: dict[str, str], errors: list[str]) -> Any:
    """The (time, id) keyset cursor of a newest-first list, or None (a message if bad)."""
    cursor = params.get("cursor", "")
    if not cursor:
        return None
    try:
        return decode_time_cursor(cursor)
    except OmsError as exc:
        errors.append(f"page: {exc}")
        return None


def read_day(name: str, value: str, errors: list[str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.append(f"{name}: {value!r} is not a date (YYYY-MM-DD)")
        return None


def typed_units(fields: dict[str, str], name: str, problems: list[FieldError]) -> int:
    """A whole number of units typed in ``name`` (empty: 0); a problem otherwise."""
    text = fields.get(name, "").strip()
    if not text:
        return 0
    value = whole_number(text)
    if value is None:
        problems.append(FieldError(name, f"{text!r} is not a whole number of units"))
        return 0
    return value


def staff_unit_of_work(request: Request, session: StaffSession) -> UnitOfWork:
    """A unit of work acting as the signed-in user, carrying their permissions: the
    services check them again (ADR 0023)."""
    return get_db(request).unit_of_work(
        actor=f"staff:{session.email}", permissions=session.permissions
    )
