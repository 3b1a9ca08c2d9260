"""The billing pages' actions: on an invoice, record a payment, issue a credit note and
email the customer a statement; on a payment, refund it; on an order held for credit,
release it (``POST /billing/...``).

Each is a plain form POST with the CSRF token, needs ``billing:write`` (the release:
``credit:release``; a user without it gets the 403 page, whatever the form says), and
calls the same service as the API in a unit of work that carries the user's
permissions (the services check them too). Done: 303 to the document's page with a
message. Refused (an amount that is not one, more than the invoice's balance or the
payment's unallocated money, a bad day): the page again with the service's message and
code, and the error's status; nothing changed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from ordersmith.auth.permissions import Permission
from ordersmith.billing import queries
from ordersmith.billing.credit_holds import release_credit_hold
from ordersmith.billing.credit_notes import issue_credit_note
from ordersmith.billing.inputs import money_amount
from ordersmith.billing.overdue import request_statement_email
from ordersmith.billing.payments import record_payment, refund_payment
from ordersmith.errors import FieldError, OmsError
from ordersmith.orders import queries as order_queries
from ordersmith.uow import UnitOfWork
from ordersmith.validation import whole_number
from ordersmith.web.pages.billing import invoice_page
from ordersmith.web.pages.billing_aging import aging_page
from ordersmith.web.pages.billing_documents import payment_page
from ordersmith.web.pages.deps import StaffSession, csrf_protect, get_db, require
from ordersmith.web.pages.forms import act, form_fields, refuse

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
Writer = Annotated[StaffSession, Depends(require(Permission.BILLING_WRITE))]
Releaser = Annotated[StaffSession, Depends(require(Permission.CREDIT_RELEASE))]
Fields = Annotated[dict[str, str], Depends(form_fields)]
Page = Callable[..., HTMLResponse]


def _act(
    request: Request,
    session: StaffSession,
    work: Callable[[UnitOfWork], object],
    *,
    done: str,
    page: Page,
    page_args: tuple[str, ...],
    form: dict[str, str],
) -> Response:
    """Run ``work`` in the user's unit of work; 303 to ``done``, or ``page`` again with
    the refusal (a missing document is the 404 page)."""

    def refused(exc: OmsError) -> HTMLResponse:
        return page(request, session, *page_args, error=exc, form=form)

    return act(request, session, work, done_url=done, on_error=refused)


def _on_invoice(
    request: Request,
    session: StaffSession,
    number: str,
    action: str,
    work: Callable[[UnitOfWork], object],
    fields: dict[str, str],
) -> Response:
    """``_act`` on the invoice: 303 to its page with the ``action``'s message, or its
    page again with the refusal and the form."""
    return _act(
        request,
        session,
        work,
        done=f"/billing/invoices/{number}?done={action}",
        page=invoice_page,
        page_args=(number,),
        form=fields | {"action": action},
    )


def _day(fields: dict[str, str], name: str, problems: list[FieldError]) -> date | None:
    text = fields.get(name, "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems.append(FieldError(name, f"{text!r} is not a day (YYYY-MM-DD)"))
        return None


def _invoice(request: Request, number: str) -> tuple[uuid.UUID, str]:
    """The invoice's id and number (InvoiceNotFound: the 404 page)."""
    with get_db(request).reader() as reader:
        invoice = queries.get_invoice(reader, number)
    return invoice.id, invoice.number


@router.post("/billing/invoices/{number}/payments")
def pay_invoice(request: Request, number: str, session: Writer, fields: Fields) -> Response:
    """Money received for this invoice, allocated to it (no more than its balance)."""
    with get_db(request).reader() as reader:
        invoice = queries.get_invoice(reader, number)
    amount = fields.get("amount", "").strip()

    def work(uow: UnitOfWork) -> object:
        problems: list[FieldError] = []
        received_on = _day(fields, "received_on", problems)
        refuse(problems, "payment")
        try:
            allocate = [(invoice.id, money_amount(amount, invoice.currency))]
        except ValueError:
            allocate = None  # the service names the amount's problem
        return record_payment(
            uow,
            customer_id=invoice.customer_id,
            method=fields.get("method", ""),
            amount=amount,
            currency=invoice.currency,
            reference=fields.get("reference", ""),
            received_on=received_on,
            allocate_to=allocate,
        )

    return _on_invoice(request, session, invoice.number, "payment", work, fields)


@router.post("/billing/invoices/{number}/credit-notes")
def credit_invoice(request: Request, number: str, session: Writer, fields: Fields) -> Response:
    """Units of lines (fields ``l<line_no>``), else an amount, else all that is left."""
    invoice_id, number = _invoice(request, number)

    def work(uow: UnitOfWork) -> object:
        problems: list[FieldError] = []
        lines = []
        for key, value in sorted(fields.items()):
            if key.startswith("l") and key[1:].isdigit() and value.strip():
                units = whole_number(value.strip())
                if units is None:
                    problems.append(FieldError(key, f"{value!r} is not a whole number of units"))
                elif units:
                    lines.append((int(key[1:]), units))
        refuse(problems, "credit note")
        amount = fields.get("amount", "").strip()
        return issue_credit_note(
            uow,
            invoice_id=invoice_id,
            reason=fields.get("reason", ""),
            lines=lines or None,
            amount=amount if amount and not lines else None,
            note=fields.get("note", ""),
        )

    return _on_invoice(request, session, number, "credit_note", work, fields)


@router.post("/billing/invoices/{number}/statement")
def email_statement(request: Request, number: str, session: Writer, fields: Fields) -> Response:
    """Email the invoice's customer their statement of the period (the worker sends it)."""
    with get_db(request).reader() as reader:
        invoice = queries.get_invoice(reader, number)
    customer_id, number = invoice.customer_id, invoice.number

    def work(uow: UnitOfWork) -> object:
        problems: list[FieldError] = []
        date_from, date_to = _day(fields, "date_from", problems), _day(fields, "date_to", problems)
        if not problems and (date_from is None or date_to is None):
            problems.append(FieldError("date_from", "give both days of the period"))
        refuse(problems, "statement period")
        assert date_from is not None
        assert date_to is not None
        return request_statement_email(
            uow, customer=customer_id, date_from=date_from, date_to=date_to
        )

    return _on_invoice(request, session, number, "statement", work, fields)


@router.post("/billing/payments/{number}/refunds")
def refund(request: Request, number: str, session: Writer, fields: Fields) -> Response:
    """Pay back part of the payment's unallocated money."""
    with get_db(request).reader() as reader:
        payment = queries.get_payment(reader, number)
    payment_id, number = payment.id, payment.number

    def work(uow: UnitOfWork) -> object:
        return refund_payment(
            uow,
            payment_id=payment_id,
            amount=fields.get("amount", "").strip(),
            reason=fields.get("reason", ""),
            provider_reference=fields.get("provider_reference", ""),
        )

    return _act(
        request,
        session,
        work,
        done=f"/billing/payments/{number}?done=refund",
        page=payment_page,
        page_args=(number,),
        form=fields | {"action": "refund"},
    )


@router.post("/billing/credit-holds/{order}/release")
def release(request: Request, order: str, session: Releaser, fields: Fields) -> Response:
    """Lift an order's credit hold (a reason is required and kept in its history)."""
    with get_db(request).reader() as reader:
        found = order_queries.get_order(reader, order)
    order_id, order = found.id, found.number

    def work(uow: UnitOfWork) -> object:
        return release_credit_hold(uow, order_id=order_id, note=fields.get("note", ""))

    return _act(
        request,
        session,
        work,
        done=f"/billing/aging?released={order}",
        page=aging_page,
        page_args=(),
        form=fields | {"action": "release", "order": order},
    )
