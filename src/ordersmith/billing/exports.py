"""Hand-off to the accounting software: journal and invoice CSV files, and Xero's Manual
Journal import, in batches that can be asked for again (docs/accounting-export.md).

Kinds:

- ``journal``: our journal CSV, one row per journal line (debit and credit columns);
- ``xero``: Xero's Manual Journal import CSV (one journal per entry, signed amounts);
- ``invoices``: one row per invoice line of the invoices issued in the period.

**A journal entry is handed off once.** A ``journal`` or ``xero`` export marks the
entries it takes (``exported_at``, ``export_batch`` = the batch's id) in its
transaction, with a conditional UPDATE (``WHERE exported_at IS NULL``), so no entry
is ever in two batches, even when two exports run at once. A batch's file is always
generated from the entries carrying its id, so it is the same file every time it is
fetched, in either journal format.

**Asking again for a period returns the same batch.** One full-period batch exists per
(kind, first day, last day) (a partial unique index): exporting that period again
returns it, marks nothing and writes nothing. Its entries are those of the period not
exported before; entries of the period already handed off by another batch are
counted in ``already_exported`` instead. ``new_only`` makes a new batch every time,
of the period's entries not exported yet (possibly none): for a regular "whatever is
new" hand-off. ``invoices`` batches are reports: they mark nothing, and their file
lists the invoices of the period that existed when the batch was made.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith import clock
from ordersmith.billing.export_formats import (
    INVOICE_COLUMNS,
    JOURNAL_COLUMNS,
    XERO_COLUMNS,
    XERO_TAX_RATE,
    invoice_rows,
    invoices_of,
    journal_lines,
    journal_rows,
    to_csv,
    xero_rows,
)
from ordersmith.billing.models import Invoice, JournalEntry
from ordersmith.billing.receivables import EARLIEST_DAY, LATEST_DAY
from ordersmith.billing.records import JOURNAL_KINDS, ExportBatch, ExportKind
from ordersmith.db import insert_ignoring_conflicts, insert_rows, table_of
from ordersmith.errors import NotFound
from ordersmith.ids import new_id
from ordersmith.uow import UnitOfWork
from ordersmith.validation import FieldChecks, one_of

MAX_PERIOD_DAYS = 3_660


class ExportBatchNotFound(NotFound):
    code = "export_batch_not_found"


@dataclass(frozen=True, slots=True)
class BatchView:
    id: uuid.UUID
    kind: str
    date_from: date
    date_to: date
    new_only: bool
    entry_count: int
    created_by: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ExportResult:
    batch: BatchView
    created: bool
    """False when an earlier batch of the same kind and period was returned."""
    already_exported: int
    """Journal entries of the period that other batches handed off (not in this one)."""


@dataclass(frozen=True, slots=True)
class ExportFile:
    filename: str
    content: str


def export(
    uow: UnitOfWork,
    *,
    kind: str,
    date_from: date,
    date_to: date,
    new_only: bool = False,
) -> ExportResult:
    """Make (or find again) the batch of ``kind`` for the period (see the module doc)."""
    kind_ = _check(kind, date_from, date_to, new_only)
    if not new_only:
        found = _full_period_batch(uow.session, kind_, date_from, date_to)
        if found is not None:
            return ExportResult(found, False, _already(uow.session, found))
    batch_id, now = new_id(), clock.now()
    row = {
        "id": batch_id,
        "kind": kind_.value,
        "date_from": date_from,
        "date_to": date_to,
        "new_only": new_only,
        "entry_count": 0,
        "created_by": uow.actor,
        "created_at": now,
    }
    batches = table_of(ExportBatch)
    if new_only:
        insert_rows(uow.session.connection(), batches, [row])
    elif not insert_ignoring_conflicts(uow.session, batches, row):
        found = _full_period_batch(uow.session, kind_, date_from, date_to)  # a concurrent twin
        assert found is not None
        return ExportResult(found, False, _already(uow.session, found))
    count = (
        _mark_entries(uow.session, batch_id, date_from, date_to, now)
        if kind_ in JOURNAL_KINDS
        else _count_invoices(uow.session, date_from, date_to, now)
    )
    uow.session.execute(
        sa.update(batches).where(batches.c.id == batch_id).values(entry_count=count)
    )
    batch = get_batch(uow.session, batch_id)
    return ExportResult(batch, True, _already(uow.session, batch))


def _check(kind: str, date_from: date, date_to: date, new_only: bool) -> ExportKind:
    checks = FieldChecks()
    kind_ = checks.run("kind", one_of(ExportKind), kind)
    for name, value in (("from", date_from), ("to", date_to)):
        if not isinstance(value, date) or isinstance(value, datetime):
            checks.fail(name, "must be a date (YYYY-MM-DD)")
    for name, value in (("from", date_from), ("to", date_to)):
        if isinstance(value, date) and not EARLIEST_DAY <= value <= LATEST_DAY:
            checks.fail(name, f"a day from {EARLIEST_DAY} to {LATEST_DAY}")
    if isinstance(date_from, date) and isinstance(date_to, date):
        if date_from > date_to:
            checks.fail("to", "must not be before from")
        elif (date_to - date_from).days > MAX_PERIOD_DAYS:
            checks.fail("from", f"at most {MAX_PERIOD_DAYS} days before to")
    if new_only and kind_ is ExportKind.INVOICES:
        checks.fail("new_only", "applies to journal and xero exports (invoices mark nothing)")
    checks.raise_if_any("the export is not valid")
    assert kind_ is not None
    return kind_


def _full_period_batch(
    session: Session, kind: ExportKind, date_from: date, date_to: date
) -> BatchView | None:
    b = table_of(ExportBatch)
    row = (
        session.execute(
            sa.select(b).where(
                b.c.kind == kind.value,
                b.c.date_from == date_from,
                b.c.date_to == date_to,
                b.c.new_only.is_(False),
            )
        )
        .mappings()
        .first()
    )
    return _view(row) if row else None


def _mark_entries(
    session: Session, batch_id: uuid.UUID, date_from: date, date_to: date, now: datetime
) -> int:
    entries = table_of(JournalEntry)
    marked = session.execute(
        sa.update(entries)
        .where(
            entries.c.entry_date >= date_from,
            entries.c.entry_date <= date_to,
            entries.c.exported_at.is_(None),
        )
        .values(exported_at=now, export_batch=str(batch_id))
        .returning(entries.c.id)
    ).all()
    return len(marked)


def _count_invoices(session: Session, date_from: date, date_to: date, until: datetime) -> int:
    query = sa.select(sa.func.count()).select_from(table_of(Invoice))
    return int(session.scalar(query.where(*invoices_of(date_from, date_to, until))) or 0)


def _already(session: Session, batch: BatchView) -> int:
    if ExportKind(batch.kind) not in JOURNAL_KINDS:
        return 0
    entries = table_of(JournalEntry)
    return int(
        session.scalar(
            sa.select(sa.func.count()).where(
                entries.c.entry_date >= batch.date_from,
                entries.c.entry_date <= batch.date_to,
                entries.c.export_batch.is_not(None),
                entries.c.export_batch != str(batch.id),
                # a new-only batch reports what earlier batches took, not later ones
                entries.c.exported_at <= batch.created_at,
            )
        )
        or 0
    )


def get_batch(session: Session, batch_id: uuid.UUID | str) -> BatchView:
    b = table_of(ExportBatch)
    try:
        key = batch_id if isinstance(batch_id, uuid.UUID) else uuid.UUID(str(batch_id))
    except ValueError:
        raise ExportBatchNotFound(f"no export batch {batch_id!r}") from None
    row = session.execute(sa.select(b).where(b.c.id == key)).mappings().first()
    if row is None:
        raise ExportBatchNotFound(f"no export batch {batch_id!r}")
    return _view(row)


def list_batches(session: Session, *, limit: int = 50) -> list[BatchView]:
    """Newest first."""
    b = table_of(ExportBatch)
    rows = session.execute(
        sa.select(b).order_by(b.c.created_at.desc(), b.c.id.desc()).limit(limit)
    ).mappings()
    return [_view(r) for r in rows]


def _view(row: Any) -> BatchView:
    return BatchView(
        id=row["id"],
        kind=str(row["kind"]),
        date_from=row["date_from"],
        date_to=row["date_to"],
        new_only=bool(row["new_only"]),
        entry_count=int(row["entry_count"]),
        created_by=row["created_by"],
        created_at=row["created_at"],
    )


def batch_file(
    session: Session,
    batch_id: uuid.UUID | str,
    *,
    file_format: str | None = None,
    xero_tax_rate: str = XERO_TAX_RATE,
) -> ExportFile:
    """The batch's CSV, generated again from its entries (or invoices). ``file_format``
    renders a journal batch as ``journal`` or ``xero`` (default: the batch's kind)."""
    batch = get_batch(session, batch_id)
    kind = ExportKind(batch.kind)
    checks = FieldChecks()
    wanted = kind if file_format is None else checks.run("format", one_of(ExportKind), file_format)
    if wanted is not None and (wanted in JOURNAL_KINDS) != (kind in JOURNAL_KINDS):
        formats = "journal or xero" if kind in JOURNAL_KINDS else kind.value
        checks.fail("format", f"a {kind.value} batch is printed as {formats}")
    if not xero_tax_rate.strip() or len(xero_tax_rate) > 100 or not xero_tax_rate.isprintable():
        checks.fail("xero_tax_rate", "the name of a Xero tax rate (1 to 100 characters)")
    checks.raise_if_any("the export file cannot be made so")
    assert wanted is not None
    name = f"{wanted.value}-{batch.date_from.isoformat()}-{batch.date_to.isoformat()}"
    if wanted is ExportKind.INVOICES:
        rows = invoice_rows(session, batch.date_from, batch.date_to, batch.created_at)
        content = to_csv(INVOICE_COLUMNS, rows)
    elif wanted is ExportKind.XERO:
        content = to_csv(XERO_COLUMNS, xero_rows(journal_lines(session, batch.id), xero_tax_rate))
    else:
        content = to_csv(JOURNAL_COLUMNS, journal_rows(journal_lines(session, batch.id)))
    return ExportFile(f"{name}-{batch.id.hex[:8]}.csv", content)
