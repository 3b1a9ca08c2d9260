"""A staff user's own saved filters of a list (``staff.saved_filters``, ADR 0030).

A list page adds ``my_filters_context(...)`` to its context and includes
``_my_filters.html`` (the user's filters as links, each with a delete button) and, in its
results part (re-rendered on every filter change, so it always holds the current query),
``_save_filter.html`` (a name and *Save this filter*). Both POSTs answer 303 back to the
list; a bad name shows the list's error page with the message.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from ordersmith.staff.saved_filters import delete_filter, list_filters, save_filter
from ordersmith.web.pages.deps import StaffSession, csrf_protect, get_db, staff_session

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
Signed = Annotated[StaffSession, Depends(staff_session)]


def my_filters_context(request: Request, session: StaffSession, page: str) -> dict[str, Any]:
    """What ``_my_filters.html`` and ``_save_filter.html`` need for list ``page``."""
    with get_db(request).reader() as db_session:
        mine = list_filters(db_session, user_id=session.user_id, page=page)
    return {"my_filters": mine, "filter_page": page}


@router.post("/saved-filters")
def save(
    request: Request,
    session: Signed,
    page: Annotated[str, Form(max_length=40)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    query: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    with get_db(request).unit_of_work(actor=f"staff:{session.email}") as uow:
        saved = save_filter(uow, user_id=session.user_id, page=page, name=name, query=query)
    return RedirectResponse(saved.url, status_code=303)


@router.post("/saved-filters/{filter_id}/delete")
def delete(request: Request, session: Signed, filter_id: uuid.UUID) -> Response:
    with get_db(request).unit_of_work(actor=f"staff:{session.email}") as uow:
        page = delete_filter(uow, user_id=session.user_id, filter_id=filter_id)
    return RedirectResponse(f"/{page}", status_code=303)
