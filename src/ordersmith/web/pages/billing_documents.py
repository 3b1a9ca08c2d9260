"""Payments and credit notes in the back office: their keyset lists and their pages.

``GET /billing/payments`` (customer number, unallocated only) and
``GET /billing/credit-notes`` (customer number) list newest first by (day, number),
50 a page with a cursor for the next. ``GET /billing/payments/{number}`` shows the
invoices a payment settled and its refunds, with the refund form to ``billing:write``;
``GET /billing/credit-notes/{number}`` its lines, where it was applied and what it
freed, and ``/billing/credit-notes/{number}/pdf`` the credit note as printed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from ordersmith.auth.permissions import Permission
from ordersmith.billing import queries
from ordersmith.billing.documents import credit_note_pdf_bytes
from ordersmith.customers.queries import get_customer, numbers_and_names
from ordersmith.errors import OmsError
from ordersmith.money import money_str
from ordersmith.web.pages.billing import (
    Reader,
    encode_day_cursor,
    pdf_response,
    read_customer,
    read_day_cursor,
)
from ordersmith.web.pages.deps import (
    StaffSession,
    csrf_protect,
    get_db,
    render,
    status_of,
    wants_results_only,
)
from ordersmith.web.pages.listing import ListParams, form_values, query_params, read_limit

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
P = Permission


@dataclass
class DocumentListForm(ListParams):
    customer_id: Any = None
    unallocated: bool = False
    before: tuple[date, str] | None = None


def read_form(request: Request, db_session: Any, fields: tuple[str, ...]) -> DocumentListForm:
    params = query_params(request)
    form = DocumentListForm(form_values(params, fields))
    form.customer_id = read_customer(db_session, form.values["customer"], form.errors)
    form.unallocated = form.values.get("unallocated", "") == "1"
    read_limit(form)
    form.before = read_day_cursor(params, form.errors)
    return form


def _list_page(
    request: Request,
    session: StaffSession,
    form: DocumentListForm,
    found: list[Any],
    names: dict[Any, tuple[str, str]],
    *,
    day: str,
    page: str,
) -> HTMLResponse:
    """The list page ``billing/<page>.html``, or its results part
    ``billing/_<page>_results.html`` for HTMX."""
    rows = [(d, *names.get(d.customer_id, ("", ""))) for d in found[: form.limit]]
    next_query = None
    if len(found) > form.limit:
        last = found[form.limit - 1]
        next_query = form.query(cursor=encode_day_cursor(getattr(last, day), last.number))
    context = {
        "form": form,
        "rows": rows,
        "next_query": next_query,
        "first_query": form.query() if form.before else None,
        "this_query": form.query(),
        "money": money_str,
    }
    partial = wants_results_only(request)  # HTMX: the results part only
    template = f"billing/_{page}_results.html" if partial else f"billing/{page}.html"
    return render(request, template, context, session)


@router.get("/billing/payments", response_class=HTMLResponse)
def payments_list(request: Request, session: Reader) -> HTMLResponse:
    """Payments newest first (received on, number); ``unallocated=1``: with money left."""
    with get_db(request).reader() as db_session:
        form = read_form(request, db_session, ("customer", "unallocated", "limit"))
        found = []
        if not form.errors:
            found = queries.list_payments(
                db_session,
                customer_id=form.customer_id,
                unallocated_only=form.unallocated,
                limit=form.limit + 1,
                before=form.before,
            )
        names = numbers_and_names(db_session, {p.customer_id for p in found})
    return _list_page(request, session, form, found, names, day="received_on", page="payments")


@router.get("/billing/credit-notes", response_class=HTMLResponse)
def credit_notes_list(request: Request, session: Reader) -> HTMLResponse:
    """Credit notes newest first (issue date, number)."""
    with get_db(request).reader() as db_session:
        form = read_form(request, db_session, ("customer", "limit"))
        found = []
        if not form.errors:
            found = queries.list_credit_notes(
                db_session, customer_id=form.customer_id, limit=form.limit + 1, before=form.before
            )
        names = numbers_and_names(db_session, {c.customer_id for c in found})
    return _list_page(request, session, form, found, names, day="issue_date", page="credit_notes")


def payment_page(
    request: Request,
    session: StaffSession,
    number: str,
    *,
    message: str = "",
    error: OmsError | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    """The payment page; ``error`` (a refused refund) above the form, with its status."""
    with get_db(request).reader() as db_session:
        payment = queries.get_payment(db_session, number)
        customer = get_customer(db_session, payment.customer_id)
    context = {
        "payment": payment,
        "customer": customer,
        "may_refund": session.may(P.BILLING_WRITE) and payment.unallocated > 0,
        "money": money_str,
        "message": message,
        "error": error,
        "form": form or {},
    }
    return render(request, "billing/payment.html", context, session, status_code=status_of(error))


@router.get("/billing/payments/{number}", response_class=HTMLResponse)
def payment_detail(request: Request, number: str, session: Reader, done: str = "") -> HTMLResponse:
    message = "The refund is recorded." if done == "refund" else ""
    return payment_page(request, session, number, message=message)


@router.get("/billing/credit-notes/{number}", response_class=HTMLResponse)
def credit_note_detail(request: Request, number: str, session: Reader) -> HTMLResponse:
    with get_db(request).reader() as db_session:
        credit_note = queries.get_credit_note(db_session, number)
        customer = get_customer(db_session, credit_note.customer_id)
    context = {"cn": credit_note, "customer": customer, "money": money_str}
    return render(request, "billing/credit_note.html", context, session)


@router.get("/billing/credit-notes/{number}/pdf")
def credit_note_pdf(request: Request, number: str, session: Reader) -> Response:
    """The credit note as printed (the same PDF the customer gets)."""
    db = get_db(request)
    with db.reader() as db_session:
        credit_note = queries.get_credit_note(db_session, number)
        content = credit_note_pdf_bytes(db_session, db.settings, credit_note.id)
    return pdf_response(content, credit_note.number)
