"""Returns (RMA): request and response models."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from ordersmith.returns.analytics import AnalyticsBy, ReturnAnalytics
from ordersmith.returns.inputs import MAX_LINES
from ordersmith.returns.models import Disposition, Resolution, ReturnReason
from ordersmith.returns.status import ReturnAction, ReturnStatus
from ordersmith.validation import MAX_QUANTITY
from ordersmith.web.schemas.common import DecimalStr, Input
from ordersmith.web.schemas.kpis import RateStr

Note = Field("", max_length=500)


class ReturnLineIn(Input):
    line_no: int = Field(..., ge=1, le=MAX_QUANTITY, description="the order line's number")
    quantity: int = Field(..., ge=1, le=MAX_QUANTITY)
    reason: ReturnReason
    note: str = Note


class ReturnCreate(Input):
    order: str = Field(..., min_length=1, max_length=64, description="order id or number")
    lines: list[ReturnLineIn] = Field(..., min_length=1, max_length=MAX_LINES)
    comment: str = Field("", max_length=2000, description="the customer's words")
    override_window_reason: str = Field(
        "",
        max_length=500,
        description="accept lines whose return window has closed (staff with "
        "`returns:override` only), and why",
    )
    warehouse: str | None = Field(
        None, max_length=20, description="where the goods go back to; default: where they left"
    )


class AuthoriseIn(Input):
    warehouse: str | None = Field(None, max_length=20, description="change the return address")
    note: str = Note


class RejectIn(Input):
    reason: str = Field(..., min_length=1, max_length=500, description="told to the customer")


class ShipIn(Input):
    carrier: str | None = Field(None, max_length=20, description="a carrier code")
    tracking_number: str | None = Field(
        None, max_length=40, description="required for a generic carrier; a local courier makes one"
    )


class ReceivedLineIn(Input):
    line_no: int = Field(..., ge=1, le=MAX_QUANTITY)
    quantity: int = Field(..., ge=0, le=MAX_QUANTITY, description="units that arrived")


class ReceiveIn(Input):
    lines: list[ReceivedLineIn] | None = Field(
        None, min_length=1, max_length=MAX_LINES, description="leave out: everything asked back"
    )


class DispositionIn(Input):
    line_no: int = Field(..., ge=1, le=MAX_QUANTITY)
    disposition: Disposition
    quantity: int | None = Field(
        None, ge=1, le=MAX_QUANTITY, description="default: all received units of the line"
    )
    warehouse: str | None = Field(
        None, max_length=20, description="restock, refurbish, scrap: default the return's"
    )
    supplier: str | None = Field(
        None, max_length=40, description="return_to_supplier: default the preferred supplier"
    )
    note: str = Note


class InspectIn(Input):
    dispositions: list[DispositionIn] = Field(..., max_length=MAX_LINES)


class ExchangeLineIn(Input):
    sku: str = Field(..., min_length=1, max_length=64)
    quantity: int = Field(..., ge=1, le=MAX_QUANTITY)


class ResolveIn(Input):
    resolution: Resolution
    note: str = Note
    exchange_lines: list[ExchangeLineIn] | None = Field(
        None,
        min_length=1,
        max_length=MAX_LINES,
        description="exchange only: the replacement's lines; default the received units",
    )


class CancelIn(Input):
    reason: str = Note


class DispositionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    disposition: Disposition
    quantity: int
    warehouse: str | None
    supplier: str | None
    note: str


class ReturnLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    line_no: int
    sku: str
    name: str
    quantity: int
    received_quantity: int
    reason: ReturnReason
    note: str
    dispositions: list[DispositionOut]
    order_line_id: uuid.UUID
    product_id: uuid.UUID


class ReturnOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    number: str
    status: ReturnStatus
    order_id: uuid.UUID
    order_number: str
    customer_id: uuid.UUID
    requested_by: str
    comment: str
    warehouse: str = Field(description="where the goods go back to")
    window_override_reason: str
    line_count: int
    units: int
    carrier: str | None
    tracking_number: str
    tracking_url: str
    resolution: Resolution | None
    resolution_note: str
    currency: str
    credited_total: DecimalStr
    refunded_total: DecimalStr
    credit_notes: list[str]
    replacement_order_id: uuid.UUID | None
    replacement_order_number: str | None
    reject_reason: str
    cancel_reason: str
    allowed_actions: list[ReturnAction]
    lines: list[ReturnLineOut] = Field(
        default_factory=list, description="empty in lists; see GET /returns/{id}"
    )
    created_by: str
    created_at: datetime
    updated_at: datetime
    authorised_by: str
    authorised_at: datetime | None
    rejected_by: str
    rejected_at: datetime | None
    shipped_at: datetime | None
    received_by: str
    received_at: datetime | None
    inspected_by: str
    inspected_at: datetime | None
    resolved_by: str
    resolved_at: datetime | None
    cancelled_by: str
    cancelled_at: datetime | None


class ReturnRateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    key: str
    label: str
    returns: int
    units_returned: int
    units_delivered: int
    return_rate: RateStr | None


class ReturnAnalyticsOut(BaseModel):
    by: AnalyticsBy
    date_from: date = Field(serialization_alias="from")
    date_to: date = Field(serialization_alias="to")
    returns: int
    units_returned: int
    units_delivered: int
    return_rate: RateStr | None
    rows: list[ReturnRateOut]

    @classmethod
    def of(cls, report: ReturnAnalytics) -> ReturnAnalyticsOut:
        return cls(
            by=report.by,
            date_from=report.date_from,
            date_to=report.date_to,
            returns=report.returns,
            units_returned=report.units_returned,
            units_delivered=report.units_delivered,
            return_rate=report.return_rate,
            rows=[ReturnRateOut.model_validate(r) for r in report.rows],
        )
