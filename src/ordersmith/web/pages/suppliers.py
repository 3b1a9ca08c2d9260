"""Suppliers in the back office: the list (by code, searchable, keyset by the last code
seen) and the supplier page with the products it supplies (cost, lead time, minimum
order, pack, preferred) and its scorecard (``purchasing.scorecard``: on-time rate, fill
rate, lead time, price variance). Read-only: suppliers are kept through the API and
the CLI."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from ordersmith.auth.permissions import Permission
from ordersmith.money import money_str
from ordersmith.purchasing import queries
from ordersmith.purchasing.scorecard import supplier_scorecard
from ordersmith.purchasing.views import SupplierView
from ordersmith.web.pages.deps import StaffSession, csrf_protect, get_db, render, require
from ordersmith.web.pages.listing import ListParams, choice, form_values, query_params, read_limit

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
Reader = Annotated[StaffSession, Depends(require(Permission.PURCHASING_READ))]
FILTER_FIELDS = ("q", "active", "limit")
ACTIVE = {"yes": True, "no": False}


def percent(rate: Decimal | None) -> str:
    """A four-place ratio as a percentage with one decimal ("—" when there is none)."""
    return "—" if rate is None else f"{rate * 100:.1f} %"


@router.get("/purchasing/suppliers", response_class=HTMLResponse)
def suppliers_list(request: Request, session: Reader) -> HTMLResponse:
    """Suppliers by code; ``q`` matches the code or name; ``after`` the last code seen."""
    params = query_params(request)
    form = ListParams(form_values(params, FILTER_FIELDS))
    active = choice("active", form.values["active"], list(ACTIVE), form.errors)
    read_limit(form)
    after = params.get("after", "").strip()[:20] or None
    rows: list[SupplierView] = []
    more = False
    if not form.errors:
        with get_db(request).reader() as db_session:
            rows, more = queries.list_suppliers(
                db_session,
                active=ACTIVE[active] if active else None,
                q=form.values["q"] or None,
                after=after,
                limit=form.limit,
            )
    context = {
        "form": form,
        "rows": rows,
        "next_query": form.query(after=rows[-1].code) if more else None,
        "first_query": form.query() if after else None,
    }
    return render(request, "purchasing/suppliers.html", context, session)


@router.get("/purchasing/suppliers/{code}", response_class=HTMLResponse)
def supplier_detail(request: Request, code: str, session: Reader) -> HTMLResponse:
    with get_db(request).reader() as db_session:
        supplier = queries.get_supplier(db_session, code)
        products = queries.supplier_products(db_session, supplier_id=supplier.id)
        card = supplier_scorecard(db_session, supplier.id)
    context = {
        "supplier": supplier,
        "products": products,
        "card": card,
        "percent": percent,
        "money": money_str,
    }
    return render(request, "purchasing/supplier.html", context, session)
