"""Credit notes: the only way to take back (part of) an issued invoice.

Three ways to say what is credited, never more than the invoice's total minus what
earlier credit notes took back (``credit_exceeds_invoice``):

- in full (neither ``lines`` nor ``amount``): everything still creditable;
- ``lines=[(invoice line_no, quantity), ...]``: units of invoice lines, their net and
  tax pro-rated cumulatively (crediting every unit gives back exactly the line);
- ``amount=Decimal(...)`` (tax included): spread over the lines pro rata to what each
  has left, its tax part pro rata to the line's tax (ordersmith.billing.rounding).

The credit is applied to the invoice's own balance first; the part that balance cannot
absorb (the invoice was paid) frees what paid it, newest settlement first
(ordersmith.billing.releases): the payments' money is unallocated again -- refundable,
or customer credit -- and the credit note is applied to the invoice for that part too.
A credit note on an unpaid invoice frees nothing. An invoice credited in full is
``credited``.
Reasons ``pricing_error`` and ``documentation_error`` mean the invoice was wrong: each
of its orders gets a ``document_correction`` incident (the perfect-order KPI).
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.billing import journal
from ordersmith.billing.accounts import AccountRole
from ordersmith.billing.errors import CreditExceedsInvoice, InvoiceNotFound
from ordersmith.billing.events import CreditNoteIssued
from ordersmith.billing.inputs import money_amount
from ordersmith.billing.models import (
    CreditNote,
    CreditNoteLine,
    CreditReason,
    Invoice,
    InvoiceLine,
)
from ordersmith.billing.numbering import CREDIT_NOTE_PREFIX, next_document_number
from ordersmith.billing.queries import get_credit_note
from ordersmith.billing.releases import Release, plan_releases, release
from ordersmith.billing.rounding import credit_part, split_amount
from ordersmith.billing.settlement import (
    apply_credit_note,
    balance_of,
    lock_customer,
    mark_credited,
)
from ordersmith.billing.views import CreditNoteView
from ordersmith.db import insert_rows, table_of
from ordersmith.errors import FieldError, ValidationFailed
from ordersmith.fulfillment.incidents import record_document_correction
from ordersmith.ids import new_id
from ordersmith.money import ZERO, money_str
from ordersmith.orders.locking import lock_order
from ordersmith.uow import UnitOfWork
from ordersmith.validation import FieldChecks, one_of, quantity, text

MAX_NOTE = 2_000
CORRECTIONS = frozenset({CreditReason.PRICING_ERROR, CreditReason.DOCUMENTATION_ERROR})
_Credit = tuple[Any, int, Decimal, Decimal]  # invoice line, units, net, tax


def issue_credit_note(
    uow: UnitOfWork,
    *,
    invoice_id: uuid.UUID,
    reason: str,
    lines: list[tuple[int, int]] | None = None,
    amount: Decimal | str | None = None,
    note: str = "",
) -> CreditNoteView:
    """Credit the invoice in full, by lines or by an amount (see the module doc).

    Locks: the invoice's orders (id order, for a correction's incident), the customer,
    the invoice, the payments and credit notes it frees, then the counters."""
    uow.authorize(Permission.BILLING_WRITE)
    inv = table_of(Invoice)
    head = uow.session.execute(
        sa.select(inv.c.customer_id, inv.c.currency).where(inv.c.id == invoice_id)
    ).one_or_none()
    if head is None:
        raise InvoiceNotFound(f"no invoice {invoice_id}")
    checks = FieldChecks()
    reason_ = checks.run("reason", one_of(CreditReason), reason)
    note_ = checks.run("note", text(MAX_NOTE, required=False, multiline=True), note) or ""
    wanted = _line_requests(checks, lines)
    amount_ = None
    if amount is not None:
        amount_ = checks.run("amount", lambda v: money_amount(v, head[1]), amount)
        if lines is not None:
            checks.fail("amount", "give lines or an amount, not both")
    checks.raise_if_any("the credit note is not valid")
    assert reason_ is not None
    invoice_lines = _invoice_lines(uow, invoice_id)
    order_ids = sorted({line["order_id"] for line in invoice_lines if line["order_id"]}, key=str)
    if reason_ in CORRECTIONS:
        for order_id in order_ids:  # orders before the customer (ADR 0013, lock order)
            lock_order(uow, order_id)
    lock_customer(uow, head[0])
    invoice = (
        uow.session.execute(sa.select(inv).where(inv.c.id == invoice_id).with_for_update())
        .mappings()
        .one()
    )
    before = _credited_so_far(uow, invoice_id)
    creditable = invoice["total"] - sum((n + t for _u, n, t in before.values()), ZERO)
    if amount_ is not None and amount_ > creditable:
        raise CreditExceedsInvoice(
            f"invoice {invoice['number']} has {creditable} left to credit",
            extra={"creditable": str(creditable)},
        )
    credits = _credits(invoice, invoice_lines, before, wanted, amount_)
    total = sum((c[2] + c[3] for c in credits), ZERO)
    if total <= 0 or total > creditable:
        raise CreditExceedsInvoice(
            f"nothing of that is left to credit on invoice {invoice['number']} "
            f"({creditable} creditable)",
            extra={"creditable": str(creditable)},
        )
    releases = plan_releases(uow, invoice_id, total - min(total, balance_of(invoice)))
    view = _write(uow, invoice, reason_, note_, credits, releases)
    if total == creditable:
        mark_credited(uow, invoice_id)
    if reason_ in CORRECTIONS:
        for order_id in order_ids:
            record_document_correction(
                uow,
                order_id=order_id,
                document="invoice",
                note=(
                    f"{invoice['number']} corrected by credit note {view.number} "
                    f"({reason_.value}){': ' + note_ if note_ else ''}"
                )[: MAX_NOTE - len("invoice: ")],
            )
    return view


def _line_requests(checks: FieldChecks, lines: Any) -> dict[int, int] | None:
    if lines is None:
        return None
    if not isinstance(lines, list | tuple) or not lines:
        checks.fail("lines", "must list at least one (line_no, quantity)")
        return None
    out: dict[int, int] = {}
    for i, item in enumerate(lines):
        if not (isinstance(item, list | tuple) and len(item) == 2):
            checks.fail(f"lines.{i}", "must be (line_no, quantity)")
            continue
        line_no = checks.run(f"lines.{i}.line_no", quantity, item[0])
        units = checks.run(f"lines.{i}.quantity", quantity, item[1])
        if line_no is not None and line_no in out:
            checks.fail(f"lines.{i}.line_no", "is listed twice")
        elif line_no is not None and units is not None:
            out[line_no] = units
    return out


def _invoice_lines(uow: UnitOfWork, invoice_id: uuid.UUID) -> list[Any]:
    il = table_of(InvoiceLine)
    return list(
        uow.session.execute(
            sa.select(il).where(il.c.invoice_id == invoice_id).order_by(il.c.line_no)
        ).mappings()
    )


def _credited_so_far(
    uow: UnitOfWork, invoice_id: uuid.UUID
) -> dict[uuid.UUID, tuple[int, Decimal, Decimal]]:
    """Per invoice line: (units, net, tax) earlier credit notes took back."""
    cl, cn = table_of(CreditNoteLine), table_of(CreditNote)
    rows = uow.session.execute(
        sa.select(
            cl.c.invoice_line_id,
            sa.func.sum(cl.c.quantity),
            sa.func.sum(cl.c.net_amount),
            sa.func.sum(cl.c.tax_amount),
        )
        .join(cn, cn.c.id == cl.c.credit_note_id)
        .where(cn.c.invoice_id == invoice_id)
        .group_by(cl.c.invoice_line_id)
    )
    return {r[0]: (int(r[1]), Decimal(r[2]), Decimal(r[3])) for r in rows}


def _credits(
    invoice: Any,
    invoice_lines: list[Any],
    before: dict[uuid.UUID, tuple[int, Decimal, Decimal]],
    wanted: dict[int, int] | None,
    amount: Decimal | None,
) -> list[_Credit]:
    currency = invoice["currency"]
    left = {
        line["id"]: (
            line["quantity"] - before.get(line["id"], (0, ZERO, ZERO))[0],
            line["net_amount"] - before.get(line["id"], (0, ZERO, ZERO))[1],
            line["tax_amount"] - before.get(line["id"], (0, ZERO, ZERO))[2],
        )
        for line in invoice_lines
    }
    if amount is not None:
        parts = split_amount(amount, [left[line["id"]][1:] for line in invoice_lines], currency)
        found = [(line, 0, n, t) for line, (n, t) in zip(invoice_lines, parts, strict=True)]
    elif wanted is None:
        found = [(line, *left[line["id"]]) for line in invoice_lines]
    else:
        found = _by_lines(invoice, invoice_lines, before, left, wanted)
    return [c for c in found if c[1] or c[2] or c[3]]


def _by_lines(
    invoice: Any,
    invoice_lines: list[Any],
    before: dict[uuid.UUID, tuple[int, Decimal, Decimal]],
    left: dict[uuid.UUID, tuple[int, Decimal, Decimal]],
    wanted: dict[int, int],
) -> list[_Credit]:
    by_no = {line["line_no"]: line for line in invoice_lines}
    problems: list[FieldError] = []
    found: list[_Credit] = []
    for i, (line_no, units) in enumerate(wanted.items()):
        line = by_no.get(line_no)
        if line is None:
            problems.append(
                FieldError(f"lines.{i}.line_no", f"{invoice['number']} has no line {line_no}")
            )
            continue
        if units > left[line["id"]][0]:
            problems.append(FieldError(f"lines.{i}.quantity", f"at most {left[line['id']][0]}"))
            continue
        done, net_before, tax_before = before.get(line["id"], (0, ZERO, ZERO))
        net, tax = credit_part(
            invoiced=line["quantity"],
            net=line["net_amount"],
            tax=line["tax_amount"],
            credited_units_before=done,
            net_before=net_before,
            tax_before=tax_before,
            quantity=units,
            currency=invoice["currency"],
        )
        found.append((line, units, net, tax))
    if problems:
        raise ValidationFailed("the credit note is not valid", fields=problems)
    return found


def _write(
    uow: UnitOfWork,
    invoice: Any,
    reason: CreditReason,
    note: str,
    credits: list[_Credit],
    releases: list[Release],
) -> CreditNoteView:
    today, now = clock.today(), clock.now()
    subtotal = sum((c[2] for c in credits), ZERO)
    tax_total = sum((c[3] for c in credits), ZERO)
    total = subtotal + tax_total
    _series, number = next_document_number(uow, CREDIT_NOTE_PREFIX, today.year)
    credit_note_id = new_id()
    conn = uow.session.connection()
    insert_rows(
        conn,
        table_of(CreditNote),
        [
            {
                "id": credit_note_id,
                "number": number,
                "invoice_id": invoice["id"],
                "customer_id": invoice["customer_id"],
                "currency": invoice["currency"],
                "reason": reason.value,
                "issue_date": today,
                "subtotal": subtotal,
                "tax_total": tax_total,
                "total": total,
                "amount_applied": ZERO,
                "note": note,
                "created_by": uow.actor,
                "created_at": now,
            }
        ],
    )
    insert_rows(
        conn,
        table_of(CreditNoteLine),
        [
            {
                "id": new_id(),
                "credit_note_id": credit_note_id,
                "line_no": n,
                "invoice_line_id": line["id"],
                "sku": line["sku"],
                "name": line["name"],
                "quantity": units,
                "net_amount": net,
                "tax_rate": line["tax_rate"],
                "tax_amount": tax,
            }
            for n, (line, units, net, tax) in enumerate(credits, start=1)
        ],
    )
    applied = min(total, balance_of(invoice))  # off the open balance
    freed = release(uow, releases, invoice_id=invoice["id"], credit_note_id=credit_note_id)
    if applied + freed > 0:
        apply_credit_note(
            uow, credit_note_id=credit_note_id, invoice_id=invoice["id"], amount=applied + freed
        )
    customer_id = invoice["customer_id"]
    freed_from = [r.number for r in releases]
    journal.post(
        uow,
        entry_date=today,
        currency=invoice["currency"],
        source_type="credit_note",
        source_id=credit_note_id,
        description=f"Credit note {number} on {invoice['number']} ({reason.value})"
        + (
            f"; frees {money_str(freed, invoice['currency'])} of {', '.join(freed_from)}"
            if freed_from
            else ""
        ),
        # what the open balance did not absorb is customer credit: freed on the payments
        # (or earlier credit notes) that paid the invoice, else left on this credit note
        postings=[
            journal.Posting(AccountRole.SALES_RETURNS, debit=subtotal),
            journal.Posting(AccountRole.TAX_PAYABLE, debit=tax_total),
            journal.Posting(AccountRole.RECEIVABLE, credit=applied, customer_id=customer_id),
            journal.Posting(
                AccountRole.CUSTOMER_CREDIT, credit=total - applied, customer_id=customer_id
            ),
        ],
    )
    uow.record(
        CreditNoteIssued(
            aggregate_id=credit_note_id,
            number=number,
            invoice_id=invoice["id"],
            invoice_number=invoice["number"],
            customer_id=customer_id,
            order_id=invoice["order_id"],
            reason=reason.value,
            total=total,
            currency=invoice["currency"],
            applied=applied,
            freed=freed,
            freed_from=freed_from,
        )
    )
    return get_credit_note(uow.session, credit_note_id)
