"""Catalog request and response models. Amounts travel as decimal strings ("12.50")."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ordersmith.catalog.queries import (
    PriceListItemView,
    PriceListView,
    ProductView,
)
from ordersmith.catalog.status import ProductStatus
from ordersmith.money import money_str
from ordersmith.web.schemas.common import Input

_AMOUNT = "a decimal string with at most 4 decimals, never a JSON number"


def _fraction(value: Decimal) -> str:
    return f"{value:.4f}"


def _plain(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.normalize():f}"


class ProductCreate(Input):
    sku: str = Field(
        ..., examples=["A-1"], description="unique, at most 64 characters; never changes"
    )
    name: str = Field(..., examples=["Steel bracket"])
    price: str = Field(..., examples=["12.50"], description=_AMOUNT)
    currency: str | None = Field(
        None, examples=["EUR"], description="default: the settings' currency"
    )
    description: str = ""
    category: str = ""
    unit: str = Field("each", description="the unit quantities count in")
    tax_category: str = "standard"
    tax_rate: str = Field("0", examples=["0.2000"], description="a fraction: 0.2000 is 20 %")
    weight_kg: str | None = Field(None, examples=["0.25"])
    stocked: bool = Field(True, description="false for services and other unstocked items")
    status: ProductStatus = ProductStatus.ACTIVE
    barcode: str | None = Field(None, description="unique when given (EAN, UPC...)")


class ProductUpdate(Input):
    """Only the fields sent change; the SKU never does. Status changes follow
    draft -> active -> discontinued, and discontinued -> active."""

    name: str | None = None
    price: str | None = Field(None, description=_AMOUNT)
    currency: str | None = None
    description: str | None = None
    category: str | None = None
    unit: str | None = None
    tax_category: str | None = None
    tax_rate: str | None = None
    weight_kg: str | None = None
    stocked: bool | None = None
    status: ProductStatus | None = None
    barcode: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _sku_is_immutable(cls, data: Any) -> Any:
        if isinstance(data, dict) and "sku" in data:
            raise ValueError("sku cannot be changed: add a new product and discontinue this one")
        return data


class ProductOut(BaseModel):
    id: uuid.UUID
    sku: str
    name: str
    description: str
    category: str
    unit: str
    price: str = Field(..., examples=["12.50"])
    currency: str
    tax_category: str
    tax_rate: str = Field(..., examples=["0.2000"])
    weight_kg: str | None
    stocked: bool
    status: ProductStatus
    orderable: bool = Field(..., description="true when the status is active")
    barcode: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_view(cls, view: ProductView) -> ProductOut:
        return cls(
            id=view.id,
            sku=view.sku,
            name=view.name,
            description=view.description,
            category=view.category,
            unit=view.unit,
            price=money_str(view.price, view.currency),
            currency=view.currency,
            tax_category=view.tax_category,
            tax_rate=_fraction(view.tax_rate),
            weight_kg=_plain(view.weight_kg),
            stocked=view.stocked,
            status=view.status,
            orderable=view.orderable,
            barcode=view.barcode,
            created_at=view.created_at,
            updated_at=view.updated_at,
        )


class PriceItemIn(Input):
    sku: str
    price: str = Field(..., examples=["11.00"], description=_AMOUNT)
    min_quantity: int = Field(1, description="this price applies from this many units on")


class PriceListCreate(Input):
    code: str = Field(
        ..., examples=["WHOLESALE-2026"], description="unique; letters, digits, . _ -"
    )
    name: str
    customer_group: str = Field(..., examples=["wholesale"])
    currency: str | None = Field(None, description="default: the settings' currency")
    valid_from: date | None = Field(None, description="first day it applies (inclusive)")
    valid_to: date | None = Field(None, description="last day it applies (inclusive)")
    priority: int = Field(0, description="the higher wins when several lists apply")
    items: list[PriceItemIn] = Field(default_factory=list)


class PriceListItemsIn(Input):
    items: list[PriceItemIn]


class PriceListItemOut(BaseModel):
    product_id: uuid.UUID
    sku: str
    min_quantity: int
    price: str

    @classmethod
    def from_view(cls, view: PriceListItemView, currency: str) -> PriceListItemOut:
        return cls(
            product_id=view.product_id,
            sku=view.sku,
            min_quantity=view.min_quantity,
            price=money_str(view.price, currency),
        )


class PriceListSummaryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    code: str
    name: str
    customer_group: str
    currency: str
    valid_from: date | None
    valid_to: date | None
    priority: int
    created_at: datetime
    item_count: int


class PriceListOut(BaseModel):
    id: uuid.UUID
    code: str
    name: str
    customer_group: str
    currency: str
    valid_from: date | None
    valid_to: date | None
    priority: int
    created_at: datetime
    items: list[PriceListItemOut]

    @classmethod
    def from_view(cls, view: PriceListView) -> PriceListOut:
        return cls(
            id=view.id,
            code=view.code,
            name=view.name,
            customer_group=view.customer_group,
            currency=view.currency,
            valid_from=view.valid_from,
            valid_to=view.valid_to,
            priority=view.priority,
            created_at=view.created_at,
            items=[PriceListItemOut.from_view(i, view.currency) for i in view.items],
        )
