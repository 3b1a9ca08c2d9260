"""My orders (newest first, keyset pages, status kept live by HTMX), the order page,
my invoices with their balance, and an invoice's PDF — all scoped to the signed-in
customer: another customer's order or invoice answers 404 like an unknown number."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from ordersmith.billing.documents import invoice_pdf_bytes
from ordersmith.billing.queries import get_invoice
from ordersmith.errors import OmsError
from ordersmith.money import money_str
from ordersmith.orders.status import OrderStatus
from ordersmith.portal import queries
from ordersmith.web.pages.deps import get_db, wants_results_only
from ordersmith.web.pages.listing import ListParams, choice
from ordersmith.web.pagination import (
    decode_cursor,
    decode_time_cursor,
    encode_cursor,
    encode_time_cursor,
)
from ordersmith.web.portal.deps import Customer, portal_csrf, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(portal_csrf)])
PAGE = 20


def _params(request: Request, *names: str) -> ListParams:
    return ListParams(
        {n: str(request.query_params.get(n, "")).strip()[:200] for n in names}, limit=PAGE
    )


@router.get("/portal/orders", response_class=HTMLResponse)
def my_orders(request: Request, session: Customer) -> HTMLResponse:
    form = _params(request, "status")
    status = choice("status", form.values["status"], [s.value for s in OrderStatus], form.errors)
    before = None
    cursor = str(request.query_params.get("cursor", ""))
    if cursor:
        try:
            before = decode_time_cursor(cursor)
        except OmsError as exc:
            form.errors.append(f"page: {exc}")
    found = []
    shipments: dict[Any, Any] = {}
    if not form.errors:
        with get_db(request).reader() as db_session:
            found = queries.my_orders(
                db_session,
                session.customer_id,
                limit=PAGE + 1,
                before=before,
                status=OrderStatus(status) if status else None,
            )
            shipments = queries.shipments_of(db_session, [o.id for o in found[:PAGE]])
    next_query = None
    if len(found) > PAGE:
        last = found[PAGE - 1]
        next_query = form.query(cursor=encode_time_cursor(last.created_at, last.id))
    rows = [(o, money_str(o.total, o.currency), shipments.get(o.id, [])) for o in found[:PAGE]]
    context = {
        "form": form,
        "rows": rows,
        "next_query": next_query,
        "first_query": form.query() if before else None,
        "statuses": [s.value for s in OrderStatus],
        "this_query": request.url.query,
    }
    partial = wants_results_only(request)
    template = "portal/_orders.html" if partial else "portal/orders.html"
    return render(request, template, context, session)


@router.get("/portal/orders/{number}", response_class=HTMLResponse)
def order_page(request: Request, number: str, session: Customer, done: str = "") -> HTMLResponse:
    with get_db(request).reader() as db_session:
        page = queries.customer_order(db_session, session.customer_id, number)
    order = page.order
    money = {
        k: money_str(getattr(order, k), order.currency)
        for k in ("subtotal", "discount_total", "tax_total", "shipping_total", "total")
    }
    context = {
        "page": page,
        "order": order,
        "money": money,
        "lines": [(line, money_str(line.net_amount, order.currency)) for line in order.lines],
        "invoices": [
            (i, money_str(i.total, i.currency), money_str(i.balance, i.currency))
            for i in page.invoices
        ],
        "message": DONE.get(done, ""),
    }
    return render(request, "portal/order.html", context, session)


DONE = {
    "placed": "Thank you: your order is placed.",
    "return": "Your return request is sent: we will email you when it is accepted.",
    "case": "Your message is sent: we will answer by email.",
}


def _invoice_cursor(cursor: str, errors: list[str]) -> tuple[date, str] | None:
    if not cursor:
        return None
    try:
        issued, number = decode_cursor(cursor, 2)
        return date.fromisoformat(issued), number
    except (OmsError, ValueError) as exc:
        errors.append(f"page: {exc}")
        return None


@router.get("/portal/invoices", response_class=HTMLResponse)
def my_invoices(request: Request, session: Customer) -> HTMLResponse:
    form = _params(request)
    before = _invoice_cursor(str(request.query_params.get("cursor", "")), form.errors)
    found = []
    if not form.errors:
        with get_db(request).reader() as db_session:
            found = queries.my_invoices(
                db_session, session.customer_id, limit=PAGE + 1, before=before
            )
    next_query = None
    if len(found) > PAGE:
        last = found[PAGE - 1]
        next_query = form.query(cursor=encode_cursor([last.issue_date.isoformat(), last.number]))
    rows = [
        (i, money_str(i.total, i.currency), money_str(i.balance, i.currency)) for i in found[:PAGE]
    ]
    context = {"form": form, "rows": rows, "next_query": next_query, "first": before is not None}
    return render(request, "portal/invoices.html", context, session)


@router.get("/portal/invoices/{number}.pdf", response_model=None)
def invoice_pdf(request: Request, number: str, session: Customer) -> Response:
    """The invoice as printed (the same render as the back office and the email)."""
    db = get_db(request)
    with db.reader() as db_session:
        invoice = get_invoice(db_session, number, customer_id=session.customer_id)
        pdf = invoice_pdf_bytes(db_session, db.settings, invoice.id)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{invoice.number}.pdf"',
            "Cache-Control": "no-store",
        },
    )
