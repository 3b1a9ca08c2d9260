"""The customer pages' actions: add a contact, merge a duplicate into a survivor, undo
that merge (``POST /customers/{number}/contacts|merge|unmerge``).

Each is a plain form POST with the CSRF token behind ``require`` (``customers:write`` for
a contact, ``customers:merge`` for a merge and its undo), and calls the same service as
the API in a unit of work carrying the user's permissions (the service checks them
again). Done: 303 to the customer's page with a message (after a merge, the duplicate's
page: it names the survivor and offers the undo). Refused: the page the form was on
again, with the service's message, code and field errors and the error's status;
nothing changed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from ordersmith.auth.permissions import Permission
from ordersmith.customers import queries
from ordersmith.customers.contacts import add_contact
from ordersmith.customers.errors import CustomerMergeNotFound
from ordersmith.customers.merge import list_merges, merge_customers, unmerge_customer
from ordersmith.errors import FieldError, OmsError, ValidationFailed
from ordersmith.portal.services import invite_account
from ordersmith.uow import UnitOfWork
from ordersmith.web.pages.customers import customer_page, duplicates_page
from ordersmith.web.pages.deps import (
    StaffSession,
    csrf_protect,
    require,
    staff_unit_of_work,
)

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
Writer = Annotated[StaffSession, Depends(require(Permission.CUSTOMERS_WRITE))]
Merger = Annotated[StaffSession, Depends(require(Permission.CUSTOMERS_MERGE))]
Text = Annotated[str, Form(max_length=4000)]


def _run(request: Request, session: StaffSession, work: Callable[[UnitOfWork], object]) -> None:
    with staff_unit_of_work(request, session) as uow:
        work(uow)


@router.post("/customers/{number}/contacts")
def post_contact(
    request: Request,
    number: str,
    session: Writer,
    name: Text = "",
    role: Text = "",
    email: Text = "",
    phone: Text = "",
    is_primary: Text = "",
) -> Response:
    def work(uow: UnitOfWork) -> object:
        return add_contact(
            uow,
            customer=number,
            name=name,
            role=role,
            email=email,
            phone=phone,
            is_primary=is_primary in ("1", "on", "true"),
        )

    form = {"action": "contact", "name": name, "role": role, "email": email, "phone": phone}
    try:
        _run(request, session, work)
    except OmsError as exc:
        if exc.status == 404:
            raise
        return customer_page(request, session, number, error=exc, form=form)
    return RedirectResponse(f"/customers/{quote(number)}?done=contact", status_code=303)


@router.post("/customers/{number}/portal-invite")
def post_portal_invite(request: Request, number: str, session: Writer) -> Response:
    """Email the customer a link to set a portal password (ADR 0029)."""
    try:
        _run(request, session, lambda uow: invite_account(uow, customer=number))
    except OmsError as exc:
        if exc.status == 404:
            raise
        return customer_page(request, session, number, error=exc, form={"action": "portal"})
    return RedirectResponse(f"/customers/{quote(number)}?done=portal", status_code=303)


@router.post("/customers/{number}/merge")
def post_merge(
    request: Request,
    number: str,
    session: Merger,
    survivor: Text = "",
    reason: Text = "",
    rule: Text = "",
    cursor: Text = "",
) -> Response:
    """Merge customer ``number`` (the duplicate) into ``survivor`` (a number)."""
    moved: dict[str, str] = {}

    def work(uow: UnitOfWork) -> object:
        duplicate = queries.get_customer(uow.session, number)
        into = queries.find_customer(uow.session, survivor) if survivor.strip() else None
        if into is None:
            raise ValidationFailed(
                f"choose the customer to merge {duplicate.number} into",
                fields=[FieldError("survivor", "not a customer number")],
            )
        moved["number"] = duplicate.number
        return merge_customers(uow, survivor_id=into.id, duplicate_id=duplicate.id, reason=reason)

    try:
        _run(request, session, work)
    except OmsError as exc:
        form = {"duplicate": number.strip().upper(), "survivor": survivor, "reason": reason}
        params = {k: v for k, v in (("rule", rule), ("cursor", cursor)) if v}
        return duplicates_page(request, session, params, error=exc, form=form)
    return RedirectResponse(f"/customers/{moved['number']}?done=merged", status_code=303)


@router.post("/customers/{number}/unmerge")
def post_unmerge(request: Request, number: str, session: Merger, reason: Text = "") -> Response:
    """Undo the merge that folded customer ``number`` into another."""

    def work(uow: UnitOfWork) -> object:
        customer = queries.get_customer(uow.session, number)
        merges, _more = list_merges(uow.session, customer_id=customer.id, limit=10)
        merge_id: uuid.UUID | None = next(
            (m.id for m in merges if m.duplicate_id == customer.id and m.undone_at is None),
            None,
        )
        if merge_id is None:
            raise CustomerMergeNotFound(f"customer {customer.number} is not merged into another")
        return unmerge_customer(uow, merge_id=merge_id, reason=reason)

    try:
        _run(request, session, work)
    except OmsError as exc:
        if exc.status == 404 and exc.code == "customer_not_found":
            raise
        form = {"action": "unmerge", "reason": reason}
        return customer_page(request, session, number, error=exc, form=form)
    return RedirectResponse(f"/customers/{quote(number)}?done=unmerged", status_code=303)
