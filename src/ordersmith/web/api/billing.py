"""Billing: invoices, payments and refunds, credit notes, customer credit and balances.

Creating POSTs accept `Idempotency-Key` (money must move once). Documents are addressed
by id or number; lists are newest first with keyset cursors on (date, number).
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from ordersmith.adapters.payments import MANUAL, ManualProvider
from ordersmith.auth.permissions import Permission
from ordersmith.auth.services import Principal
from ordersmith.billing import queries
from ordersmith.billing.card_payments import take_card_payment
from ordersmith.billing.credit import apply_customer_credit
from ordersmith.billing.credit_notes import issue_credit_note
from ordersmith.billing.invoices import invoice_order, invoice_shipment
from ordersmith.billing.models import InvoiceStatus, PaymentMethod
from ordersmith.billing.payments import record_payment, refund_payment
from ordersmith.billing.views import InvoiceView, PaymentView
from ordersmith.customers.queries import get_customer
from ordersmith.errors import FieldError, OmsError, ValidationFailed
from ordersmith.uow import UnitOfWork
from ordersmith.validation import matchable
from ordersmith.web.deps import DbDep, require
from ordersmith.web.idempotent import create_once
from ordersmith.web.pagination import DEFAULT_LIMIT, MAX_LIMIT, decode_cursor, encode_cursor
from ordersmith.web.schemas.billing import (
    ApplyCreditIn,
    CreditApplicationOut,
    CreditAppliedOut,
    CreditNoteCreate,
    CreditNoteOut,
    CustomerBalanceOut,
    InvoiceCreate,
    InvoiceCreditNoteOut,
    InvoiceOut,
    InvoiceSummaryOut,
    PaymentCreate,
    PaymentOut,
    RefundCreate,
    SettlementOut,
)
from ordersmith.web.schemas.common import Page

router = APIRouter(tags=["billing"])

Reader = Annotated[Principal, Depends(require(Permission.BILLING_READ))]
Writer = Annotated[Principal, Depends(require(Permission.BILLING_WRITE))]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
# what the manual card terminal calls a field, and what this API calls it
_MANUAL_FIELDS = {"card_token": "card_last4", "reference": "provider_reference"}


def _decode(cursor: str | None) -> tuple[date, str] | None:
    """A (date, number) keyset position, as encoded by ``_next``."""
    if cursor is None:
        return None
    day, number = decode_cursor(cursor, 2)
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        parsed = None
    if parsed is None or not matchable(number) or len(number) > 32:
        raise ValidationFailed("the cursor is not one this API returned", code="invalid_cursor")
    return parsed, number


def _next(rows: list[object], limit: int, day: str, number: str = "number") -> str | None:
    if len(rows) <= limit:
        return None
    last = rows[limit - 1]
    return encode_cursor([getattr(last, day), getattr(last, number)])


def _invoice_out(session: Session, view: InvoiceView) -> InvoiceOut:
    credit_notes = queries.list_credit_notes(session, invoice_id=view.id, limit=MAX_LIMIT)
    settlements = [SettlementOut.model_validate(s) for s in view.settlements]
    return InvoiceOut.model_validate(
        {
            **{f: getattr(view, f) for f in view.__dataclass_fields__},
            "payments": [s for s in settlements if s.kind == "payment"],
            "settlements": settlements,
            "credit_notes": [InvoiceCreditNoteOut.model_validate(c) for c in credit_notes],
        }
    )


def _payment_out(view: PaymentView) -> PaymentOut:
    return PaymentOut.model_validate(view)


# -- invoices ----------------------------------------------------------------------------


@router.post("/invoices", status_code=201, response_model=InvoiceOut)
def create_invoice(
    body: InvoiceCreate, request: Request, db: DbDep, principal: Writer
) -> JSONResponse:
    """Invoice a dispatched shipment (exactly what it carried) or an order (everything not
    invoiced yet). An account customer gets an invoice due after their terms, a cash
    customer a receipt; money paid ahead for the order settles it at once."""

    def action(uow: UnitOfWork) -> dict[str, object]:
        if body.shipment_id is not None:
            view = invoice_shipment(uow, shipment_id=body.shipment_id)
        else:
            assert body.order_id is not None
            view = invoice_order(uow, order_id=body.order_id)
        return _invoice_out(uow.session, view).model_dump(mode="json")

    return create_once(request, db, principal, body.model_dump(mode="json"), action)


@router.get("/invoices", response_model=Page[InvoiceSummaryOut])
def list_invoices(
    db: DbDep,
    _: Reader,
    customer_id: uuid.UUID | None = None,
    status: InvoiceStatus | None = None,
    overdue: Annotated[bool, Query(description="only open invoices due before today")] = False,
    shipment_id: Annotated[uuid.UUID | None, Query(description="the shipment's invoice")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> Page[InvoiceSummaryOut]:
    """Invoices and receipts, newest first (issue date, number)."""
    with db.reader() as session:
        rows = queries.list_invoices(
            session,
            customer_id=customer_id,
            shipment_id=shipment_id,
            status=status.value if status else None,
            overdue_only=overdue,
            limit=limit + 1,
            before=_decode(cursor),
        )
    return Page(
        items=[InvoiceSummaryOut.model_validate(r) for r in rows[:limit]],
        next_cursor=_next(list(rows), limit, "issue_date"),
    )


@router.get("/invoices/{invoice}", response_model=InvoiceOut)
def get_invoice(invoice: str, db: DbDep, _: Reader) -> InvoiceOut:
    """One invoice by id or number: lines, payments, credit notes, balance, `overdue`."""
    with db.reader() as session:
        return _invoice_out(session, queries.get_invoice(session, invoice))


# -- payments ----------------------------------------------------------------------------


@router.post("/payments", status_code=201, response_model=PaymentOut)
def create_payment(
    body: PaymentCreate, request: Request, db: DbDep, principal: Writer
) -> JSONResponse:
    """Record money received. Without `allocations` it pays the oldest open invoices
    first (only the order's, with `order_id`); what is left is customer credit.
    A `card` payment on the `manual` provider (the card terminal) needs the terminal's
    reference (`provider_reference`) and `card_last4`. Card numbers typed into `reference`,
    `card_last4` or a manual `provider_reference` are refused."""
    allocate_to = (
        None if body.allocations is None else [(a.invoice_id, a.amount) for a in body.allocations]
    )

    def action(uow: UnitOfWork) -> dict[str, object]:
        try:
            if body.method is PaymentMethod.CARD and body.provider == MANUAL:
                view = _manual_card_payment(uow, body, allocate_to)
            else:
                view = record_payment(
                    uow,
                    customer_id=body.customer_id,
                    method=body.method.value,
                    amount=body.amount,
                    currency=body.currency,
                    reference=body.reference,
                    received_on=body.received_on,
                    order_id=body.order_id,
                    allocate_to=allocate_to,
                    provider=body.provider,
                    provider_reference=body.provider_reference,
                    card_last4=body.card_last4,
                )
        except OmsError as exc:  # name the fields as this API does
            exc.fields = [FieldError(_api_field(f.field), f.message) for f in exc.fields]
            raise
        return _payment_out(view).model_dump(mode="json")

    return create_once(request, db, principal, body.model_dump(mode="json"), action)


def _manual_card_payment(
    uow: UnitOfWork, body: PaymentCreate, allocate_to: list[tuple[uuid.UUID, Decimal]] | None
) -> PaymentView:
    """The card terminal: its reference and the card's last 4 digits, as staff typed them."""
    try:
        return take_card_payment(
            uow,
            ManualProvider(),
            customer_id=body.customer_id,
            amount=body.amount,
            currency=body.currency,
            card_token=body.card_last4,
            reference=body.provider_reference or body.reference,
            order_id=body.order_id,
            received_on=body.received_on,
            allocate_to=allocate_to,
        )
    except ValidationFailed as exc:
        exc.fields = [
            FieldError(_MANUAL_FIELDS.get(f.field, f.field), f.message) for f in exc.fields
        ]
        raise


def _api_field(name: str) -> str:
    """The services' ``allocate_to.0.amount`` is this API's ``allocations.0.amount``."""
    head, dot, rest = name.partition(".")
    return f"allocations{dot}{rest}" if head == "allocate_to" else name


@router.get("/payments", response_model=Page[PaymentOut])
def list_payments(
    db: DbDep,
    _: Reader,
    customer_id: uuid.UUID | None = None,
    unallocated: Annotated[bool, Query(description="only payments with credit left")] = False,
    limit: Limit = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> Page[PaymentOut]:
    """Payments newest first (received on, number), without allocation details."""
    with db.reader() as session:
        rows = queries.list_payments(
            session,
            customer_id=customer_id,
            unallocated_only=unallocated,
            limit=limit + 1,
            before=_decode(cursor),
        )
    return Page(
        items=[_payment_out(r) for r in rows[:limit]],
        next_cursor=_next(list(rows), limit, "received_on"),
    )


@router.get("/payments/{payment}", response_model=PaymentOut)
def get_payment(payment: str, db: DbDep, _: Reader) -> PaymentOut:
    """One payment by id or number, with its allocations and refunds."""
    with db.reader() as session:
        return _payment_out(queries.get_payment(session, payment))


@router.post("/payments/{payment}/refunds", status_code=201, response_model=PaymentOut)
def create_refund(
    payment: str, body: RefundCreate, request: Request, db: DbDep, principal: Writer
) -> JSONResponse:
    """Pay back part of a payment's unallocated money (its customer credit); answers the
    payment with its refunds. Allocated money is freed by a credit note on its invoice.
    `provider_reference`: the terminal's or provider's id of the refund (one refund per
    payment and reference: `409 refund_already_recorded`, e.g. when the provider's
    webhook recorded it first)."""
    with db.reader() as session:
        payment_id = queries.get_payment(session, payment).id

    def action(uow: UnitOfWork) -> dict[str, object]:
        view = refund_payment(
            uow,
            payment_id=payment_id,
            amount=body.amount,
            reason=body.reason,
            provider_reference=body.provider_reference,
        )
        return _payment_out(view).model_dump(mode="json")

    return create_once(request, db, principal, body.model_dump(mode="json"), action)


# -- credit notes ------------------------------------------------------------------------


@router.post("/credit-notes", status_code=201, response_model=CreditNoteOut)
def create_credit_note(
    body: CreditNoteCreate, request: Request, db: DbDep, principal: Writer
) -> JSONResponse:
    """Credit an invoice in full (neither `lines` nor `amount`), by units of its lines,
    or by an amount (tax included). It settles the invoice's balance first; the rest
    frees the payments that paid the invoice, newest first (`freed`, `releases`): their
    money is unallocated again, to refund or use as customer credit."""
    lines = None if body.lines is None else [(line.line_no, line.quantity) for line in body.lines]

    def action(uow: UnitOfWork) -> dict[str, object]:
        view = issue_credit_note(
            uow,
            invoice_id=body.invoice_id,
            reason=body.reason.value,
            lines=lines,
            amount=body.amount,
            note=body.note,
        )
        return CreditNoteOut.model_validate(view).model_dump(mode="json")

    return create_once(request, db, principal, body.model_dump(mode="json"), action)


@router.get("/credit-notes", response_model=Page[CreditNoteOut])
def list_credit_notes(
    db: DbDep,
    _: Reader,
    customer_id: uuid.UUID | None = None,
    invoice_id: uuid.UUID | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> Page[CreditNoteOut]:
    """Credit notes newest first (issue date, number), without lines."""
    with db.reader() as session:
        rows = queries.list_credit_notes(
            session,
            customer_id=customer_id,
            invoice_id=invoice_id,
            limit=limit + 1,
            before=_decode(cursor),
        )
    return Page(
        items=[CreditNoteOut.model_validate(r) for r in rows[:limit]],
        next_cursor=_next(list(rows), limit, "issue_date"),
    )


@router.get("/credit-notes/{credit_note}", response_model=CreditNoteOut)
def get_credit_note(credit_note: str, db: DbDep, _: Reader) -> CreditNoteOut:
    """One credit note by id or number, with its lines and where it was applied."""
    with db.reader() as session:
        return CreditNoteOut.model_validate(queries.get_credit_note(session, credit_note))


# -- customer credit and balance ---------------------------------------------------------


@router.post("/customers/{customer}/apply-credit", response_model=CreditAppliedOut)
def apply_credit(
    customer: str,
    request: Request,
    db: DbDep,
    principal: Writer,
    body: ApplyCreditIn | None = None,
) -> JSONResponse:
    """Settle the customer's open invoices (or one) from their credit: unapplied credit
    notes first, then unallocated payments, oldest first. 409 `no_customer_credit` when
    there is nothing to apply."""
    with db.reader() as session:
        customer_id = get_customer(session, customer).id
    invoice_id = body.invoice_id if body else None

    def action(uow: UnitOfWork) -> dict[str, object]:
        result = apply_customer_credit(uow, customer_id=customer_id, invoice_id=invoice_id)
        return CreditAppliedOut(
            customer_id=result.customer_id,
            currency=result.currency,
            total=result.total,
            applications=[
                CreditApplicationOut(
                    source=kind, source_number=source, invoice_number=invoice, amount=amount
                )
                for kind, source, invoice, amount in result.applications
            ],
        ).model_dump(mode="json")

    request_body = body.model_dump(mode="json") if body else {}
    return create_once(request, db, principal, request_body, action, status=200)


@router.get("/customers/{customer}/balance", response_model=CustomerBalanceOut)
def customer_balance(customer: str, db: DbDep, _: Reader) -> CustomerBalanceOut:
    """What the customer owes per currency: open invoices (and the overdue part) less
    unallocated payments and unapplied credit notes."""
    with db.reader() as session:
        found = get_customer(session, customer)
        balances = queries.customer_balance(session, found.id)
    return CustomerBalanceOut.model_validate(
        {"customer_id": found.id, "customer_number": found.number, "balances": balances},
        from_attributes=True,
    )
