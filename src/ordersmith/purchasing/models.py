"""Purchasing tables: suppliers, what they supply, purchase orders and their receipts.

A supplier's costs are in the supplier's currency (``suppliers.currency``); a purchase
order copies that currency, and its lines copy the supplier product's quoted cost and
lead time when they are made (``quoted_unit_cost``, ``quoted_lead_time_days``), so the
scorecard compares what happened with what was quoted then, not with today's list.
``purchase_orders.total`` is the sum of its lines' ``amount`` (each quantity x unit cost,
rounded to the currency's minor unit): the services recompute it whenever lines change,
and ``ordersmith check`` proves it. ``purchase_order_lines.received_quantity`` is the
projection of the receipt lines (append-only records of each delivery), kept in the
same transaction and proved by ``ordersmith check`` too. Money is ``Fixed(4)``.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ordersmith.db import Base, Fixed, enum_column
from ordersmith.purchasing.status import PurchaseOrderStatus


class Supplier(Base):
    __tablename__ = "suppliers"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    """Upper-case; look-ups by code match any case."""
    name: Mapped[str] = mapped_column(sa.String(200))
    contact_name: Mapped[str] = mapped_column(sa.String(200), default="")
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    """Where purchase orders are sent (lower-case); empty: they are not emailed."""
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    currency: Mapped[str] = mapped_column(sa.String(3))
    payment_terms_days: Mapped[int]
    address: Mapped[dict[str, Any]] = mapped_column(default=dict)
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_by: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        sa.Index("ix_suppliers_active_code", "active", "code"),
        sa.CheckConstraint("payment_terms_days >= 0", name="terms_not_negative"),
    )


class SupplierProduct(Base):
    """A product as one supplier sells it: their SKU, cost, lead time, order rules."""

    __tablename__ = "supplier_products"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    supplier_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("suppliers.id"))
    product_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("products.id"))
    supplier_sku: Mapped[str] = mapped_column(sa.String(64), default="")
    unit_cost: Mapped[Decimal] = mapped_column(Fixed(4))
    """In the supplier's currency."""
    lead_time_days: Mapped[int]
    min_order_quantity: Mapped[int] = mapped_column(sa.BigInteger, default=1)
    pack_multiple: Mapped[int] = mapped_column(sa.BigInteger, default=1)
    """Order in multiples of this (a case of 12: 12)."""
    preferred: Mapped[bool] = mapped_column(default=False)
    """At most one preferred supplier per product (a partial unique index)."""
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        sa.UniqueConstraint("supplier_id", "product_id", name="uq_supplier_products_supplier"),
        sa.Index(
            "uq_supplier_products_preferred",
            "product_id",
            unique=True,
            sqlite_where=sa.text("preferred"),
            postgresql_where=sa.text("preferred"),
        ),
        sa.Index("ix_supplier_products_product", "product_id"),
        sa.CheckConstraint("unit_cost >= 0", name="unit_cost_not_negative"),
        sa.CheckConstraint("lead_time_days >= 0", name="lead_time_not_negative"),
        sa.CheckConstraint("min_order_quantity >= 1", name="moq_positive"),
        sa.CheckConstraint("pack_multiple >= 1", name="pack_multiple_positive"),
    )


class PurchaseOrder(Base):
    __tablename__ = "purchase_orders"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(32), unique=True)
    supplier_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("suppliers.id"))
    warehouse_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("warehouses.id"))
    """Where the goods are delivered (and received into)."""
    currency: Mapped[str] = mapped_column(sa.String(3))
    payment_terms_days: Mapped[int]
    status: Mapped[PurchaseOrderStatus] = mapped_column(enum_column(PurchaseOrderStatus))
    total: Mapped[Decimal] = mapped_column(Fixed(4))
    """The sum of the lines' amounts (net; purchase tax is the supplier invoice's)."""
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    created_by: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    approved_by: Mapped[str] = mapped_column(sa.String(120), default="")
    approved_at: Mapped[datetime | None]
    sent_by: Mapped[str] = mapped_column(sa.String(120), default="")
    sent_at: Mapped[datetime | None]
    """From here the lead time runs (scorecard)."""
    closed_by: Mapped[str] = mapped_column(sa.String(120), default="")
    closed_at: Mapped[datetime | None]
    close_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    cancelled_by: Mapped[str] = mapped_column(sa.String(120), default="")
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str] = mapped_column(sa.String(500), default="")

    __table_args__ = (
        sa.Index("ix_purchase_orders_created", "created_at", "id"),
        sa.Index("ix_purchase_orders_status_created", "status", "created_at", "id"),
        sa.Index("ix_purchase_orders_supplier_created", "supplier_id", "created_at", "id"),
        sa.Index("ix_purchase_orders_warehouse_created", "warehouse_id", "created_at", "id"),
        sa.CheckConstraint("total >= 0", name="total_not_negative"),
        sa.CheckConstraint("payment_terms_days >= 0", name="terms_not_negative"),
    )


class PurchaseOrderLine(Base):
    __tablename__ = "purchase_order_lines"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    purchase_order_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("purchase_orders.id", ondelete="CASCADE")
    )
    line_no: Mapped[int]
    product_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("products.id"))
    sku: Mapped[str] = mapped_column(sa.String(64))
    name: Mapped[str] = mapped_column(sa.String(200))
    supplier_sku: Mapped[str] = mapped_column(sa.String(64), default="")
    quantity: Mapped[int] = mapped_column(sa.BigInteger)
    unit_cost: Mapped[Decimal] = mapped_column(Fixed(4))
    amount: Mapped[Decimal] = mapped_column(Fixed(4))
    """quantity x unit cost, rounded to the currency's minor unit (half up)."""
    quoted_unit_cost: Mapped[Decimal] = mapped_column(Fixed(4))
    """The supplier product's cost when the line was made (price variance)."""
    quoted_lead_time_days: Mapped[int]
    expected_date: Mapped[date]
    received_quantity: Mapped[int] = mapped_column(sa.BigInteger, default=0)

    __table_args__ = (
        sa.UniqueConstraint("purchase_order_id", "line_no", name="uq_purchase_order_lines_line_no"),
        sa.Index("ix_purchase_order_lines_product", "product_id"),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("received_quantity >= 0", name="received_not_negative"),
        sa.CheckConstraint(
            "unit_cost >= 0 AND amount >= 0 AND quoted_unit_cost >= 0", name="costs_not_negative"
        ),
        sa.CheckConstraint("quoted_lead_time_days >= 0", name="lead_time_not_negative"),
    )


class PurchaseReceipt(Base):
    """One delivery received against a purchase order (append-only)."""

    __tablename__ = "purchase_receipts"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    purchase_order_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("purchase_orders.id"))
    warehouse_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("warehouses.id"))
    delivery_note: Mapped[str] = mapped_column(sa.String(64), default="")
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    received_by: Mapped[str] = mapped_column(sa.String(120))
    received_at: Mapped[datetime]

    __table_args__ = (sa.Index("ix_purchase_receipts_order", "purchase_order_id", "received_at"),)


class PurchaseReceiptLine(Base):
    __tablename__ = "purchase_receipt_lines"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    receipt_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("purchase_receipts.id", ondelete="CASCADE")
    )
    purchase_order_line_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("purchase_order_lines.id")
    )
    quantity: Mapped[int] = mapped_column(sa.BigInteger)
    invoiced_unit_cost: Mapped[Decimal | None] = mapped_column(Fixed(4))
    """What the supplier actually charged per unit, when known (price variance)."""

    __table_args__ = (
        sa.Index("ix_purchase_receipt_lines_receipt", "receipt_id"),
        sa.Index("ix_purchase_receipt_lines_order_line", "purchase_order_line_id"),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint(
            "invoiced_unit_cost IS NULL OR invoiced_unit_cost >= 0", name="cost_not_negative"
        ),
    )
