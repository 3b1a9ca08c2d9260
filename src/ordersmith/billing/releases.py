"""A credit note on a paid invoice frees what paid it.

A credit note is applied to its invoice's open balance first. The part that balance
cannot absorb frees what settled the invoice, **newest settlement first**:

- a payment's allocation: the money is unallocated on its payment again, so it can be
  refunded (``refund_payment``, back through the payment's own method and provider: a
  card payment to the card) or used as customer credit on other invoices;
- another invoice's credit note applied to this one: that credit comes back to it.

The credit note is then applied to its invoice for the freed part too, so it ends
applied in full and the invoice's paid + credited amount does not change. A credit
note's own invoice's earlier credit notes are never freed: they credit this invoice.

Each freed part is an append-only **negative** row (``payment_allocations`` or
``credit_applications``) naming the credit note (``released_by_credit_note_id``), so a
past day's aging still shows what was paid then, and the sums that ``ordersmith check``
compares stay sums. The journal is the credit note's one entry (ordersmith.billing.
credit_notes): the freed part is customer credit, as an unapplied credit note was.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from ordersmith import clock
from ordersmith.billing.errors import OverAllocation
from ordersmith.billing.models import CreditApplication, CreditNote, Payment, PaymentAllocation
from ordersmith.billing.settlement import spread, unsettle_invoice
from ordersmith.db import Fixed, insert_rows, table_of
from ordersmith.ids import new_id
from ordersmith.money import ZERO
from ordersmith.uow import UnitOfWork

PAYMENT, CREDIT_NOTE = "payment", "credit_note"
_Key = tuple[str, uuid.UUID]  # (payment or credit_note, its id)


@dataclass(frozen=True, slots=True)
class Release:
    """``amount`` of the invoice's settlement by a payment or a credit note, to free."""

    kind: str  # payment or credit_note
    source_id: uuid.UUID
    number: str
    amount: Decimal


def plan_releases(uow: UnitOfWork, invoice_id: uuid.UUID, amount: Decimal) -> list[Release]:
    """What to free of the (locked) invoice's settlements for ``amount``: newest first,
    at most what is still settled by each source. The sources are locked (payments,
    then credit notes, each in id order). Less than ``amount`` only if less is settled
    by payments and other invoices' credit notes (never, as ``creditable`` bounds it)."""
    if amount <= 0:
        return []
    pieces = _still_settled(uow, invoice_id)
    freed: dict[_Key, Decimal] = {}
    for key, part in spread(amount, pieces):
        freed[key] = freed.get(key, ZERO) + part
    numbers = _lock_sources(uow, list(freed))
    return [
        Release(kind, source, numbers[(kind, source)], part)
        for (kind, source), part in freed.items()
    ]


def _still_settled(uow: UnitOfWork, invoice_id: uuid.UUID) -> list[tuple[_Key, Decimal]]:
    """The invoice's freeable settlement rows, newest first, each less what earlier
    releases took back from its source (they always took the newest rows first)."""
    alloc, apps, cn = table_of(PaymentAllocation), table_of(CreditApplication), table_of(CreditNote)
    rows: list[tuple[str, Any]] = [
        (PAYMENT, r)
        for r in uow.session.execute(
            sa.select(alloc.c.payment_id, alloc.c.amount, alloc.c.created_at, alloc.c.id).where(
                alloc.c.invoice_id == invoice_id
            )
        )
    ]
    rows += [
        (CREDIT_NOTE, r)
        for r in uow.session.execute(
            sa.select(apps.c.credit_note_id, apps.c.amount, apps.c.created_at, apps.c.id)
            .join(cn, cn.c.id == apps.c.credit_note_id)
            .where(apps.c.invoice_id == invoice_id, cn.c.invoice_id != invoice_id)
        )
    ]
    released: dict[_Key, Decimal] = {}
    for kind, (source, amount, _at, _id) in rows:
        if amount < 0:
            released[(kind, source)] = released.get((kind, source), ZERO) - amount
    newest_first = sorted((row for row in rows if row[1][1] > 0), key=_when, reverse=True)
    pieces: list[tuple[_Key, Decimal]] = []
    for kind, (source, amount, _at, _id) in newest_first:
        key = (kind, source)
        gone = min(amount, released.get(key, ZERO))
        released[key] = released.get(key, ZERO) - gone
        if amount - gone > 0:
            pieces.append((key, Decimal(amount - gone)))
    return pieces


def _when(row: tuple[str, Any]) -> tuple[datetime, str]:
    return row[1][2], str(row[1][3])


def _lock_sources(uow: UnitOfWork, keys: list[_Key]) -> dict[_Key, str]:
    """Lock the payments, then the credit notes, each in id order; their numbers."""
    numbers: dict[_Key, str] = {}
    for kind, table in ((PAYMENT, table_of(Payment)), (CREDIT_NOTE, table_of(CreditNote))):
        ids = sorted((source for k, source in keys if k == kind), key=str)
        if ids:
            for row in uow.session.execute(
                sa.select(table.c.id, table.c.number)
                .where(table.c.id.in_(ids))
                .order_by(table.c.id)
                .with_for_update()
            ):
                numbers[(kind, row[0])] = row[1]
    return numbers


def release(
    uow: UnitOfWork, releases: list[Release], *, invoice_id: uuid.UUID, credit_note_id: uuid.UUID
) -> Decimal:
    """Free each planned part: its payment (or credit note) gets it back, the invoice
    loses it, and a negative row names ``credit_note_id``. The sum freed."""
    now = clock.now()
    pay, cn = table_of(Payment), table_of(CreditNote)
    for part in releases:
        amount = sa.literal(part.amount, type_=Fixed(4))
        settled: type[PaymentAllocation] | type[CreditApplication]
        if part.kind == PAYMENT:
            table, column, settled = pay, pay.c.amount_allocated, PaymentAllocation
        else:
            table, column, settled = cn, cn.c.amount_applied, CreditApplication
        done = uow.session.execute(
            sa.update(table)
            .where(table.c.id == part.source_id, column >= amount)
            .values({column.name: column - amount})
            .returning(table.c.id)
        ).scalar_one_or_none()
        if done is None:
            raise OverAllocation(f"{part.kind} {part.number} has less than {part.amount} settled")
        if part.kind == PAYMENT:
            unsettle_invoice(uow, invoice_id, paid=part.amount)
        else:
            unsettle_invoice(uow, invoice_id, credited=part.amount)
        insert_rows(
            uow.session.connection(),
            table_of(settled),
            [
                {
                    "id": new_id(),
                    f"{part.kind}_id": part.source_id,
                    "invoice_id": invoice_id,
                    "amount": -part.amount,
                    "released_by_credit_note_id": credit_note_id,
                    "created_by": uow.actor,
                    "created_at": now,
                }
            ],
        )
    return sum((part.amount for part in releases), ZERO)
