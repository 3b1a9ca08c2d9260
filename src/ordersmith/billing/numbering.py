"""Gapless document numbers: INV-2026-000001, RCT-…, CN-…, PAY-…, JE-….

Invoice numbers must have no gaps in their series (an auditor asks for every number
in sequence). ``uow.next_number`` (ordersmith.numbering) hands out numbers from blocks
taken in a transaction of their own, so a refused order burns its number: fine for
orders, not for invoices. ``next_gapless`` instead increments the series' row in
``document_counters`` **inside the caller's transaction**:

    UPDATE document_counters SET next_value = next_value + 1
    WHERE series = :series RETURNING next_value - 1

(``+ n`` and ``- n`` for n numbers at once: the journal numbers all its entries so.)

Why this is gapless and unique on both databases:

- The number exists only as an uncommitted change of the counter row, in the same
  transaction as the document that uses it. If that transaction rolls back, the
  counter goes back with it: the number is given back and the next invoice takes it.
  If it commits, the document and the counter's new value commit together.
- **PostgreSQL** (READ COMMITTED): the UPDATE takes the row lock and holds it to the end
  of the transaction. A second transaction's UPDATE of the same series waits on it and
  then re-reads the committed row (EvalPlanQual), so it increments the value the first
  one left — or the old value again if the first rolled back. No two transactions ever
  return the same number, and none is skipped.
- **SQLite**: every unit of work is ``BEGIN IMMEDIATE`` (ordersmith.db), so writers are
  serialised whole; the counter can only be read and written by one transaction at a
  time.
- A series seen for the first time has no row. It is created with ``INSERT … ON
  CONFLICT DO NOTHING`` (two first invoices of a year racing: one inserts, the other
  waits for it on PostgreSQL and then does nothing), and then the same UPDATE runs.
  Insert-then-update never reads-decides-writes.

The counter row is a hot row: every document of the series queues on it until its
transaction ends. So a unit of work takes its counters **after every row lock it
takes**, in the fixed order of ``SERIES_ORDER`` (ADR 0034): ``PAY``, ``INV``, ``RCT``,
``CN``, and the journal's ``JE`` last of all, at commit (``billing.journal`` numbers its
entries there, one counter update for all of them). Holding a counter while waiting
for a stock row deadlocked a cash sale's payment against a dispatch on PostgreSQL;
``ordersmith.lock_order`` refuses both mistakes on either database. Acceptable for
invoices, payments and credit notes (a handful per order, per customer action); not for
order placement, which is why orders keep the block allocator (ADR 0003). Documents of
one series are numbered in commit order, not necessarily in issue-time order (ADR 0012).
"""

from __future__ import annotations

import sqlalchemy as sa

from ordersmith.billing.models import DocumentCounter
from ordersmith.db import insert_ignoring_conflicts, table_of
from ordersmith.lock_order import counter_taken
from ordersmith.uow import UnitOfWork

INVOICE_PREFIX = "INV"
RECEIPT_PREFIX = "RCT"
CREDIT_NOTE_PREFIX = "CN"
PAYMENT_PREFIX = "PAY"
JOURNAL_PREFIX = "JE"
SERIES_ORDER = (PAYMENT_PREFIX, INVOICE_PREFIX, RECEIPT_PREFIX, CREDIT_NOTE_PREFIX, JOURNAL_PREFIX)
"""The order a unit of work takes counters in (then by year), after every row lock."""


def next_gapless(uow: UnitOfWork, prefix: str, year: int, count: int = 1) -> int:
    """The first of the next ``count`` numbers (1, 2, 3 …) of the series of ``prefix``
    and ``year``, taken in the caller's transaction.

    The counter row stays locked until the caller commits or rolls back; a rollback
    gives the numbers back. LockOrderViolation (a bug) if the transaction holds a
    counter that comes later in ``SERIES_ORDER``."""
    series = series_of(prefix, year)
    counter_taken(uow.session, series, (SERIES_ORDER.index(prefix), year))
    counters = table_of(DocumentCounter)
    session = uow.session
    take = (
        sa.update(counters)
        .where(counters.c.series == series)
        .values(next_value=counters.c.next_value + count)
        .returning(counters.c.next_value - count)
    )
    value = session.execute(take).scalar_one_or_none()
    if value is None:
        insert_ignoring_conflicts(session, counters, {"series": series, "next_value": 1})
        value = session.execute(take).scalar_one()
    return int(value)


def series_of(prefix: str, year: int) -> str:
    """``INV-2026``: one series per prefix and year of the document's date."""
    return f"{prefix}-{year:04d}"


def document_number(series: str, value: int) -> str:
    """``INV-2026-000001`` (six digits, more when a year passes a million)."""
    return f"{series}-{value:06d}"


def next_document_number(uow: UnitOfWork, prefix: str, year: int) -> tuple[str, str]:
    """(series, number) of the next gapless document of ``prefix`` in ``year``."""
    series = series_of(prefix, year)
    return series, document_number(series, next_gapless(uow, prefix, year))
