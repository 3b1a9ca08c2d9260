"""The catalog in the back office: products and price lists (catalog:read).

``GET /catalog`` lists products by SKU, searched by the start of a SKU or name or by a
barcode (index ranges only, ``catalog.queries.product_search``) and filtered by status,
with a SKU keyset. ``GET /catalog/{sku}`` shows a product, its prices in every price list
and a link to its stock, with the edit form for ``catalog:write``; ``GET /catalog/new``
is the form for a new product. ``GET /catalog/price-lists`` lists the price lists by
code; ``GET /catalog/price-lists/{code}`` shows one with its items and (catalog:write)
the forms to add, replace and remove items. The POSTs are in ``catalog_actions``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.catalog import queries
from ordersmith.catalog.status import ProductStatus
from ordersmith.errors import OmsError
from ordersmith.money import money_str
from ordersmith.web.pages.deps import (
    StaffSession,
    csrf_protect,
    get_db,
    render,
    require,
    status_of,
    wants_results_only,
)
from ordersmith.web.pages.listing import ListParams, choice, form_values, query_params, read_limit
from ordersmith.web.pagination import decode_cursor, encode_cursor

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
P = Permission
FILTER_FIELDS = ("q", "status", "limit")
Reader = Annotated[StaffSession, Depends(require(P.CATALOG_READ))]
Writer = Annotated[StaffSession, Depends(require(P.CATALOG_WRITE))]
#: The product form's fields, in order: (name, label).
PRODUCT_FIELDS = (
    ("name", "Name"),
    ("description", "Description"),
    ("category", "Category"),
    ("unit", "Unit"),
    ("price", "List price"),
    ("currency", "Currency"),
    ("tax_category", "Tax category"),
    ("tax_rate", "Tax rate (0.2000 for 20 %)"),
    ("weight_kg", "Weight (kg)"),
    ("barcode", "Barcode"),
)


@dataclass
class ListForm(ListParams):
    """What the list's parameters mean once read."""

    after: str | None = None


def read_list_params(params: dict[str, str], fields: tuple[str, ...]) -> ListForm:
    """The fields, ``limit`` and a one-value ``cursor``; every problem a message."""
    form = ListForm(form_values(params, fields))
    read_limit(form)
    if params.get("cursor"):
        try:
            (form.after,) = decode_cursor(params["cursor"], 1)
        except OmsError as exc:
            form.errors.append(f"page: {exc}")
    return form


def _pages(form: ListForm, more: bool, last_key: str | None) -> dict[str, Any]:
    return {
        "next_query": form.query(cursor=encode_cursor([last_key])) if more and last_key else None,
        "first_query": form.query() if form.after else None,
        "this_query": form.query(),
    }


@router.get("/catalog", response_class=HTMLResponse)
def catalog_list(request: Request, session: Reader) -> HTMLResponse:
    """Products by SKU; ``limit`` a page (50), ``cursor`` for the next."""
    params = query_params(request)
    form = read_list_params(params, FILTER_FIELDS)
    statuses = [s.value for s in ProductStatus]
    status = choice("status", form.values["status"], statuses, form.errors)
    rows: list[queries.ProductView] = []
    more = False
    if not form.errors:
        with get_db(request).reader() as db_session:
            rows, more = queries.list_products(
                db_session,
                search=form.values["q"] or None,
                status=ProductStatus(status) if status else None,
                after=form.after,
                limit=form.limit,
            )
    context = {
        "form": form,
        "rows": rows,
        "statuses": statuses,
        "money": money_str,
        "may_write": session.may(P.CATALOG_WRITE),
        **_pages(form, more, rows[-1].sku if rows else None),
    }
    partial = wants_results_only(request)
    template = "catalog/_results.html" if partial else "catalog/list.html"
    return render(request, template, context, session)


def product_form_page(
    request: Request,
    session: StaffSession,
    *,
    error: OmsError | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    """The form for a new product (``error``: why the last one was refused)."""
    defaults = {"unit": "each", "tax_category": "standard", "tax_rate": "0", "stocked": "1"}
    context = {
        "form": form if form is not None else defaults | {"status": "active"},
        "fields": PRODUCT_FIELDS,
        "statuses": [s.value for s in ProductStatus],
        "error": error,
    }
    return render(request, "catalog/new.html", context, session, status_code=status_of(error))


@router.get("/catalog/new", response_class=HTMLResponse)
def product_new(request: Request, session: Writer) -> HTMLResponse:
    return product_form_page(request, session)


# --- price lists -------------------------------------------------------------------------


@router.get("/catalog/price-lists", response_class=HTMLResponse)
def price_lists(request: Request, session: Reader) -> HTMLResponse:
    """Price lists by code, with their validity, currency, priority and number of items."""
    params = query_params(request)
    form = read_list_params(params, ("group", "limit"))
    rows: list[queries.PriceListSummary] = []
    more = False
    if not form.errors:
        with get_db(request).reader() as db_session:
            rows, more = queries.list_price_lists(
                db_session,
                customer_group=form.values["group"] or None,
                after=form.after,
                limit=form.limit,
            )
    context = {
        "form": form,
        "rows": rows,
        "today": clock.today(),
        **_pages(form, more, rows[-1].code if rows else None),
    }
    return render(request, "catalog/price_lists.html", context, session)


def price_list_page(
    request: Request,
    session: StaffSession,
    code: str,
    *,
    message: str = "",
    error: OmsError | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    """One price list with its items (price tiers per SKU, by quantity)."""
    with get_db(request).reader() as db_session:
        price_list = queries.get_price_list(db_session, code)
    context = {
        "pl": price_list,
        "today": clock.today(),
        "money": money_str,
        "may_write": session.may(P.CATALOG_WRITE),
        "message": message,
        "error": error,
        "form": form or {},
    }
    return render(
        request, "catalog/price_list.html", context, session, status_code=status_of(error)
    )


DONE = {
    "create": "The product is added.",
    "update": "The product is saved.",
    "add": "The price is saved.",
    "replace": "The price is replaced.",
    "remove": "The price is removed.",
}


@router.get("/catalog/price-lists/{code}", response_class=HTMLResponse)
def price_list_detail(request: Request, code: str, session: Reader, done: str = "") -> HTMLResponse:
    return price_list_page(request, session, code, message=DONE.get(done, ""))


# --- a product ---------------------------------------------------------------------------


def product_values(product: queries.ProductView) -> dict[str, str]:
    """The product as the edit form shows it (text per field)."""
    return {
        "name": product.name,
        "description": product.description,
        "category": product.category,
        "unit": product.unit,
        "price": money_str(product.price, product.currency),
        "currency": product.currency,
        "tax_category": product.tax_category,
        "tax_rate": f"{product.tax_rate:f}",
        "weight_kg": "" if product.weight_kg is None else f"{product.weight_kg:f}",
        "barcode": product.barcode or "",
        "status": product.status.value,
        "stocked": "1" if product.stocked else "",
    }


def product_page(
    request: Request,
    session: StaffSession,
    sku: str,
    *,
    message: str = "",
    error: OmsError | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    """The product, its prices in every price list, and the edit form."""
    with get_db(request).reader() as db_session:
        product = queries.get_product(db_session, sku)
        prices = queries.product_prices(db_session, product.id)
    context = {
        "product": product,
        "prices": prices,
        "today": clock.today(),
        "money": money_str,
        "fields": PRODUCT_FIELDS,
        "statuses": [s.value for s in ProductStatus],
        "form": form if form is not None else product_values(product),
        "may_write": session.may(P.CATALOG_WRITE),
        "may_see_stock": session.may(P.INVENTORY_READ),
        "message": message,
        "error": error,
    }
    return render(request, "catalog/detail.html", context, session, status_code=status_of(error))


@router.get("/catalog/{sku}", response_class=HTMLResponse)
def product_detail(request: Request, sku: str, session: Reader, done: str = "") -> HTMLResponse:
    return product_page(request, session, sku, message=DONE.get(done, ""))
