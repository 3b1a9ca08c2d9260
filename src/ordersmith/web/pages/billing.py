"""Billing in the back office: the invoices list with the aging strip, and the invoice
page (lines, taxes, what settled it, its credit notes, the PDF and the forms).

``GET /billing`` takes its filters (status, customer number, order number, due-date
range, paid since) as plain query parameters, so every list is a bookmarkable link and
the form works without JavaScript; with HTMX the form refreshes only the results
(``billing/_results.html``). Newest first by (issue date, number), a keyset cursor for
the next page. The strip above it is ``billing.receivables.aging`` as of today, each
bucket a link to the open invoices due in its days. ``GET /billing/invoices/{number}``
shows one invoice and, to ``billing:write``, the forms (the POSTs are in
``billing_actions``); ``/billing/invoices/{number}/pdf`` is the invoice's PDF.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.billing import queries
from ordersmith.billing.documents import invoice_pdf_bytes, tax_summary
from ordersmith.billing.models import CreditReason, PaymentMethod
from ordersmith.billing.receivables import aging
from ordersmith.billing.views import InvoiceSummary
from ordersmith.customers.queries import find_customer, get_customer, numbers_and_names
from ordersmith.errors import OmsError
from ordersmith.money import money_str
from ordersmith.orders import queries as order_queries
from ordersmith.orders.errors import OrderNotFound
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
    ListParams,
    choice,
    day,
    form_values,
    query_params,
    read_limit,
)
from ordersmith.web.pages.saved_filters import my_filters_context
from ordersmith.web.pagination import decode_cursor, encode_cursor

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
P = Permission
Reader = Annotated[StaffSession, Depends(require(P.BILLING_READ))]
FILTER_FIELDS = ("status", "customer", "order", "due_from", "due_to", "paid_since", "limit")
#: ``open``: issued or partly paid with a balance; ``overdue``: open and due before today
STATUSES = ["open", "overdue", "issued", "partially_paid", "paid", "credited"]
#: The aging buckets: (label, AgingRow field, first and last day past due or None)
BUCKETS = (
    ("Current", "current", None, 0),
    ("1-30 days", "days_1_30", 1, 30),
    ("31-60 days", "days_31_60", 31, 60),
    ("61-90 days", "days_61_90", 61, 90),
    ("Over 90 days", "over_90", 91, None),
)


def percent(rate: Decimal) -> str:
    """A tax rate (0.2) as a percentage (20)."""
    return f"{(rate * 100).normalize():f}"


def saved_filters(today: date) -> list[tuple[str, str]]:
    return [
        ("Overdue", "status=overdue"),
        ("Open", "status=open"),
        ("Paid this month", f"status=paid&paid_since={today.replace(day=1).isoformat()}"),
    ]


def bucket_query(today: date, first: int | None, last: int | None) -> str:
    """The invoices list's filter for open invoices ``first``..``last`` days past due
    (None: unbounded; ``last`` 0: not yet due)."""
    parts = ["status=open"]
    if last is not None:
        parts.append(f"due_from={(today - timedelta(days=last)).isoformat()}")
    if first is not None:
        parts.append(f"due_to={(today - timedelta(days=first)).isoformat()}")
    return "&".join(parts)


def bucket_links(today: date) -> list[tuple[str, str, str]]:
    """(label, AgingRow field, invoices list query) per aging bucket."""
    return [(label, name, bucket_query(today, a, b)) for label, name, a, b in BUCKETS]


# --- reading list parameters (shared by the billing lists) ------------------------------


def encode_day_cursor(on: date, number: str) -> str:
    return encode_cursor([on.isoformat(), number])


def read_day_cursor(params: dict[str, str], errors: list[str]) -> tuple[date, str] | None:
    """The (day, number) keyset cursor of a billing list, or None (a message if bad)."""
    cursor = params.get("cursor", "")
    if not cursor:
        return None
    try:
        on, number = decode_cursor(cursor, 2)
        return date.fromisoformat(on), number
    except (OmsError, ValueError):
        errors.append("page: the cursor is not one this list made")
        return None


def read_customer(session: Session, text: str, errors: list[str]) -> Any:
    if not text:
        return None
    found = find_customer(session, text)
    if found is None:
        errors.append(f"customer: no customer {text!r}")
        return None
    return found.id


# --- the invoices list ------------------------------------------------------------------


@dataclass
class InvoiceListForm(ListParams):
    status: str | None = None
    customer_id: Any = None
    flt: queries.InvoiceFilter = field(default_factory=queries.InvoiceFilter)
    before: tuple[date, str] | None = None


def read_form(session: Session, params: dict[str, str]) -> InvoiceListForm:
    """Read the filters; every problem becomes a message (nothing raises)."""
    values = form_values(params, FILTER_FIELDS)
    form = InvoiceListForm(values)
    errors = form.errors
    form.status = choice("status", values["status"], STATUSES, errors)
    form.customer_id = read_customer(session, values["customer"], errors)
    order_id = None
    if values["order"]:
        try:
            order_id = order_queries.order_id(session, values["order"])
        except OrderNotFound:
            errors.append(f"order: no order {values['order']!r}")
    paid_since = day("paid_since", values["paid_since"], errors)
    form.flt = queries.InvoiceFilter(
        order_id=order_id,
        open_only=form.status == "open",
        due_from=day("due_from", values["due_from"], errors),
        due_to=day("due_to", values["due_to"], errors),
        settled_since=datetime.combine(paid_since, time(0), tzinfo=UTC) if paid_since else None,
    )
    read_limit(form)
    form.before = read_day_cursor(params, errors)
    return form


def find_invoices(session: Session, form: InvoiceListForm) -> list[InvoiceSummary]:
    stored = form.status if form.status not in (None, "open", "overdue") else None
    return queries.list_invoices(
        session,
        customer_id=form.customer_id,
        status=stored,
        overdue_only=form.status == "overdue",
        limit=form.limit + 1,
        before=form.before,
        flt=form.flt,
    )


@router.get("/billing", response_class=HTMLResponse)
def invoices_list(request: Request, session: Reader) -> HTMLResponse:
    """Invoices newest first, filtered; ``limit`` a page (50), ``cursor`` for the next."""
    today = clock.today()
    with get_db(request).reader() as db_session:
        form = read_form(db_session, query_params(request))
        found = [] if form.errors else find_invoices(db_session, form)
        names = numbers_and_names(db_session, {i.customer_id for i in found})
        partial = wants_results_only(request)
        report = None if partial else aging(db_session, as_of=today)
    rows = [(i, *names.get(i.customer_id, ("", ""))) for i in found[: form.limit]]
    next_query = None
    if len(found) > form.limit:
        last = found[form.limit - 1]
        next_query = form.query(cursor=encode_day_cursor(last.issue_date, last.number))
    context = {
        "form": form,
        "rows": rows,
        "next_query": next_query,
        "first_query": form.query() if form.before else None,
        "saved_filters": saved_filters(today),
        "statuses": STATUSES,
        "this_query": form.query(),
        "aging": report,
        "buckets": bucket_links(today),
        "money": money_str,
    }
    context |= my_filters_context(request, session, "billing")
    template = "billing/_results.html" if partial else "billing/list.html"
    return render(request, template, context, session)


# --- the invoice page -------------------------------------------------------------------


def invoice_page(
    request: Request,
    session: StaffSession,
    number: str,
    *,
    message: str = "",
    error: OmsError | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    """The invoice page; ``error`` (a refused action) shows above the forms, with the
    error's status code (the page itself is the same)."""
    with get_db(request).reader() as db_session:
        invoice = queries.get_invoice(db_session, number)
        customer = get_customer(db_session, invoice.customer_id)
        credit_notes = queries.list_credit_notes(db_session, invoice_id=invoice.id, limit=200)
        order_number = (
            order_queries.get_order(db_session, str(invoice.order_id)).number
            if invoice.order_id
            else None
        )
    creditable = invoice.total - invoice.credit_notes_total
    may_write = session.may(P.BILLING_WRITE)
    context = {
        "invoice": invoice,
        "customer": customer,
        "order_number": order_number,
        "credit_notes": credit_notes,
        "taxes": tax_summary((ln.tax_rate, ln.net_amount, ln.tax_amount) for ln in invoice.lines),
        "creditable": creditable,
        "may_pay": may_write and invoice.balance > 0,
        "may_credit": may_write and creditable > 0,
        "may_write": may_write,
        "methods": [m.value for m in PaymentMethod],
        "reasons": [r.value for r in CreditReason],
        "today": clock.today().isoformat(),
        "year_start": clock.today().replace(month=1, day=1).isoformat(),
        "money": money_str,
        "percent": percent,
        "message": message,
        "error": error,
        "form": form or {},
    }
    return render(request, "billing/invoice.html", context, session, status_code=status_of(error))


DONE = {
    "issued": "The invoice is issued.",
    "payment": "The payment is recorded.",
    "credit_note": "The credit note is issued.",
    "statement": "The statement will be emailed to the customer.",
}


@router.get("/billing/invoices/{number}", response_class=HTMLResponse)
def invoice_detail(request: Request, number: str, session: Reader, done: str = "") -> HTMLResponse:
    return invoice_page(request, session, number, message=DONE.get(done, ""))


def pdf_response(content: bytes, number: str) -> Response:
    return Response(
        content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{number}.pdf"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/billing/invoices/{number}/pdf")
def invoice_pdf(request: Request, number: str, session: Reader) -> Response:
    """The invoice as printed (the same PDF the customer gets)."""
    db = get_db(request)
    with db.reader() as db_session:
        invoice = queries.get_invoice(db_session, number)
        content = invoice_pdf_bytes(db_session, db.settings, invoice.id)
    return pdf_response(content, invoice.number)
