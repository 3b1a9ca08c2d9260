"""Which invoice lines a return's units are credited on.

An order line may be billed on several invoices (one per shipment, ADR 0012). Each unit
received back is credited on an invoice line of its order line that still has units
not yet credited, newest invoice first (the units that went out last came back first;
any choice credits the same unit price, since invoice lines copy the order line's).
Units no invoice line can take are "not invoiced": crediting them is refused whole.

Read-side SQL over billing's invoice and credit note lines (one grouped read), to stay
set-based (CONTRIBUTING.md); the credit notes themselves are issued through billing's
``issue_credit_note``.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.billing.models import CreditNote, CreditNoteLine, CreditReason, Invoice, InvoiceLine
from ordersmith.db import table_of
from ordersmith.returns.models import ReturnReason


@dataclass(frozen=True, slots=True)
class ReturnedUnits:
    line_no: int
    order_line_id: uuid.UUID
    sku: str
    units: int
    reason: ReturnReason


@dataclass
class InvoiceCredit:
    """What to credit on one invoice: ``(invoice line_no, units)`` and the reasons of
    the returned lines behind them."""

    invoice_id: uuid.UUID
    number: str
    lines: list[tuple[int, int]] = field(default_factory=list)
    reasons: set[ReturnReason] = field(default_factory=set)

    @property
    def reason(self) -> CreditReason:
        """``damage`` when every unit came back damaged, else ``return``."""
        if self.reasons == {ReturnReason.DAMAGED}:
            return CreditReason.DAMAGE
        return CreditReason.RETURN


@dataclass(frozen=True, slots=True)
class CreditPlan:
    invoices: list[InvoiceCredit]
    not_invoiced: list[tuple[ReturnedUnits, int]]
    """Returned lines and how many of their units no invoice line can take."""


def plan_credit(session: Session, returned: Sequence[ReturnedUnits]) -> CreditPlan:
    """Spread the returned units over the invoice lines that billed them (module doc)."""
    wanted = [r for r in returned if r.units > 0]
    inv, il = table_of(Invoice), table_of(InvoiceLine)
    cn, cnl = table_of(CreditNote), table_of(CreditNoteLine)
    credited = (
        sa.select(cnl.c.invoice_line_id, sa.func.sum(cnl.c.quantity).label("units"))
        .join(cn, cn.c.id == cnl.c.credit_note_id)
        .group_by(cnl.c.invoice_line_id)
        .subquery()
    )
    rows = session.execute(
        sa.select(
            il.c.order_line_id,
            il.c.invoice_id,
            inv.c.number,
            il.c.line_no,
            (il.c.quantity - sa.func.coalesce(credited.c.units, 0)).label("left"),
        )
        .join(inv, inv.c.id == il.c.invoice_id)
        .outerjoin(credited, credited.c.invoice_line_id == il.c.id)
        .where(il.c.order_line_id.in_([r.order_line_id for r in wanted]))
        .order_by(inv.c.issue_date.desc(), inv.c.number.desc(), il.c.line_no)
    ).all()
    billed: dict[uuid.UUID, list[tuple[uuid.UUID, str, int, int]]] = defaultdict(list)
    for order_line_id, invoice_id, number, line_no, left in rows:
        if left > 0:
            billed[order_line_id].append((invoice_id, number, line_no, int(left)))
    invoices: dict[uuid.UUID, InvoiceCredit] = {}
    missing: list[tuple[ReturnedUnits, int]] = []
    for item in wanted:
        need = item.units
        for invoice_id, number, line_no, left in billed[item.order_line_id]:
            if need == 0:
                break
            take = min(need, left)
            credit = invoices.setdefault(invoice_id, InvoiceCredit(invoice_id, number))
            credit.lines.append((line_no, take))
            credit.reasons.add(item.reason)
            need -= take
        if need:
            missing.append((item, need))
    ordered = sorted(invoices.values(), key=lambda c: c.number)
    for credit in ordered:  # one (line_no, units) per invoice line
        merged: dict[int, int] = defaultdict(int)
        for line_no, units in credit.lines:
            merged[line_no] += units
        credit.lines = sorted(merged.items())
    return CreditPlan(ordered, missing)
