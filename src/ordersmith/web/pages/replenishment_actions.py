"""The replenishment page's actions (``POST /replenishment/...``): approve one request,
approve the ticked ones, edit a quantity, reject with a reason, and create purchase
orders from the approved requests (``replenishment.ordering``).

Each is a plain form POST with the CSRF token and needs ``purchasing:write`` (the
services check it again: the unit of work carries the user's permissions). Every form
carries the list's query (``list_query``) so the user comes back to the same list.
Done: 303 to that list with a message (and, after ordering, links to the purchase
orders made). Refused (a quantity that breaks the supplier's minimum or pack, a missing
reason, a request that moved on): the list again with the service's message and code
and the error's status; nothing changed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from ordersmith.auth.permissions import Permission
from ordersmith.errors import FieldError, OmsError, ValidationFailed
from ordersmith.replenishment import ordering
from ordersmith.replenishment.errors import RequestNotFound
from ordersmith.replenishment.services import approve_requests, edit_request, reject_request
from ordersmith.uow import UnitOfWork
from ordersmith.validation import whole_number
from ordersmith.web.pages.deps import StaffSession, csrf_protect, require
from ordersmith.web.pages.forms import MAX_FIELD, act
from ordersmith.web.pages.replenishment import FILTER_FIELDS, replenishment_page

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
Writer = Annotated[StaffSession, Depends(require(Permission.PURCHASING_WRITE))]
MAX_SELECTED = 200


async def posted(request: Request) -> dict[str, list[str]]:
    """The posted form's text fields, every value of each (cut to 4000 characters)."""
    form = await request.form()
    out: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str) and key != "csrf_token":
            out.setdefault(key, []).append(value[:MAX_FIELD])
    return out


Posted = Annotated[dict[str, list[str]], Depends(posted)]


def _one(fields: dict[str, list[str]], name: str) -> str:
    values = fields.get(name) or [""]
    return values[-1]


def list_params(fields: dict[str, list[str]]) -> dict[str, str]:
    """The list's filters the form came from (``list_query``), only the known ones."""
    pairs = parse_qsl(_one(fields, "list_query")[:1000])
    return {k: v for k, v in pairs if k in FILTER_FIELDS or k == "cursor"}


def request_ids(values: list[str]) -> list[uuid.UUID]:
    """Request ids as posted; a malformed one is a validation error."""
    try:
        return [uuid.UUID(v) for v in values[: MAX_SELECTED + 1]]
    except ValueError:
        raise ValidationFailed(
            "a selected request is not one of this list",
            fields=[FieldError("request", "not a request id")],
        ) from None


def _act(
    request: Request,
    session: StaffSession,
    fields: dict[str, list[str]],
    action: str,
    work: Callable[[UnitOfWork], str],
    failed: str = "",
) -> Response:
    """Run ``work`` as the user; it answers extra query text for the list (or "")."""
    params = list_params(fields)
    done = f"/replenishment?{urlencode(params | {'done': action})}"

    def refused(exc: OmsError) -> HTMLResponse:
        flat = {k: _one(fields, k) for k in fields} | {"action": action}
        return replenishment_page(request, session, params, error=exc, failed=failed, form_in=flat)

    def missing(exc: OmsError) -> bool:
        return isinstance(exc, RequestNotFound)

    return act(request, session, lambda uow: done + work(uow), on_error=refused, missing=missing)


@router.post("/replenishment/approve")
def approve_selected(request: Request, session: Writer, fields: Posted) -> Response:
    """Approve every ticked request (all or none)."""

    def work(uow: UnitOfWork) -> str:
        ids = request_ids(fields.get("request", []))
        if not ids:
            raise ValidationFailed(
                "tick at least one request to approve",
                fields=[FieldError("request", "none ticked")],
            )
        approve_requests(uow, request_ids=ids)
        return ""

    return _act(request, session, fields, "approve_selected", work)


@router.post("/replenishment/order")
def order_approved(request: Request, session: Writer, fields: Posted) -> Response:
    """Draft purchase orders from the approved purchase requests (of the list's supplier
    and warehouse, when it is filtered by them); the list then links to them."""
    params = list_params(fields)

    def work(uow: UnitOfWork) -> str:
        scope = ordering.Scope(
            supplier=params.get("supplier") or None, warehouse=params.get("warehouse") or None
        )
        result = ordering.order_purchase_requests(uow, scope)
        made = ",".join(d.number for d in result.documents)
        return "&" + urlencode({"made": made}) if made else ""

    return _act(request, session, fields, "order", work)


@router.post("/replenishment/{request_id}/approve")
def approve(request: Request, request_id: uuid.UUID, session: Writer, fields: Posted) -> Response:
    def work(uow: UnitOfWork) -> str:
        approve_requests(uow, request_ids=[request_id])
        return ""

    return _act(request, session, fields, "approve", work, str(request_id))


@router.post("/replenishment/{request_id}/edit")
def edit(request: Request, request_id: uuid.UUID, session: Writer, fields: Posted) -> Response:
    """A new quantity (empty: back to the suggested one); the service refuses one that
    breaks the supplier's minimum order or pack size, naming the next that fits."""

    def work(uow: UnitOfWork) -> str:
        text = _one(fields, "quantity").strip()
        units = whole_number(text) if text else None
        if text and units is None:
            raise ValidationFailed(
                f"{text!r} is not a whole number of units",
                fields=[FieldError("quantity", "a whole number")],
            )
        edit_request(uow, request_id=request_id, quantity=units)
        return ""

    return _act(request, session, fields, "edit", work, str(request_id))


@router.post("/replenishment/{request_id}/reject")
def reject(request: Request, request_id: uuid.UUID, session: Writer, fields: Posted) -> Response:
    def work(uow: UnitOfWork) -> str:
        reject_request(uow, request_id=request_id, reason=_one(fields, "reason"))
        return ""

    return _act(request, session, fields, "reject", work, str(request_id))
