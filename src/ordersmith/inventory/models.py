"""Inventory is a ledger.

``StockMovement`` rows are append-only: every stock effect (receipt, adjustment,
reservation, release, ...) is one row with actor, reason and source document.
``StockLevel`` is the projection per (warehouse, product), kept in the same
transaction; CHECK constraints are the backstop (never negative, never reserved
beyond what is on hand). ``ordersmith check`` proves projection == ledger.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ordersmith.db import Base, enum_column
from ordersmith.inventory.transfer_status import TransferStatus


class MovementKind(StrEnum):
    RECEIPT = "receipt"
    ADJUSTMENT = "adjustment"
    RESERVATION = "reservation"
    RELEASE = "release"
    SHIPMENT = "shipment"
    RETURN = "return"
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"
    PRODUCTION = "production"


class AdjustmentReason(StrEnum):
    COUNT = "count"  # stock-take correction
    DAMAGE = "damage"
    LOSS = "loss"
    FOUND = "found"
    CORRECTION = "correction"
    OPENING_BALANCE = "opening_balance"


class Warehouse(Base):
    __tablename__ = "warehouses"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    address: Mapped[dict[str, Any]] = mapped_column(default=dict)
    priority: Mapped[int] = mapped_column(default=100)
    """Lower is preferred when an order line names no warehouse."""
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]


class StockLevel(Base):
    """Projection of the ledger for one (warehouse, product)."""

    __tablename__ = "stock_levels"

    warehouse_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("warehouses.id"), primary_key=True
    )
    product_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("products.id"), primary_key=True)
    on_hand: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    reserved: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    reorder_point: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    bin_location: Mapped[str] = mapped_column(sa.String(40), default="")
    updated_at: Mapped[datetime]

    __table_args__ = (
        sa.CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
        sa.CheckConstraint("reserved >= 0", name="reserved_not_negative"),
        sa.CheckConstraint("reserved <= on_hand", name="available_not_negative"),
        sa.CheckConstraint("reorder_point >= 0", name="reorder_point_not_negative"),
        sa.Index("ix_stock_levels_product", "product_id", "warehouse_id"),
    )

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class StockMovement(Base):
    """One append-only ledger row. ``on_hand_delta``/``reserved_delta`` are signed."""

    __tablename__ = "stock_movements"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    warehouse_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("warehouses.id"))
    product_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("products.id"))
    kind: Mapped[MovementKind] = mapped_column(enum_column(MovementKind))
    on_hand_delta: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    reserved_delta: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    reason: Mapped[str] = mapped_column(sa.String(200), default="")
    source_type: Mapped[str] = mapped_column(sa.String(40), default="")
    source_id: Mapped[str] = mapped_column(sa.String(64), default="")
    actor: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime]

    __table_args__ = (
        sa.Index("ix_stock_movements_item", "warehouse_id", "product_id", "created_at"),
        sa.Index("ix_stock_movements_source", "source_type", "source_id"),
    )


class StockTransfer(Base):
    """Goods moving between two warehouses (ADR 0015). Numbered ``TR-<year>-NNNNNN``.

    Units in transit (shipped, not yet received, on an open transfer) are on neither
    warehouse's hand: ``transfer_out`` took them off the source, ``transfer_in`` puts them
    on the destination (or back on the source when a transfer in transit is cancelled)."""

    __tablename__ = "stock_transfers"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(32), unique=True)
    from_warehouse_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("warehouses.id"))
    to_warehouse_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("warehouses.id"))
    status: Mapped[TransferStatus] = mapped_column(enum_column(TransferStatus))
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    created_by: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    dispatched_by: Mapped[str] = mapped_column(sa.String(120), default="")
    dispatched_at: Mapped[datetime | None]
    received_at: Mapped[datetime | None]
    """When the last outstanding unit arrived."""
    cancelled_by: Mapped[str] = mapped_column(sa.String(120), default="")
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str] = mapped_column(sa.String(150), default="")

    __table_args__ = (
        sa.CheckConstraint("from_warehouse_id <> to_warehouse_id", name="warehouses_differ"),
        sa.Index("ix_stock_transfers_status_created", "status", "created_at", "id"),
        sa.Index("ix_stock_transfers_from_created", "from_warehouse_id", "created_at", "id"),
        sa.Index("ix_stock_transfers_to_created", "to_warehouse_id", "created_at", "id"),
        sa.Index("ix_stock_transfers_created", "created_at", "id"),
    )


class StockTransferLine(Base):
    """One product of a transfer: ``received <= shipped <= quantity``."""

    __tablename__ = "stock_transfer_lines"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    transfer_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("stock_transfers.id", ondelete="CASCADE")
    )
    line_no: Mapped[int]
    product_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("products.id"))
    sku: Mapped[str] = mapped_column(sa.String(64))
    quantity: Mapped[int] = mapped_column(sa.BigInteger)
    shipped_quantity: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    received_quantity: Mapped[int] = mapped_column(sa.BigInteger, default=0)

    __table_args__ = (
        sa.UniqueConstraint("transfer_id", "product_id", name="uq_stock_transfer_lines_product"),
        sa.UniqueConstraint("transfer_id", "line_no", name="uq_stock_transfer_lines_line_no"),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint(
            "shipped_quantity >= 0 AND shipped_quantity <= quantity", name="shipped_within_quantity"
        ),
        sa.CheckConstraint(
            "received_quantity >= 0 AND received_quantity <= shipped_quantity",
            name="received_within_shipped",
        ),
        sa.Index("ix_stock_transfer_lines_product", "product_id"),
    )
