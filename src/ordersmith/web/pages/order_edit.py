"""Editing an order after it was placed, and splitting it (``/orders/{number}/edit``).

``GET /orders/{number}/edit`` shows the order's lines with their quantities, three rows
for lines to add, the delivery address, the requested delivery date and the notes, and a
second form that moves units to a new order. Both need ``orders:change``.

``POST /orders/{number}/edit`` sends only what differs from the order as it was shown
(a line whose quantity is set to 0 or ticked "cancel" is cancelled) to the same service
as the API, ``orders.changes.change_order``, as one atomic change set with the reason
the customer is told and the version the page showed (a change made meanwhile is an
``order_version_conflict``, not overwritten). ``POST /orders/{number}/split`` calls
``orders.splitting.split_order``. Done: 303 to the order page with a message. Refused:
this page again with the service's message, code and field errors, the values as typed
and the error's status; nothing changed.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from ordersmith.auth.permissions import Permission
from ordersmith.errors import FieldError, OmsError
from ordersmith.orders import queries
from ordersmith.orders.change_rules import MAX_NOTES, ChangeOrder
from ordersmith.orders.changes import change_order
from ordersmith.orders.requests import LineRequest
from ordersmith.orders.splitting import split_order
from ordersmith.orders.status import RESERVING_STATUSES
from ordersmith.orders.views import OrderView
from ordersmith.uow import UnitOfWork
from ordersmith.validation import ADDRESS_FIELDS, whole_number
from ordersmith.web.pages.deps import StaffSession, csrf_protect, get_db, render, require, status_of
from ordersmith.web.pages.forms import (
    Fields,
    act,
    line_numbers,
    long_form_fields,
    refuse,
    units,
)

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
Changer = Annotated[StaffSession, Depends(require(Permission.ORDERS_CHANGE))]
EditFields = Annotated[dict[str, str], Depends(long_form_fields(notes=MAX_NOTES + 1))]
"""The change form's fields; the notes as long as the service allows (and one more
character, so that notes too long are refused by the service, not cut by the page)."""

ADD_ROWS = 3
"""Empty rows for new lines on the form (more lines: save, then edit again)."""
ADDRESS_LABELS = {
    "name": "Name",
    "line1": "Address line 1",
    "line2": "Address line 2",
    "postcode": "Postcode",
    "city": "City",
    "region": "Region",
    "country": "Country (2 letters)",
}


def editable(order: OrderView) -> bool:
    """Whether the order is open to changes at all (the service has the finer rules:
    picking started, billed, shipped)."""
    return order.status in RESERVING_STATUSES


def initial_form(order: OrderView) -> dict[str, str]:
    """The form's fields as the order stands."""
    form = {f"qty-{line.line_no}": str(line.quantity) for line in order.lines if line.quantity}
    address = order.shipping_address or {}
    form |= {f"ship-{key}": str(address.get(key) or "") for key in ADDRESS_FIELDS}
    form["requested_delivery_date"] = (
        order.requested_delivery_date.isoformat() if order.requested_delivery_date else ""
    )
    form["notes"] = order.notes or ""
    form["version"] = str(order.version)
    return form


def read_change(order: OrderView, fields: dict[str, str]) -> ChangeOrder:
    """The change set the form asks for: only what differs from ``order``. Numbers and
    dates that cannot be read are refused here, with the field named; the rest of the
    rules are the service's."""
    problems: list[FieldError] = []
    quantities: dict[int, int] = {}
    cancel: list[int] = []
    for line in order.lines:
        if not line.quantity:  # cancelled by an earlier change: nothing left to change
            continue
        name = f"qty-{line.line_no}"
        quantity = units(fields, name, problems) if fields.get(name, "").strip() else None
        if fields.get(f"cancel-{line.line_no}") or quantity == 0:
            cancel.append(line.line_no)
        elif quantity is not None and quantity != line.quantity:
            quantities[line.line_no] = quantity
    added = []
    for i in range(1, ADD_ROWS + 1):
        sku = fields.get(f"add-sku-{i}", "").strip()
        typed = fields.get(f"add-qty-{i}", "").strip()
        if not sku:
            if typed:
                problems.append(FieldError(f"add-sku-{i}", "which SKU? (a quantity is typed)"))
            continue
        quantity = units(fields, f"add-qty-{i}", problems) if typed else 1
        if whole_number(typed) == 0:
            problems.append(FieldError(f"add-qty-{i}", "at least 1 (or leave the row empty)"))
        else:
            added.append(LineRequest(sku=sku, quantity=quantity))
    wanted_date = _date(fields, problems)
    if order.requested_delivery_date and not fields.get("requested_delivery_date", "").strip():
        problems.append(
            FieldError(
                "requested_delivery_date",
                "a requested date cannot be removed, only moved: type the new date",
            )
        )
    refuse(problems, "change")
    return ChangeOrder(
        reason=fields.get("reason", ""),
        quantities=quantities,
        add_lines=added,
        cancel_lines=cancel,
        shipping_address=_changed_address(order, fields),
        requested_delivery_date=(
            wanted_date if wanted_date != order.requested_delivery_date else None
        ),
        notes=_changed_notes(order, fields),
        expected_version=_version(fields),
    )


def _date(fields: dict[str, str], problems: list[FieldError]) -> date | None:
    text = fields.get("requested_delivery_date", "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems.append(FieldError("requested_delivery_date", f"{text!r} is not a date"))
        return None


def _changed_address(order: OrderView, fields: dict[str, str]) -> dict[str, str] | None:
    typed = {key: fields.get(f"ship-{key}", "").strip() for key in ADDRESS_FIELDS}
    shown = {key: str((order.shipping_address or {}).get(key) or "") for key in ADDRESS_FIELDS}
    if typed == shown:
        return None
    return {key: value for key, value in typed.items() if value}


def _changed_notes(order: OrderView, fields: dict[str, str]) -> str | None:
    """The notes when they differ from the order's (line ends aside: browsers send
    CRLF, and notes stored through the API may have either)."""
    typed = _lines(fields.get("notes", ""))
    return typed if typed != _lines(order.notes or "") else None


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


def _version(fields: dict[str, str]) -> int | None:
    """The version the page showed (None if missing or unreadable: no version check)."""
    return whole_number(fields.get("version", ""), maximum=999_999_999)


def read_moves(fields: dict[str, str]) -> dict[int, int]:
    """Units to move to a new order, by line number, from the ``move-<line>`` fields
    (left empty or 0: the line stays). The service checks the lines exist."""
    problems: list[FieldError] = []
    moves = {n: units(fields, f"move-{n}", problems) for n in line_numbers(fields, "move-")}
    refuse(problems, "split")
    return {line_no: n for line_no, n in moves.items() if n}


def edit_page(
    request: Request,
    session: StaffSession,
    number: str,
    *,
    error: OmsError | None = None,
    form: dict[str, str] | None = None,
    action: str = "",
) -> HTMLResponse:
    with get_db(request).reader() as db_session:
        order = queries.get_order(db_session, number)
    context: dict[str, Any] = {
        "order": order,
        "editable": editable(order),
        "form": initial_form(order) | (form or {}),
        "add_rows": range(1, ADD_ROWS + 1),
        "address_labels": ADDRESS_LABELS,
        "error": error,
        "action": action,
    }
    return render(request, "orders/edit.html", context, session, status_code=status_of(error))


@router.get("/orders/{number}/edit", response_class=HTMLResponse)
def get_edit(request: Request, number: str, session: Changer) -> HTMLResponse:
    return edit_page(request, session, number)


@router.post("/orders/{number}/edit")
def post_edit(request: Request, number: str, session: Changer, fields: EditFields) -> Response:
    def work(uow: UnitOfWork) -> object:
        order = queries.get_order(uow.session, number)
        return change_order(uow, order_id=order.id, request=read_change(order, fields))

    return act(
        request,
        session,
        work,
        done_url=f"/orders/{quote(number)}?done=change",
        on_error=lambda exc: edit_page(
            request, session, number, error=exc, form=fields, action="edit"
        ),
    )


@router.post("/orders/{number}/split")
def post_split(request: Request, number: str, session: Changer, fields: Fields) -> Response:
    def work(uow: UnitOfWork) -> object:
        original, new = split_order(  # it numbers the new order before any statement
            uow,
            order=number,
            moves=read_moves(fields),
            reason=fields.get("split_reason", ""),
            expected_version=_version(fields),
        )
        return f"/orders/{quote(original.number)}?done=split&into={quote(new.number)}"

    return act(
        request,
        session,
        work,
        on_error=lambda exc: edit_page(
            request, session, number, error=exc, form=fields, action="split"
        ),
    )
