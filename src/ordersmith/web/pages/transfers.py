"""Stock transfers in the back office (ADR 0015): the list, the form for a new transfer
and a transfer's page (inventory:read; the forms need inventory:write).

``GET /inventory/transfers`` lists transfers newest first (keyset on the time created and
the id), filtered by status and by a warehouse at either end. ``GET
/inventory/transfers/new`` is the form: from, to, up to ``NEW_LINES`` SKU and quantity
rows, a note, and whether the goods leave at once. ``GET /inventory/transfers/{number}``
shows the lines (ordered, shipped, received, in transit) and the actions the state
machine allows (dispatch, receive per line, cancel); the POSTs are in
``transfer_actions``. These routes come before ``/inventory/{sku}``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from ordersmith.auth.permissions import Permission
from ordersmith.errors import OmsError
from ordersmith.inventory.queries import list_warehouses
from ordersmith.inventory.transfer_queries import TransferView, get_transfer, list_transfers
from ordersmith.inventory.transfer_status import TransferStatus
from ordersmith.web.pages.deps import StaffSession, csrf_protect, get_db, render, require, status_of
from ordersmith.web.pages.listing import (
    ListParams,
    choice,
    form_values,
    query_params,
    read_time_cursor,
)
from ordersmith.web.pagination import encode_time_cursor

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
P = Permission
NEW_LINES = 8
Reader = Annotated[StaffSession, Depends(require(P.INVENTORY_READ))]
Writer = Annotated[StaffSession, Depends(require(P.INVENTORY_WRITE))]


@dataclass
class ListForm(ListParams):
    before: tuple[datetime, uuid.UUID] | None = None


def read_form(params: dict[str, str], warehouses: list[str]) -> ListForm:
    """Read the filters; every problem becomes a message (nothing raises)."""
    form = ListForm(form_values(params, ("status", "warehouse")))
    choice("status", form.values["status"], [s.value for s in TransferStatus], form.errors)
    choice("warehouse", form.values["warehouse"].upper(), warehouses, form.errors)
    form.before = read_time_cursor(params, form.errors)
    return form


@router.get("/inventory/transfers", response_class=HTMLResponse)
def transfers_list(request: Request, session: Reader) -> HTMLResponse:
    params = query_params(request)
    found: list[TransferView] = []
    with get_db(request).reader() as db_session:
        warehouses = [w.code for w in list_warehouses(db_session)]
        form = read_form(params, warehouses)
        if not form.errors:
            status = form.values["status"]
            found = list_transfers(
                db_session,
                status=TransferStatus(status) if status else None,
                warehouse=form.values["warehouse"] or None,
                limit=form.limit + 1,
                before=form.before,
            )
    rows = found[: form.limit]
    more = len(found) > form.limit
    context = {
        "form": form,
        "rows": rows,
        "statuses": [s.value for s in TransferStatus],
        "warehouses": warehouses,
        "next_query": (
            form.query(cursor=encode_time_cursor(rows[-1].created_at, rows[-1].id))
            if more
            else None
        ),
        "first_query": form.query() if form.before else None,
        "may_write": session.may(P.INVENTORY_WRITE),
    }
    return render(request, "inventory/transfers.html", context, session)


def new_transfer_page(
    request: Request,
    session: StaffSession,
    *,
    error: OmsError | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    with get_db(request).reader() as db_session:
        warehouses = [w.code for w in list_warehouses(db_session) if w.active]
    context = {
        "warehouses": warehouses,
        "lines": range(1, NEW_LINES + 1),
        "form": form or {},
        "error": error,
    }
    return render(
        request, "inventory/transfer_new.html", context, session, status_code=status_of(error)
    )


@router.get("/inventory/transfers/new", response_class=HTMLResponse)
def transfer_new(request: Request, session: Writer) -> HTMLResponse:
    return new_transfer_page(request, session)


def transfer_page(
    request: Request,
    session: StaffSession,
    number: str,
    *,
    message: str = "",
    error: OmsError | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    with get_db(request).reader() as db_session:
        transfer = get_transfer(db_session, number)
    actions = [a.value for a in transfer.allowed_actions] if session.may(P.INVENTORY_WRITE) else []
    context = {
        "t": transfer,
        "actions": actions,
        "message": message,
        "error": error,
        "form": form or {},
    }
    return render(
        request, "inventory/transfer.html", context, session, status_code=status_of(error)
    )


DONE = {
    "create": "The transfer is created.",
    "dispatch": "The goods have left.",
    "receive": "The receipt is booked.",
    "cancel": "The transfer is cancelled.",
}


@router.get("/inventory/transfers/{number}", response_class=HTMLResponse)
def transfer_detail(request: Request, number: str, session: Reader, done: str = "") -> HTMLResponse:
    return transfer_page(request, session, number, message=DONE.get(done, ""))
