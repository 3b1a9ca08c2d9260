"""Catalog domain events (delivered through the outbox)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from ordersmith.catalog.status import ProductStatus
from ordersmith.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class ProductCreated(DomainEvent):
    aggregate_type: ClassVar[str] = "product"
    sku: str
    name: str
    price: Decimal
    currency: str
    status: ProductStatus


@dataclass(frozen=True, kw_only=True)
class ProductUpdated(DomainEvent):
    """``changes`` maps each changed field to its new value."""

    aggregate_type: ClassVar[str] = "product"
    sku: str
    changes: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class ProductStatusChanged(DomainEvent):
    aggregate_type: ClassVar[str] = "product"
    sku: str
    from_status: ProductStatus
    to_status: ProductStatus


@dataclass(frozen=True, kw_only=True)
class PriceListCreated(DomainEvent):
    aggregate_type: ClassVar[str] = "price_list"
    code: str
    customer_group: str
    currency: str
    item_count: int


@dataclass(frozen=True, kw_only=True)
class PriceListItemsReplaced(DomainEvent):
    aggregate_type: ClassVar[str] = "price_list"
    code: str
    item_count: int


@dataclass(frozen=True, kw_only=True)
class PriceListItemSet(DomainEvent):
    aggregate_type: ClassVar[str] = "price_list"
    code: str
    product_id: uuid.UUID
    sku: str
    min_quantity: int
    price: Decimal
    replaced: bool  # False: a new price; True: the price of that SKU and quantity changed


@dataclass(frozen=True, kw_only=True)
class PriceListItemRemoved(DomainEvent):
    aggregate_type: ClassVar[str] = "price_list"
    code: str
    product_id: uuid.UUID
    sku: str
    min_quantity: int
