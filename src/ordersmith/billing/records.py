"""Tables of the order-to-cash follow-up: payment reminders sent, accounting export batches.

``payment_reminders`` holds one row per (invoice, step) once that step's reminder was
queued, so a step is never sent twice, whoever runs the job and however often
(ordersmith.billing.overdue). ``export_batches`` records each hand-off to the
accounting software (ordersmith.billing.exports): the journal entries of a
``journal`` or ``xero`` batch carry its id in ``journal_entries.export_batch``, so the
batch's file can be generated again from exactly the same entries.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ordersmith.db import Base, enum_column


class ExportKind(StrEnum):
    JOURNAL = "journal"  # our journal CSV: one row per journal line
    INVOICES = "invoices"  # one row per invoice line (a report: marks nothing)
    XERO = "xero"  # Xero's Manual Journal import CSV


JOURNAL_KINDS = frozenset({ExportKind.JOURNAL, ExportKind.XERO})
"""Kinds that hand journal entries off (and mark them exported)."""


class PaymentReminder(Base):
    __tablename__ = "payment_reminders"

    invoice_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("invoices.id", ondelete="CASCADE"), primary_key=True
    )
    step: Mapped[int] = mapped_column(primary_key=True)
    """Days overdue the step stands for (1, 7, 14 by default)."""
    sent_at: Mapped[datetime]
    """When the reminder was queued (the mail follows through the outbox)."""

    __table_args__ = (sa.CheckConstraint("step > 0", name="step_positive"),)


class ExportBatch(Base):
    __tablename__ = "export_batches"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    kind: Mapped[ExportKind] = mapped_column(enum_column(ExportKind, 16))
    date_from: Mapped[date]
    date_to: Mapped[date]
    new_only: Mapped[bool] = mapped_column(default=False)
    """A ``--new-only`` batch: what was not exported yet (never returned for a repeat)."""
    entry_count: Mapped[int]
    """Journal entries (journal, xero) or invoices (invoices) in the batch."""
    created_by: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime]

    __table_args__ = (
        # one full-period batch per kind and period: asking again returns it
        sa.Index(
            "uq_export_batches_period",
            "kind",
            "date_from",
            "date_to",
            unique=True,
            sqlite_where=sa.text("NOT new_only"),
            postgresql_where=sa.text("NOT new_only"),
        ),
        sa.Index("ix_export_batches_created", "created_at"),
        sa.CheckConstraint("date_from <= date_to", name="period_ordered"),
        sa.CheckConstraint("entry_count >= 0", name="entry_count_not_negative"),
    )
