"""Receivables and the accounting hand-off: invoice, credit note and statement PDFs,
customer statements, AR aging, DSO, payment history, and accounting export batches.

Documents are addressed by id or number, customers by id or number. Exports: `POST
/exports` makes (or finds again) a batch; its file is `GET /exports/{id}/file`
(docs/accounting-export.md).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.auth.services import Principal
from ordersmith.billing import exports
from ordersmith.billing.documents import (
    credit_note_pdf_bytes,
    invoice_pdf_bytes,
    statement_document,
)
from ordersmith.billing.export_formats import XERO_TAX_RATE
from ordersmith.billing.overdue import request_statement_email
from ordersmith.billing.queries import get_credit_note, get_invoice
from ordersmith.billing.receivables import aging, days_sales_outstanding, payment_history
from ordersmith.documents import statement_pdf
from ordersmith.uow import UnitOfWork
from ordersmith.web.deps import DbDep, require
from ordersmith.web.idempotent import create_once
from ordersmith.web.schemas.receivables import (
    AgingOut,
    DsoOut,
    ExportBatchOut,
    ExportCreate,
    PaymentHistoryOut,
    StatementEmailIn,
    StatementOut,
)

router = APIRouter(tags=["receivables"])

Reader = Annotated[Principal, Depends(require(Permission.BILLING_READ))]
Writer = Annotated[Principal, Depends(require(Permission.BILLING_WRITE))]
PDF: dict[int | str, dict[str, Any]] = {200: {"content": {"application/pdf": {}}}}
CSV: dict[int | str, dict[str, Any]] = {200: {"content": {"text/csv": {}}}}
DateFrom = Annotated[date, Query(alias="from", description="first day, YYYY-MM-DD")]
DateTo = Annotated[date, Query(alias="to", description="last day, included")]


def _pdf(content: bytes, name: str) -> Response:
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}.pdf"'},
    )


@router.get("/invoices/{invoice}/pdf", response_class=Response, responses=PDF)
def invoice_pdf(invoice: str, db: DbDep, _: Reader) -> Response:
    """The invoice as printed (A4 PDF): lines, tax summary per rate, totals, what was
    paid and credited so far, and the balance due."""
    with db.reader() as session:
        number = get_invoice(session, invoice).number
        content = invoice_pdf_bytes(session, db.settings, number)
    return _pdf(content, number)


@router.get("/credit-notes/{credit_note}/pdf", response_class=Response, responses=PDF)
def credit_note_pdf(credit_note: str, db: DbDep, _: Reader) -> Response:
    """The credit note as printed (A4 PDF)."""
    with db.reader() as session:
        number = get_credit_note(session, credit_note).number
        content = credit_note_pdf_bytes(session, db.settings, number)
    return _pdf(content, number)


@router.get("/customers/{customer}/statement", response_model=StatementOut)
def statement(
    customer: str, db: DbDep, _: Reader, date_from: DateFrom, date_to: DateTo
) -> StatementOut:
    """The customer's statement of account from `from` to `to` (both included) in their
    currency: opening balance, every invoice, payment, credit note and refund with a
    running balance, the closing balance and the aging of what is open on `to`."""
    with db.reader() as session:
        doc = statement_document(
            session, db.settings, customer, date_from=date_from, date_to=date_to
        )
    return StatementOut.of(doc)


@router.get("/customers/{customer}/statement/pdf", response_class=Response, responses=PDF)
def statement_as_pdf(
    customer: str, db: DbDep, _: Reader, date_from: DateFrom, date_to: DateTo
) -> Response:
    """The same statement as an A4 PDF."""
    with db.reader() as session:
        doc = statement_document(
            session, db.settings, customer, date_from=date_from, date_to=date_to
        )
    return _pdf(statement_pdf(doc), f"statement-{doc.customer_number}-{date_to.isoformat()}")


@router.post("/customers/{customer}/statement/email", status_code=202)
def email_statement(
    customer: str, body: StatementEmailIn, db: DbDep, principal: Writer
) -> dict[str, str]:
    """Email the customer their statement of the period as a PDF (through the worker)."""
    with db.unit_of_work(actor=principal.actor) as uow:
        customer_id = request_statement_email(
            uow, customer=customer, date_from=body.date_from, date_to=body.date_to
        )
    return {"status": "queued", "customer_id": str(customer_id)}


@router.get("/customers/{customer}/payment-history", response_model=PaymentHistoryOut)
def customer_payment_history(
    customer: str,
    db: DbDep,
    _: Reader,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> PaymentHistoryOut:
    """The customer's payments, newest first, each with the invoices it settled and the
    days taken to pay them; all-time average days to pay and share paid late."""
    with db.reader() as session:
        return PaymentHistoryOut.of(payment_history(session, customer, limit=limit))


@router.get("/receivables/aging", response_model=AgingOut)
def receivables_aging(
    db: DbDep,
    _: Reader,
    as_of: Annotated[date | None, Query(description="YYYY-MM-DD; default today (UTC)")] = None,
    customer_id: uuid.UUID | None = None,
) -> AgingOut:
    """Open invoice balances as they stood at the end of `as_of`, per customer and
    currency, by days past due: current, 1-30, 31-60, 61-90, over 90; totals per currency."""
    with db.reader() as session:
        report = aging(session, as_of=as_of or clock.today(), customer_id=customer_id)
    return AgingOut.of(report)


@router.get("/receivables/dso", response_model=DsoOut)
def receivables_dso(
    db: DbDep,
    _: Reader,
    days: Annotated[int, Query(ge=1, le=3650, description="the window, in days")] = 90,
    as_of: Annotated[
        date | None, Query(description="last day of the window; default today")
    ] = None,
) -> DsoOut:
    """Days sales outstanding per currency: receivables of account invoices on `as_of` /
    their credit sales over the `days` ending on `as_of` x `days` (one decimal)."""
    day = as_of or clock.today()
    with db.reader() as session:
        rows = days_sales_outstanding(session, as_of=day, days=days)
    return DsoOut.of(day, days, rows)


@router.post("/exports", status_code=201, response_model=ExportBatchOut)
def create_export(
    body: ExportCreate, request: Request, db: DbDep, principal: Writer
) -> JSONResponse:
    """Hand the period off to the accounting software: `journal` (our CSV), `xero`
    (Xero's Manual Journal import) or `invoices`. The same kind and period again
    returns the same batch (`created: false`) and marks nothing; `new_only` makes a
    new batch of the period's journal entries not exported yet. Fetch the CSV from
    `file_url`."""

    def action(uow: UnitOfWork) -> dict[str, Any]:
        result = exports.export(
            uow,
            kind=body.kind.value,
            date_from=body.date_from,
            date_to=body.date_to,
            new_only=body.new_only,
        )
        out = ExportBatchOut.of(result.batch, result)
        return out.model_dump(mode="json", by_alias=True)

    return create_once(request, db, principal, body.model_dump(mode="json"), action)


@router.get("/exports", response_model=list[ExportBatchOut])
def list_exports(
    db: DbDep, _: Reader, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> list[ExportBatchOut]:
    """Export batches, newest first."""
    with db.reader() as session:
        return [ExportBatchOut.of(b) for b in exports.list_batches(session, limit=limit)]


@router.get("/exports/{batch}", response_model=ExportBatchOut)
def get_export(batch: str, db: DbDep, _: Reader) -> ExportBatchOut:
    with db.reader() as session:
        return ExportBatchOut.of(exports.get_batch(session, batch))


@router.get("/exports/{batch}/file", response_class=Response, responses=CSV)
def export_file(
    batch: str,
    db: DbDep,
    _: Reader,
    file_format: Annotated[
        str | None,
        Query(alias="format", max_length=16, description="journal or xero for a journal batch"),
    ] = None,
    xero_tax_rate: Annotated[
        str, Query(max_length=100, description="the Xero tax rate name on every line")
    ] = XERO_TAX_RATE,
) -> Response:
    """The batch's CSV (UTF-8, CRLF), generated again from exactly its entries."""
    with db.reader() as session:
        found = exports.batch_file(
            session, batch, file_format=file_format, xero_tax_rate=xero_tax_rate
        )
    return Response(
        found.content,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{found.filename}"'},
    )
