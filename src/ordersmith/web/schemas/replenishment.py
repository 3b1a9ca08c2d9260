"""Request and response models of replenishment: policies, requests, ordering, runs.

Inputs check shape only; the services check values (kinds, quantities, order rules), so
the API and the CLI give the same messages."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from ordersmith.replenishment.views import OrderingResult, RequestView
from ordersmith.web.schemas.common import Input

Units = Annotated[int, Field(ge=1, le=2**31 - 1)]
Code = Annotated[str, Field(min_length=1, max_length=64)]


class PolicyIn(Input):
    kind: str = Field(..., description="manual, min_max or forecast")
    min_quantity: int | None = Field(None, description="min_max only: order at or below")
    max_quantity: int | None = Field(None, description="min_max only: order up to")
    note: str = Field("", max_length=500)


class PolicyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    warehouse_id: uuid.UUID
    warehouse: str
    product_id: uuid.UUID
    sku: str
    kind: str
    min_quantity: int | None
    max_quantity: int | None
    note: str
    updated_by: str
    updated_at: datetime


class RequestCreate(Input):
    """A request raised by hand: a purchase (from `supplier`, default the preferred one) or
    a transfer from `source_warehouse`."""

    warehouse: Code
    sku: Code
    quantity: Units
    supplier: str | None = Field(None, max_length=64, description="code or id")
    source_warehouse: str | None = Field(None, max_length=64)
    note: str = Field("", max_length=500)


class RequestUpdate(Input):
    """What to change; leave out what stays. `"quantity": null` goes back to the
    suggested quantity; `supplier` makes a transfer a purchase, `source_warehouse` a
    purchase a transfer."""

    quantity: Units | None = None
    supplier: str | None = Field(None, min_length=1, max_length=64)
    source_warehouse: str | None = Field(None, min_length=1, max_length=64)


class RejectIn(Input):
    reason: str = Field(..., max_length=500)


class RequestOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    status: str
    kind: str = Field(description="purchase or transfer")
    reason: str = Field(description="stock_low, stock_out, scheduled_review or manual")
    warehouse_id: uuid.UUID
    warehouse: str
    product_id: uuid.UUID
    sku: str
    product_name: str
    supplier_id: uuid.UUID | None
    supplier: str
    source_warehouse_id: uuid.UUID | None
    source_warehouse: str
    suggested_quantity: int
    quantity: int | None = Field(description="as edited; null: the suggested quantity")
    order_quantity: int = Field(description="what would be ordered")
    numbers: dict[str, Any] = Field(description="the numbers behind the suggestion")
    explanation: str
    created_by: str
    created_at: datetime
    updated_at: datetime
    evaluated_at: datetime
    edited_by: str
    edited_at: datetime | None
    approved_by: str
    approved_at: datetime | None
    rejected_by: str
    rejected_at: datetime | None
    reject_reason: str
    ordered_by: str
    ordered_at: datetime | None
    ordered_quantity: int | None
    purchase_order_id: uuid.UUID | None
    transfer_id: uuid.UUID | None
    document_number: str
    allowed_actions: list[str]

    @classmethod
    def of(cls, view: RequestView) -> RequestOut:
        return cls.model_validate(view)


class OrderIn(Input):
    """Which approved requests to order; leave out to order every one."""

    supplier: str | None = Field(None, max_length=64, description="purchase orders only")
    warehouse: str | None = Field(None, max_length=64, description="the destination")
    source_warehouse: str | None = Field(None, max_length=64, description="transfers only")
    requests: list[uuid.UUID] | None = Field(None, max_length=500)
    dispatch: bool = Field(False, description="transfers only: dispatch at once")


class DocumentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    number: str
    kind: str
    supplier: str = Field(description="the supplier's code, or the source warehouse's")
    warehouse: str
    status: str
    request_ids: list[uuid.UUID]
    lines: list[dict[str, Any]]


class SkippedOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    request_id: uuid.UUID
    warehouse: str
    sku: str
    reason: str


class OrderingOut(BaseModel):
    documents: list[DocumentOut]
    skipped: list[SkippedOut]

    @classmethod
    def of(cls, result: OrderingResult) -> OrderingOut:
        return cls(
            documents=[
                DocumentOut.model_validate(
                    {
                        **{f: getattr(d, f) for f in ("id", "number", "kind", "supplier")},
                        "warehouse": d.warehouse,
                        "status": d.status,
                        "request_ids": list(d.request_ids),
                        "lines": [{"sku": s, "quantity": q} for s, q in d.lines],
                    }
                )
                for d in result.documents
            ],
            skipped=[SkippedOut.model_validate(s) for s in result.skipped],
        )


class RunOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    started_at: datetime
    finished_at: datetime
    actor: str
    evaluated: int
    raised: int
    updated: int
    withdrawn: int
    unchanged: int
    transfers: int
    without_supplier: int
    note: str
