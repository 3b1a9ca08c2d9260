from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ordersmith.catalog.status import ProductStatus
from ordersmith.db import Base, Fixed, enum_column


class Product(Base):
    """A sellable SKU. Prices are Decimal; quantities are integers in ``unit``."""

    __tablename__ = "products"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    category: Mapped[str] = mapped_column(sa.String(80), default="")
    unit: Mapped[str] = mapped_column(sa.String(16), default="each")
    price: Mapped[Decimal] = mapped_column(Fixed(4))
    currency: Mapped[str] = mapped_column(sa.String(3))
    tax_category: Mapped[str] = mapped_column(sa.String(40), default="standard")
    tax_rate: Mapped[Decimal] = mapped_column(Fixed(4), default=Decimal("0"))
    weight_kg: Mapped[Decimal | None] = mapped_column(Fixed(4))
    stocked: Mapped[bool] = mapped_column(default=True)
    status: Mapped[ProductStatus] = mapped_column(enum_column(ProductStatus))
    barcode: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        sa.CheckConstraint("price >= 0", name="price_not_negative"),
        sa.CheckConstraint("tax_rate >= 0", name="tax_rate_not_negative"),
        sa.Index("ix_products_name", "name"),
        sa.Index("ix_products_category", "category", "sku"),
    )

    @property
    def orderable(self) -> bool:
        return self.status is ProductStatus.ACTIVE


class PriceList(Base):
    """Prices for a customer group, valid between two dates (inclusive, open-ended if null)."""

    __tablename__ = "price_lists"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    customer_group: Mapped[str] = mapped_column(sa.String(40))
    currency: Mapped[str] = mapped_column(sa.String(3))
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]
    priority: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]

    __table_args__ = (
        sa.Index("ix_price_lists_group", "customer_group", "valid_from"),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from", name="valid_range"
        ),
    )

    def is_effective(self, on: date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or on <= self.valid_to
        )


class PriceListItem(Base):
    __tablename__ = "price_list_items"

    price_list_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("price_lists.id", ondelete="CASCADE"), primary_key=True
    )
    product_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("products.id"), primary_key=True)
    min_quantity: Mapped[int] = mapped_column(primary_key=True, default=1)
    price: Mapped[Decimal] = mapped_column(Fixed(4))

    __table_args__ = (
        sa.CheckConstraint("price >= 0", name="price_not_negative"),
        sa.CheckConstraint("min_quantity >= 1", name="min_quantity_positive"),
        sa.Index("ix_price_list_items_product", "product_id"),
    )
