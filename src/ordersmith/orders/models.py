from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ordersmith.db import Base, Fixed, enum_column
from ordersmith.orders.status import HoldReason, OrderStatus


class Channel(StrEnum):
    WEB = "web"
    PHONE = "phone"
    IN_PERSON = "in_person"
    API = "api"
    MARKETPLACE = "marketplace"
    IMPORT = "import"


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(32), unique=True)
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, 16))
    external_ref: Mapped[str | None] = mapped_column(sa.String(120))
    customer_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("customers.id"))
    status: Mapped[OrderStatus] = mapped_column(enum_column(OrderStatus, 16))
    hold_reason: Mapped[HoldReason | None] = mapped_column(enum_column(HoldReason, 24))
    held_from: Mapped[OrderStatus | None] = mapped_column(enum_column(OrderStatus, 16))
    backorder_policy: Mapped[str] = mapped_column(sa.String(16))
    ship_policy: Mapped[str] = mapped_column(sa.String(24), default="ship_as_available")
    fulfilment_status: Mapped[str] = mapped_column(sa.String(24), default="unfulfilled")
    """Derived from line quantities and shipments (ordersmith.fulfillment.progress)."""
    promised_dispatch_date: Mapped[date | None]
    promised_delivery_date: Mapped[date | None]
    currency: Mapped[str] = mapped_column(sa.String(3))
    billing_address: Mapped[dict[str, Any]] = mapped_column(default=dict)
    shipping_address: Mapped[dict[str, Any]] = mapped_column(default=dict)
    subtotal: Mapped[Decimal] = mapped_column(Fixed(4))
    discount_total: Mapped[Decimal] = mapped_column(Fixed(4))
    tax_total: Mapped[Decimal] = mapped_column(Fixed(4))
    shipping_total: Mapped[Decimal] = mapped_column(Fixed(4))
    total: Mapped[Decimal] = mapped_column(Fixed(4))
    units: Mapped[int] = mapped_column(sa.BigInteger)
    """Units ordered: the sum of the lines' quantities, kept with the totals (ADR 0041)."""
    requested_delivery_date: Mapped[date | None]
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    lines_fingerprint: Mapped[str] = mapped_column(sa.String(64))
    duplicate_of_id: Mapped[uuid.UUID | None]
    created_by: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(default=1)
    """1 when placed; every change after confirmation adds one (ordersmith.orders.changes)."""

    __table_args__ = (
        sa.UniqueConstraint("channel", "external_ref", name="uq_orders_channel_external_ref"),
        sa.Index("ix_orders_created", "created_at", "id"),
        # the customer's orders newest first (keyset), and the columns customer history
        # aggregates, so that it reads only this index (ADR 0041)
        sa.Index(
            "ix_orders_customer_history",
            "customer_id",
            "created_at",
            "id",
            "status",
            "hold_reason",
            "currency",
            "total",
            "units",
        ),
        # placement's duplicate check: the customer's newest order with the same lines,
        # one probe however many orders the customer placed in the window
        sa.Index(
            "ix_orders_customer_fingerprint", "customer_id", "lines_fingerprint", "created_at"
        ),
        sa.Index("ix_orders_status_created", "status", "created_at", "id"),
        sa.Index("ix_orders_channel_created", "channel", "created_at", "id"),
        sa.Index("ix_orders_fulfilment_created", "fulfilment_status", "created_at", "id"),
        sa.CheckConstraint(
            "total = subtotal - discount_total + tax_total + shipping_total", name="total_adds_up"
        ),
    )


class OrderLine(Base):
    __tablename__ = "order_lines"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    order_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("orders.id", ondelete="CASCADE"))
    line_no: Mapped[int]
    product_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("products.id"))
    sku: Mapped[str] = mapped_column(sa.String(64))
    name: Mapped[str] = mapped_column(sa.String(200))
    quantity: Mapped[int] = mapped_column(sa.BigInteger)
    reserved_quantity: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    backordered_quantity: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    shipped_quantity: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    delivered_quantity: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    backorder_expected_date: Mapped[date | None]
    warehouse_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("warehouses.id"))
    unit_price: Mapped[Decimal] = mapped_column(Fixed(4))
    discount: Mapped[Decimal] = mapped_column(Fixed(4))
    tax_rate: Mapped[Decimal] = mapped_column(Fixed(4))
    net_amount: Mapped[Decimal] = mapped_column(Fixed(4))
    tax_amount: Mapped[Decimal] = mapped_column(Fixed(4))
    price_source: Mapped[str] = mapped_column(sa.String(60))
    order_created_at: Mapped[datetime]
    """Its order's ``created_at``, kept on the line for the order search by SKU (ADR 0039):
    written with the line, and the new order's when a line moves (split, merge)."""

    __table_args__ = (
        sa.UniqueConstraint("order_id", "line_no", name="uq_order_lines_order_line_no"),
        # the order search by SKU: newest first, keyset on (order_created_at, order_id)
        sa.Index(
            "ix_order_lines_sku_created",
            "sku",
            sa.literal_column("order_created_at").desc(),
            sa.literal_column("order_id").desc(),
        ),
        sa.Index("ix_order_lines_product", "product_id"),
        sa.CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        # 0: a line cancelled after placing (ordersmith.orders.changes, ADR 0020)
        sa.CheckConstraint(
            "reserved_quantity >= 0 AND backordered_quantity >= 0 AND shipped_quantity >= 0",
            name="allocation_not_negative",
        ),
        sa.CheckConstraint(
            "reserved_quantity + backordered_quantity + shipped_quantity <= quantity",
            name="allocation_within_quantity",
        ),
        sa.CheckConstraint(
            "delivered_quantity >= 0 AND delivered_quantity <= shipped_quantity",
            name="delivered_within_shipped",
        ),
    )


class OrderReservation(Base):
    """Open reserved quantity of one order at one (warehouse, product).

    ``StockLevel.reserved`` equals the sum of these rows; ``ordersmith check`` proves it.
    """

    __tablename__ = "order_reservations"

    order_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True
    )
    warehouse_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("warehouses.id"), primary_key=True
    )
    product_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("products.id"), primary_key=True)
    quantity: Mapped[int] = mapped_column(sa.BigInteger)

    __table_args__ = (
        sa.CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        sa.Index("ix_order_reservations_item", "warehouse_id", "product_id"),
    )


class OrderHistory(Base):
    """Append-only: who did what to the order, when and why. Never updated or deleted."""

    __tablename__ = "order_history"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    order_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("orders.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(sa.String(120))
    action: Mapped[str] = mapped_column(sa.String(40))
    from_status: Mapped[str | None] = mapped_column(sa.String(16))
    to_status: Mapped[str | None] = mapped_column(sa.String(16))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)

    __table_args__ = (sa.Index("ix_order_history_order", "order_id", "at"),)


class OrderChange(Base):
    """One versioned change of an order after it was placed: what, before/after, who, why.
    Append-only; ``version`` is the order's version the change produced."""

    __tablename__ = "order_changes"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    order_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("orders.id", ondelete="CASCADE"))
    version: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.String(64))
    """What changed, "+"-joined: lines, address, delivery_date, notes, split, merge..."""
    summary: Mapped[str] = mapped_column(sa.Text)
    before: Mapped[dict[str, Any]]
    after: Mapped[dict[str, Any]]
    total_before: Mapped[Decimal] = mapped_column(Fixed(4))
    total_after: Mapped[Decimal] = mapped_column(Fixed(4))
    actor: Mapped[str] = mapped_column(sa.String(120))
    reason: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime]

    __table_args__ = (
        sa.UniqueConstraint("order_id", "version", name="uq_order_changes_order_version"),
    )
