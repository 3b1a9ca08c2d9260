"""Inventory in the back office: stock levels per SKU and warehouse, and a SKU's page.

``GET /inventory`` lists stock rows (on hand, reserved, available, on order, reorder
point) by SKU then warehouse, filtered by plain query parameters (warehouse, the start of
a SKU or name or a barcode, at or below the reorder point, out of stock) and paginated by
a (SKU, warehouse) keyset; with HTMX the form refreshes only the results.
``GET /inventory/{sku}`` shows the SKU's levels per warehouse, what is on order and in
transit, the open reservations, the ledger newest first (keyset on the movement's time
and id) and, for ``inventory:write``, the adjustment, receipt and settings forms (their
POSTs are in ``inventory_actions``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from ordersmith.auth.permissions import Permission
from ordersmith.catalog.queries import get_product
from ordersmith.errors import OmsError
from ordersmith.inventory import queries
from ordersmith.inventory.models import AdjustmentReason
from ordersmith.inventory.transfer_queries import in_transit
from ordersmith.orders.queries import open_reservations
from ordersmith.purchasing.queries import on_order
from ordersmith.web.pages.deps import (
    StaffSession,
    csrf_protect,
    get_db,
    render,
    require,
    status_of,
    wants_results_only,
)
from ordersmith.web.pages.listing import (
    MAX_PAGE_SIZE,
    ListParams,
    choice,
    form_values,
    query_params,
    read_limit,
)
from ordersmith.web.pages.saved_filters import my_filters_context
from ordersmith.web.pagination import (
    decode_cursor,
    decode_time_cursor,
    encode_cursor,
    encode_time_cursor,
)

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
P = Permission
LEDGER_PAGE = 50
FILTER_FIELDS = ("warehouse", "q", "low", "out", "limit")
SAVED_FILTERS = (
    ("At or below the reorder point", "low=1"),
    ("Out of stock", "out=1"),
)
#: Where a movement's source document has a page (source type -> path prefix).
SOURCE_PAGES = {"order": "/orders/", "rma": "/returns/", "transfer": "/inventory/transfers/"}
Reader = Annotated[StaffSession, Depends(require(P.INVENTORY_READ))]


@dataclass
class ListForm(ListParams):
    """What the list's parameters mean once read."""

    after: tuple[str, str] | None = None


def read_form(params: dict[str, str], warehouses: list[str]) -> ListForm:
    """Read the filters; every problem becomes a message (nothing raises)."""
    values = form_values(params, FILTER_FIELDS)
    form = ListForm(values)
    choice("warehouse", values["warehouse"].upper(), warehouses, form.errors)
    for flag in ("low", "out"):
        choice(flag, values[flag], ["1"], form.errors)
    read_limit(form)
    cursor = params.get("cursor", "")
    if cursor:
        try:
            sku, warehouse = decode_cursor(cursor, 2)
            form.after = (sku, warehouse)
        except OmsError as exc:
            form.errors.append(f"page: {exc}")
    return form


def _on_order(
    session: Session, levels: list[queries.StockLevelView]
) -> dict[tuple[uuid.UUID, uuid.UUID], int]:
    """Units on open purchase orders per (warehouse, product) of these rows."""
    if not levels:
        return {}
    rows = on_order(session, product_ids={lv.product_id for lv in levels})
    return {(r.warehouse_id, r.product_id): r.quantity for r in rows}


@router.get("/inventory", response_class=HTMLResponse)
def inventory_list(request: Request, session: Reader) -> HTMLResponse:
    """Stock rows by SKU then warehouse, filtered; ``limit`` a page (50), ``cursor`` next."""
    params = query_params(request)
    with get_db(request).reader() as db_session:
        warehouses = [w.code for w in queries.list_warehouses(db_session)]
        form = read_form(params, warehouses)
        found: list[queries.StockLevelView] = []
        if not form.errors:
            found = queries.stock_levels(
                db_session,
                warehouse=form.values["warehouse"] or None,
                search=form.values["q"] or None,
                at_or_below_reorder_point=form.values["low"] == "1",
                out_of_stock=form.values["out"] == "1",
                limit=form.limit + 1,
                after=form.after,
            )
        rows = found[: form.limit]
        ordered = _on_order(db_session, rows)
    next_query = None
    if len(found) > form.limit:
        last = rows[-1]
        next_query = form.query(cursor=encode_cursor([last.sku, last.warehouse]))
    context = {
        "form": form,
        "rows": [(r, ordered.get((r.warehouse_id, r.product_id), 0)) for r in rows],
        "next_query": next_query,
        "first_query": form.query() if form.after else None,
        "saved_filters": SAVED_FILTERS,
        "warehouses": warehouses,
        "this_query": form.query(),
    }
    context |= my_filters_context(request, session, "inventory")
    partial = wants_results_only(request)
    template = "inventory/_results.html" if partial else "inventory/list.html"
    return render(request, template, context, session)


# --- a SKU's page ----------------------------------------------------------------------


def _ledger(
    session: Session, sku: str, cursor: str
) -> tuple[list[queries.MovementView], str | None, str]:
    """A page of the SKU's movements newest first, the next page's cursor, and a message
    for a cursor that cannot be read."""
    before: tuple[datetime, uuid.UUID] | None = None
    if cursor:
        try:
            before = decode_time_cursor(cursor)
        except OmsError as exc:
            return [], None, f"ledger page: {exc}"
    found = queries.movements(session, sku=sku, limit=LEDGER_PAGE + 1, before=before)
    rows = found[:LEDGER_PAGE]
    more = len(found) > LEDGER_PAGE
    return rows, encode_time_cursor(rows[-1].created_at, rows[-1].id) if more else None, ""


def _inbound(session: Session, product_id: uuid.UUID, sku: str) -> dict[str, Any]:
    """What is on its way to each warehouse: open purchase orders and transfers."""
    return {
        "on_order": on_order(session, product_ids=[product_id]),
        "in_transit": in_transit(session, sku=sku),
    }


def sku_page(
    request: Request,
    session: StaffSession,
    sku: str,
    *,
    message: str = "",
    error: OmsError | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    """The SKU's page; ``error`` (a refused action) shows above the forms, with the
    error's status code."""
    cursor = request.query_params.get("ledger", "")
    with get_db(request).reader() as db_session:
        product = get_product(db_session, sku)
        levels = queries.stock_levels(db_session, sku=product.sku, limit=MAX_PAGE_SIZE)
        warehouses = queries.list_warehouses(db_session)
        ledger, next_cursor, ledger_error = _ledger(db_session, product.sku, cursor)
        inbound = _inbound(db_session, product.id, product.sku)
        reservations = open_reservations(
            db_session, product_id=product.id, warehouse_ids=[lv.warehouse_id for lv in levels]
        )
    codes = {w.id: w.code for w in warehouses}
    context = {
        "product": product,
        "levels": levels,
        "totals": {
            k: sum(getattr(lv, k) for lv in levels) for k in ("on_hand", "reserved", "available")
        },
        "ledger": ledger,
        "ledger_error": ledger_error,
        "ledger_next": next_cursor,
        "ledger_paged": bool(cursor),
        "source_pages": SOURCE_PAGES,
        "reservations": [(r, codes.get(r.warehouse_id, "")) for r in reservations],
        "inbound": inbound,
        "warehouses": [w.code for w in warehouses if w.active],
        "reasons": [r.value for r in AdjustmentReason],
        "may_write": session.may(P.INVENTORY_WRITE),
        "message": message,
        "error": error,
        "form": form or {},
    }
    return render(request, "inventory/detail.html", context, session, status_code=status_of(error))


DONE = {
    "adjust": "The adjustment is recorded.",
    "receive": "The goods are received.",
    "settings": "The stock settings are saved.",
}


@router.get("/inventory/{sku}", response_class=HTMLResponse)
def inventory_sku(request: Request, sku: str, session: Reader, done: str = "") -> HTMLResponse:
    return sku_page(request, session, sku, message=DONE.get(done, ""))
