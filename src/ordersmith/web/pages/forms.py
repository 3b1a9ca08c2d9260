"""Reading posted back-office forms: their text fields and the whole numbers typed in
them (a problem per field, never an exception until the caller decides); and ``act``,
how an action's POST runs its work as the signed-in user."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ordersmith.errors import FieldError, OmsError, ValidationFailed
from ordersmith.uow import UnitOfWork
from ordersmith.validation import whole_number
from ordersmith.web.pages.deps import StaffSession, staff_unit_of_work

MAX_FIELD = 4000


async def form_fields(request: Request) -> dict[str, str]:
    """The posted form's text fields (each cut to 4000 characters)."""
    return await _fields(request, {})


def long_form_fields(**limits: int) -> Callable[[Request], Awaitable[dict[str, str]]]:
    """``form_fields`` with longer limits for the named fields (``notes=10_000``): a
    field the service allows longer must not be cut short by the page."""

    async def read(request: Request) -> dict[str, str]:
        return await _fields(request, limits)

    return read


async def _fields(request: Request, limits: dict[str, int]) -> dict[str, str]:
    form = await request.form()
    return {
        k: v[: limits.get(k, MAX_FIELD)]
        for k, v in form.items()
        if isinstance(v, str) and k != "csrf_token"
    }


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


def line_numbers(fields: dict[str, str], prefix: str) -> list[int]:
    """The line numbers the form names in fields ``<prefix><line_no>`` or
    ``<prefix><line_no>_...`` (whether those lines exist is the service's to say)."""
    found = set()
    for key in fields:
        if key.startswith(prefix):
            head = key[len(prefix) :].split("_", 1)[0]
            if head.isascii() and head.isdigit() and len(head) < 7:
                found.add(int(head))
    return sorted(found)


def refuse(problems: list[FieldError], what: str) -> None:
    """Raise ``ValidationFailed`` (422) naming ``what`` when there are problems."""
    if problems:
        raise ValidationFailed(f"the {what} is not valid", fields=problems)


def is_missing(error: OmsError) -> bool:
    """Any 404: the thing acted on is not there (the 404 page, not the form again)."""
    return error.status == 404


def act(
    request: Request,
    session: StaffSession,
    work: Callable[[UnitOfWork], object],
    *,
    on_error: Callable[[OmsError], HTMLResponse],
    done_url: str | None = None,
    missing: Callable[[OmsError], bool] = is_missing,
) -> Response:
    """Run ``work`` in the signed-in user's unit of work, then 303 to ``done_url`` (None:
    to the address ``work`` returned). A refusal is ``on_error(error)``, the page again
    with the error and the form; an error that is ``missing`` is raised (the 404 page)."""
    try:
        with staff_unit_of_work(request, session) as uow:
            result = work(uow)
    except OmsError as exc:
        if missing(exc):
            raise
        return on_error(exc)
    if done_url is None:
        assert isinstance(result, str), "without done_url, work returns the address"
        done_url = result
    return RedirectResponse(done_url, status_code=303)
