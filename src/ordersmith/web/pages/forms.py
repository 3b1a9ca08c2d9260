"""Reading posted back-office forms: their text fields and the whole numbers typed in
them (a problem per field, never an exception until the caller decides)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ordersmith.errors import FieldError, ValidationFailed
from ordersmith.validation import whole_number

MAX_FIELD = 4000


async def form_fields(request: Request) -> dict[str, str]:
    """The posted form's text fields (each cut to 4000 characters)."""
    form = await request.form()
    return {k: v[:MAX_FIELD] for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}


Fields = Annotated[dict[str, str], Depends(form_fields)]


def units(fields: dict[str, str], name: str, problems: list[FieldError]) -> int:
    """A whole number of units typed in ``name`` (empty: 0); a problem otherwise."""
    text = fields.get(name, "").strip()
    if not text:
        return 0
    value = whole_number(text)
    if value is None:
        problems.append(FieldError(name, f"{text!r} is not a whole number of units"))
        return 0
    return value


def refuse(problems: list[FieldError], what: str) -> None:
    """Raise ``ValidationFailed`` (422) naming ``what`` when there are problems."""
    if problems:
        raise ValidationFailed(f"the {what} is not valid", fields=problems)
