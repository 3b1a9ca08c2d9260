"""Drafting a purchase order by hand: ``GET /purchasing/orders/new`` (the form: supplier,
delivery warehouse, up to ten lines of SKU and quantity, notes) and ``POST
/purchasing/orders`` (``purchasing.services.create_purchase_order``, as the user, who
needs ``purchasing:write``). Done: 303 to the new draft. Refused (a product the supplier
does not supply, a quantity below its minimum or off its pack, an inactive supplier):
the form again with the service's message and code, and what was typed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ordersmith.auth.permissions import Permission
from ordersmith.errors import FieldError, OmsError
from ordersmith.inventory.queries import list_warehouses
from ordersmith.purchasing.inputs import LineInput
from ordersmith.purchasing.queries import list_suppliers
from ordersmith.purchasing.services import create_purchase_order
from ordersmith.web.pages.deps import (
    StaffSession,
    csrf_protect,
    get_db,
    render,
    require,
    staff_unit_of_work,
    status_of,
)
from ordersmith.web.pages.forms import Fields, refuse, units

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
Writer = Annotated[StaffSession, Depends(require(Permission.PURCHASING_WRITE))]
LINES = 10
MAX_SUPPLIERS = 500


def new_purchase_order_page(
    request: Request,
    session: StaffSession,
    *,
    error: OmsError | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    with get_db(request).reader() as db_session:
        suppliers, _more = list_suppliers(db_session, active=True, limit=MAX_SUPPLIERS)
        warehouses = [w.code for w in list_warehouses(db_session) if w.active]
    context = {
        "suppliers": suppliers,
        "warehouses": warehouses,
        "lines": range(LINES),
        "error": error,
        "form": form or {},
    }
    return render(request, "purchasing/new.html", context, session, status_code=status_of(error))


@router.get("/purchasing/orders/new", response_class=HTMLResponse)
def purchase_order_new(request: Request, session: Writer) -> HTMLResponse:
    return new_purchase_order_page(request, session)


def typed_lines(fields: dict[str, str]) -> list[LineInput]:
    """The rows with a SKU (``sku<i>``, ``quantity<i>``); a bad quantity is a problem."""
    problems: list[FieldError] = []
    lines = []
    for i in range(LINES):
        sku = fields.get(f"sku{i}", "").strip()
        if sku:
            lines.append(LineInput(sku, units(fields, f"quantity{i}", problems)))
    refuse(problems, "purchase order")
    return lines


@router.post("/purchasing/orders")
def purchase_order_create(request: Request, session: Writer, fields: Fields) -> Response:
    made: list[str] = []
    try:
        lines = typed_lines(fields)
        with staff_unit_of_work(request, session) as uow:  # the number is taken first
            po = create_purchase_order(
                uow,
                supplier=fields.get("supplier", "").strip(),
                warehouse=fields.get("warehouse", "").strip(),
                lines=lines,
                notes=fields.get("notes", ""),
            )
            made.append(po.number)
    except OmsError as exc:
        return new_purchase_order_page(request, session, error=exc, form=fields)
    return RedirectResponse(f"/purchasing/orders/{made[0]}?done=create", status_code=303)
