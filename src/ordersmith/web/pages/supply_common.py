"""What the purchasing and replenishment pages share: whole numbers typed in forms, and
the unit of work that carries the signed-in user's permissions."""

from __future__ import annotations

from fastapi import Request

from ordersmith.errors import FieldError
from ordersmith.uow import UnitOfWork
from ordersmith.validation import whole_number
from ordersmith.web.pages.deps import StaffSession, get_db

MAX_PAGE_SIZE = 200


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
