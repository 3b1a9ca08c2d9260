"""Receivables, statements and accounting exports: request and response models.

Amounts are strings (``"12.50"``) in the currency named beside them; DSO is a decimal
string with one place (``"41.3"``), null when there were no credit sales."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from ordersmith.billing.exports import BatchView, ExportResult
from ordersmith.billing.receivables import AgingReport, AgingRow, Dso, PaymentHistory
from ordersmith.billing.records import ExportKind
from ordersmith.documents import StatementDocument
from ordersmith.web.schemas.common import DecimalStr, Input


def _plain(value: Decimal) -> str:
    return f"{value:f}"


PlainDecimal = Annotated[Decimal, PlainSerializer(_plain, return_type=str, when_used="json")]
"""A decimal as it is (``"179.2"``, ``"0.7826"``): DSO, days and shares."""


class BucketsOut(BaseModel):
    current: DecimalStr = Field(description="not due yet, or due on the day")
    days_1_30: DecimalStr
    days_31_60: DecimalStr
    days_61_90: DecimalStr
    over_90: DecimalStr
    total: DecimalStr


class AgingRowOut(BucketsOut):
    customer_id: uuid.UUID | None = Field(description="null on a currency's total")
    customer_number: str
    customer_name: str
    currency: str
    invoices: int = Field(description="invoices with an open balance")

    @classmethod
    def of(cls, row: AgingRow) -> AgingRowOut:
        return cls.model_validate(
            {**{f: getattr(row, f) for f in row.__dataclass_fields__}, "total": row.total}
        )


class AgingOut(BaseModel):
    """Open invoice balances as of a day, by days past due (docs/api.md)."""

    as_of: date
    customers: list[AgingRowOut]
    totals: list[AgingRowOut] = Field(description="one row per currency")

    @classmethod
    def of(cls, report: AgingReport) -> AgingOut:
        return cls(
            as_of=report.as_of,
            customers=[AgingRowOut.of(r) for r in report.customers],
            totals=[AgingRowOut.of(r) for r in report.totals],
        )


class DsoItemOut(BaseModel):
    currency: str
    receivables: DecimalStr = Field(description="open balance of account invoices on as_of")
    credit_sales: DecimalStr = Field(description="account invoices issued in the window")
    dso: PlainDecimal | None = Field(description="receivables / credit_sales x days, 1 place")


class DsoOut(BaseModel):
    as_of: date
    days: int
    items: list[DsoItemOut]

    @classmethod
    def of(cls, as_of: date, days: int, rows: list[Dso]) -> DsoOut:
        return cls(
            as_of=as_of,
            days=days,
            items=[
                DsoItemOut(
                    currency=r.currency,
                    receivables=r.receivables,
                    credit_sales=r.credit_sales,
                    dso=r.dso,
                )
                for r in rows
            ],
        )


class StatementLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    day: date
    kind: str = Field(description="Invoice, Receipt, Payment, Credit note or Refund")
    number: str
    detail: str
    debit: DecimalStr
    credit: DecimalStr
    balance: DecimalStr


class StatementOut(BaseModel):
    """A customer's account between two days (both included), in their currency:
    opening balance + debits - credits = closing balance (positive: they owe)."""

    customer_number: str
    currency: str
    date_from: date = Field(serialization_alias="from")
    date_to: date = Field(serialization_alias="to")
    opening_balance: DecimalStr
    lines: list[StatementLineOut]
    closing_balance: DecimalStr
    aging: BucketsOut
    aging_as_of: date

    @classmethod
    def of(cls, doc: StatementDocument) -> StatementOut:
        a = doc.aging
        return cls(
            customer_number=doc.customer_number,
            currency=doc.currency,
            date_from=doc.date_from,
            date_to=doc.date_to,
            opening_balance=doc.opening_balance,
            lines=[StatementLineOut.model_validate(line) for line in doc.lines],
            closing_balance=doc.closing_balance,
            aging=BucketsOut(
                current=a.current,
                days_1_30=a.days_1_30,
                days_31_60=a.days_31_60,
                days_61_90=a.days_61_90,
                over_90=a.over_90,
                total=a.total,
            ),
            aging_as_of=a.as_of,
        )


class SettledInvoiceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    invoice_id: uuid.UUID
    invoice_number: str
    issue_date: date
    due_date: date
    amount: DecimalStr
    days_to_pay: int = Field(description="received on - issue date (0 if paid ahead)")
    days_late: int = Field(description="received on - due date, when positive")


class PaymentRecordOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    number: str
    received_on: date
    method: str
    reference: str
    currency: str
    amount: DecimalStr
    allocated: DecimalStr
    refunded: DecimalStr
    unallocated: DecimalStr
    invoices: list[SettledInvoiceOut]


class PaymentHistoryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    customer_id: uuid.UUID
    customer_number: str
    payments: list[PaymentRecordOut] = Field(description="newest first, at most limit")
    payment_count: int
    invoices_settled: int
    average_days_to_pay: PlainDecimal | None = Field(
        description="weighted by the amount settled, one decimal place"
    )
    paid_late_share: PlainDecimal | None = Field(
        description="share of the amount settled that was paid after the due date (0 to 1)"
    )

    @classmethod
    def of(cls, history: PaymentHistory) -> PaymentHistoryOut:
        return cls.model_validate(history)


class ExportCreate(Input):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    kind: ExportKind = Field(description="journal (our CSV), xero (Manual Journal), invoices")
    date_from: date = Field(alias="from", description="first day, YYYY-MM-DD")
    date_to: date = Field(alias="to", description="last day, included")
    new_only: bool = Field(
        False, description="a new batch of the period's entries not exported yet (not invoices)"
    )


class ExportBatchOut(BaseModel):
    id: uuid.UUID
    kind: str
    date_from: date = Field(serialization_alias="from")
    date_to: date = Field(serialization_alias="to")
    new_only: bool
    entry_count: int = Field(description="journal entries (journal, xero) or invoices")
    created_by: str
    created_at: datetime
    created: bool | None = Field(
        None, description="false: the period's existing batch was returned (POST only)"
    )
    already_exported: int | None = Field(
        None, description="entries of the period handed off by other batches (POST only)"
    )
    file_url: str

    @classmethod
    def of(cls, batch: BatchView, result: ExportResult | None = None) -> ExportBatchOut:
        return cls(
            id=batch.id,
            kind=batch.kind,
            date_from=batch.date_from,
            date_to=batch.date_to,
            new_only=batch.new_only,
            entry_count=batch.entry_count,
            created_by=batch.created_by,
            created_at=batch.created_at,
            created=result.created if result else None,
            already_exported=result.already_exported if result else None,
            file_url=f"/api/v1/exports/{batch.id}/file",
        )


class StatementEmailIn(Input):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    date_from: date = Field(alias="from")
    date_to: date = Field(alias="to")
