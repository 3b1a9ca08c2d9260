"""The double-entry journal: one balanced entry per billing event, in its transaction.

What posts what (debit / credit; AR and customer credit lines name the customer):

    invoice issued         Dr receivable total        / Cr revenue subtotal, Cr tax_payable tax
    payment received       Dr cash|bank|card_clearing / Cr receivable (allocated part),
                                                        Cr customer_credit (the rest)
    credit applied         Dr customer_credit         / Cr receivable
      (an unallocated payment or an unapplied credit note settling an open invoice)
    credit note issued     Dr sales_returns subtotal, Dr tax_payable tax
                                                      / Cr receivable (applied part),
                                                        Cr customer_credit (the rest)
    refund paid            Dr customer_credit         / Cr cash|bank|card_clearing

So, per customer, the receivable account always equals the open balance of their
invoices, and the customer credit account their unallocated payments plus unapplied
credit notes; ``billing.checks.journal_balances`` proves both, and that every entry
balances. An entry whose debits and credits differ is refused at once
(``UnbalancedEntry``: a bug, the unit of work rolls back).

Entries are numbered ``JE-YYYY-NNNNNN`` without gaps, and the journal's counter is the
transaction's last lock (ADR 0034): ``post`` checks and keeps the entry, and the unit
of work writes all its entries just before commit (``UnitOfWork.last_step``), in the
order posted, with one counter update per year for all of them. So the counter every
payment and every invoice needs is held for the commit only, never while the work
waits for another row -- and a unit of work reads its own entries only once committed.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith import clock
from ordersmith.billing.accounts import AccountRole, ChartOfAccounts, chart_for
from ordersmith.billing.errors import UnbalancedEntry
from ordersmith.billing.models import JournalEntry, JournalLine
from ordersmith.billing.numbering import (
    JOURNAL_PREFIX,
    document_number,
    next_gapless,
    series_of,
)
from ordersmith.db import insert_rows, table_of
from ordersmith.ids import new_id
from ordersmith.money import ZERO
from ordersmith.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class Posting:
    """One side of an entry: ``debit`` or ``credit`` on the account with ``role``."""

    role: AccountRole
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    customer_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class AccountBalance:
    currency: str
    account_code: str
    account_name: str
    account_role: str
    debit: Decimal
    credit: Decimal

    @property
    def balance(self) -> Decimal:
        """Debit minus credit (positive for assets, negative for liabilities/income)."""
        return self.debit - self.credit


def post(
    uow: UnitOfWork,
    *,
    entry_date: date,
    currency: str,
    source_type: str,
    source_id: uuid.UUID,
    description: str,
    postings: Sequence[Posting],
    chart: ChartOfAccounts | None = None,
) -> uuid.UUID | None:
    """Write one balanced entry; None (nothing written) when every amount is zero.

    Zero postings are dropped; postings on the same (role, customer, side) are summed.
    Raises UnbalancedEntry when debits and credits differ."""
    lines = _merged(postings)
    debit = sum((p.debit for p in lines), ZERO)
    credit = sum((p.credit for p in lines), ZERO)
    if any(p.debit < 0 or p.credit < 0 for p in lines) or debit != credit:
        raise UnbalancedEntry(
            f"{source_type} {source_id}: debits {debit} != credits {credit}",
            extra={"debit": str(debit), "credit": str(credit)},
        )
    if not lines:
        return None
    accounts = chart or chart_for(uow.settings)
    entry_id = new_id()
    uow.last_step("journal", _Unwritten).entries.append(
        (
            {
                "id": entry_id,
                "number": None,
                "entry_date": entry_date,
                "currency": currency,
                "source_type": source_type,
                "source_id": source_id,
                "description": description[:300],
                "exported_at": None,
                "export_batch": None,
                "created_by": uow.actor,
                "created_at": clock.now(),
            },
            [
                {
                    "id": new_id(),
                    "entry_id": entry_id,
                    "line_no": n,
                    "account_role": p.role.value,
                    "account_code": accounts[p.role].code,
                    "account_name": accounts[p.role].name,
                    "debit": p.debit,
                    "credit": p.credit,
                    "customer_id": p.customer_id,
                }
                for n, p in enumerate(lines, start=1)
            ],
        )
    )
    return entry_id


@dataclass(slots=True)
class _Unwritten:
    """The unit of work's entries, written by its last step (see the module doc)."""

    entries: list[tuple[dict[str, Any], list[dict[str, Any]]]] = field(default_factory=list)

    def __call__(self, uow: UnitOfWork) -> None:
        """Number the entries (per year, years in order: the fixed order of series) and
        write them and their lines, one statement per table."""
        years = sorted({entry["entry_date"].year for entry, _lines in self.entries})
        for year in years:
            of_year = [entry for entry, _lines in self.entries if entry["entry_date"].year == year]
            first = next_gapless(uow, JOURNAL_PREFIX, year, count=len(of_year))
            series = series_of(JOURNAL_PREFIX, year)
            for n, entry in enumerate(of_year, start=first):
                entry["number"] = document_number(series, n)
        conn = uow.session.connection()
        insert_rows(conn, table_of(JournalEntry), [entry for entry, _lines in self.entries])
        insert_rows(
            conn, table_of(JournalLine), [line for _e, lines in self.entries for line in lines]
        )


def _merged(postings: Sequence[Posting]) -> list[Posting]:
    """Drop zero amounts; sum postings with the same account, customer and side; debit
    lines first, in the order their accounts first appeared."""
    sums: dict[tuple[AccountRole, uuid.UUID | None, bool], Decimal] = {}
    for p in postings:
        for is_debit, amount in ((True, p.debit), (False, p.credit)):
            if amount != 0:
                key = (p.role, p.customer_id, is_debit)
                sums[key] = sums.get(key, ZERO) + amount
    ordered = sorted(sums.items(), key=lambda item: not item[0][2])
    return [
        Posting(role, amount if is_debit else ZERO, ZERO if is_debit else amount, customer)
        for (role, customer, is_debit), amount in ordered
        if amount != 0
    ]


def trial_balance(session: Session) -> list[AccountBalance]:
    """Every account's total debits and credits, per currency, by account code. The
    debits and credits of a currency are always equal (see ``journal_balances``)."""
    entries, lines = table_of(JournalEntry), table_of(JournalLine)
    rows = session.execute(
        sa.select(
            entries.c.currency,
            lines.c.account_code,
            sa.func.max(lines.c.account_name),
            sa.func.max(lines.c.account_role),
            sa.func.sum(lines.c.debit),
            sa.func.sum(lines.c.credit),
        )
        .join(entries, entries.c.id == lines.c.entry_id)
        .group_by(entries.c.currency, lines.c.account_code)
        .order_by(entries.c.currency, lines.c.account_code)
    ).all()
    return [
        AccountBalance(r[0], r[1], r[2], r[3], Decimal(r[4] or 0), Decimal(r[5] or 0)) for r in rows
    ]
