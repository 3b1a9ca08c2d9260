"""The customer's own details: the address book (add, edit, make default) through the
customers area's services, and contact preferences (marketing email opt-in, ADR 0029).
An address of another customer answers 404."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ordersmith.customers.addresses import set_default_address, update_address
from ordersmith.customers.errors import AddressNotFound
from ordersmith.customers.models import AddressKind
from ordersmith.customers.queries import list_addresses
from ordersmith.customers.services import AddressInput, add_address
from ordersmith.errors import OmsError
from ordersmith.portal.queries import marketing_opt_in
from ordersmith.portal.services import set_contact_preferences
from ordersmith.web.pages.deps import get_db
from ordersmith.web.pages.forms import Fields
from ordersmith.web.portal.deps import Customer, portal_csrf, portal_uow, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(portal_csrf)])
ADDRESS_FIELDS = ("name", "line1", "line2", "postcode", "city", "region", "country")
DONE = {
    "added": "The address is added.",
    "saved": "The address is saved.",
    "default": "The default address is changed.",
    "preferences": "Your preferences are saved.",
}


def _address_input(fields: dict[str, str], kind: str) -> AddressInput:
    return AddressInput(
        kind=kind,
        is_default=fields.get("is_default") == "on",
        **{name: fields.get(name, "") for name in ADDRESS_FIELDS},
    )


def addresses_page(
    request: Request,
    session: Customer,
    *,
    error: OmsError | None = None,
    form: dict[str, str] | None = None,
    editing: str = "",
) -> HTMLResponse:
    with get_db(request).reader() as db_session:
        addresses = list_addresses(db_session, session.customer_id)
    context = {
        "addresses": addresses,
        "kinds": [k.value for k in AddressKind],
        "fields": ADDRESS_FIELDS,
        "error": error,
        "form": form or {},
        "editing": editing,
        "message": DONE.get(str(request.query_params.get("done", "")), ""),
    }
    status = error.status if error else 200
    return render(request, "portal/addresses.html", context, session, status_code=status)


@router.get("/portal/addresses", response_class=HTMLResponse)
def addresses(request: Request, session: Customer) -> HTMLResponse:
    return addresses_page(request, session)


@router.post("/portal/addresses", response_model=None)
def add(request: Request, session: Customer, fields: Fields) -> Response:
    try:
        with portal_uow(request, session) as uow:
            add_address(
                uow,
                customer=session.customer_id,
                address=_address_input(fields, fields.get("kind", "")),
            )
    except OmsError as exc:
        return addresses_page(request, session, error=exc, form=fields, editing="new")
    return RedirectResponse("/portal/addresses?done=added", status_code=303)


def _address_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise AddressNotFound(f"no address {value[:40]!r}") from None


@router.post("/portal/addresses/{address_id}", response_model=None)
def edit(request: Request, address_id: str, session: Customer, fields: Fields) -> Response:
    target = _address_id(address_id)
    try:
        with portal_uow(request, session) as uow:
            update_address(
                uow,
                customer=session.customer_id,
                address_id=target,
                address=_address_input(fields, "shipping"),  # the kind stays as it was
            )
    except OmsError as exc:
        if exc.status == 404:
            raise
        return addresses_page(request, session, error=exc, form=fields, editing=address_id)
    return RedirectResponse("/portal/addresses?done=saved", status_code=303)


@router.post("/portal/addresses/{address_id}/default", response_model=None)
def make_default(request: Request, address_id: str, session: Customer) -> Response:
    target = _address_id(address_id)
    with portal_uow(request, session) as uow:
        set_default_address(uow, customer=session.customer_id, address_id=target)
    return RedirectResponse("/portal/addresses?done=default", status_code=303)


@router.get("/portal/preferences", response_class=HTMLResponse)
def preferences(request: Request, session: Customer) -> HTMLResponse:
    with get_db(request).reader() as db_session:
        marketing = marketing_opt_in(db_session, session.account_id)
    context = {
        "marketing": marketing,
        "message": DONE.get(str(request.query_params.get("done", "")), ""),
    }
    return render(request, "portal/preferences.html", context, session)


@router.post("/portal/preferences", response_model=None)
def save_preferences(request: Request, session: Customer, fields: Fields) -> Response:
    with portal_uow(request, session) as uow:
        set_contact_preferences(
            uow, account_id=session.account_id, marketing_emails=fields.get("marketing") == "on"
        )
    return RedirectResponse("/portal/preferences?done=preferences", status_code=303)
