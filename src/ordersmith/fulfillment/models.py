"""Fulfilment records: which warehouse sends which units, why, and the warehouse's work.

An ``Allocation`` assigns units of one order line to one warehouse. Its counters only
ever narrow: ``quantity >= picked >= packed >= shipped``. While an allocation is open,
its units still to ship are exactly the order's reservation at that (warehouse, SKU):

    order_reservations.quantity == Σ (quantity - shipped_quantity) of open allocations

for every allocated order (``ordersmith check`` proves it). Reservation and allocation
therefore never count the same unit twice: allocation *moves* the reservation.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ordersmith.db import Base, enum_column


class AllocationStatus(StrEnum):
    ALLOCATED = "allocated"  # reserved at the warehouse, waiting for a pick list
    PICKING = "picking"  # on an open pick list
    PICKED = "picked"  # picked, waiting to be packed into a shipment
    PACKED = "packed"  # in a shipment not yet dispatched
    SHIPPED = "shipped"  # every unit left the building
    CANCELLED = "cancelled"


OPEN_ALLOCATION_STATUSES = frozenset(
    {
        AllocationStatus.ALLOCATED,
        AllocationStatus.PICKING,
        AllocationStatus.PICKED,
        AllocationStatus.PACKED,
    }
)


class Allocation(Base):
    __tablename__ = "allocations"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    order_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("orders.id", ondelete="CASCADE"))
    line_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("order_lines.id", ondelete="CASCADE"))
    warehouse_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("warehouses.id"))
    product_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("products.id"))
    quantity: Mapped[int] = mapped_column(sa.BigInteger)
    picked_quantity: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    packed_quantity: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    shipped_quantity: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    status: Mapped[AllocationStatus] = mapped_column(enum_column(AllocationStatus, 16))
    pick_list_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("pick_lists.id"))
    decision_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("allocation_decisions.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        sa.CheckConstraint(
            "quantity >= picked_quantity AND picked_quantity >= packed_quantity "
            "AND packed_quantity >= shipped_quantity AND shipped_quantity >= 0",
            name="counters_narrow",
        ),
        sa.Index("ix_allocations_order", "order_id"),
        sa.Index("ix_allocations_line", "line_id"),
        sa.Index("ix_allocations_work", "warehouse_id", "status", "created_at"),
    )


class AllocationDecision(Base):
    """Why an order's units went where they went: the readable trace of one allocation run."""

    __tablename__ = "allocation_decisions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    order_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("orders.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(sa.String(120))
    trigger: Mapped[str] = mapped_column(sa.String(40))
    """confirmed, released, stock_arrived, short_pick, manual."""
    ship_policy: Mapped[str] = mapped_column(sa.String(24))
    rules: Mapped[list[str]] = mapped_column(sa.JSON)
    decided_by: Mapped[str] = mapped_column(sa.String(40))
    summary: Mapped[str] = mapped_column(sa.Text)
    trace: Mapped[dict[str, Any]]

    __table_args__ = (sa.Index("ix_allocation_decisions_order", "order_id", "at"),)


class PickListStatus(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class PickList(Base):
    """One wave of picking in one warehouse, lines sorted by bin location."""

    __tablename__ = "pick_lists"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(32), unique=True)
    warehouse_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("warehouses.id"))
    status: Mapped[PickListStatus] = mapped_column(enum_column(PickListStatus, 16))
    created_by: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime]
    completed_by: Mapped[str | None] = mapped_column(sa.String(120))
    completed_at: Mapped[datetime | None]

    __table_args__ = (
        sa.Index("ix_pick_lists_warehouse", "warehouse_id", "status", "created_at"),
        # the newest lists first, of every status or one, of every warehouse or one
        sa.Index("ix_pick_lists_created", "created_at", "id"),
        sa.Index("ix_pick_lists_status_created", "status", "created_at", "id"),
        sa.Index("ix_pick_lists_warehouse_created", "warehouse_id", "created_at", "id"),
    )


class PickListLine(Base):
    __tablename__ = "pick_list_lines"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    pick_list_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("pick_lists.id", ondelete="CASCADE")
    )
    sequence: Mapped[int]
    allocation_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("allocations.id"))
    order_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("orders.id"))
    line_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("order_lines.id"))
    product_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("products.id"))
    sku: Mapped[str] = mapped_column(sa.String(64))
    name: Mapped[str] = mapped_column(sa.String(200))
    bin_location: Mapped[str] = mapped_column(sa.String(40))
    quantity: Mapped[int] = mapped_column(sa.BigInteger)
    picked_quantity: Mapped[int | None] = mapped_column(sa.BigInteger)

    __table_args__ = (
        sa.UniqueConstraint("pick_list_id", "sequence", name="uq_pick_list_lines_sequence"),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint(
            "picked_quantity IS NULL OR (picked_quantity >= 0 AND picked_quantity <= quantity)",
            name="picked_within_quantity",
        ),
        sa.Index("ix_pick_list_lines_allocation", "allocation_id"),
    )


class IncidentKind(StrEnum):
    """Things that went wrong with an order; each counts against a perfect-order component."""

    BACKORDER = "backorder"  # complete
    SHORT_PICK = "short_pick"  # complete
    DAMAGE = "damage"  # damage free
    DOCUMENT_CORRECTION = "document_correction"  # correct documentation
    WRONG_ITEM = "wrong_item"  # complete (a return for a wrong item, ADR 0019)


class OrderIncident(Base):
    """Append-only: an exception recorded against an order (never updated or deleted)."""

    __tablename__ = "order_incidents"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    order_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("orders.id", ondelete="CASCADE"))
    line_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("order_lines.id"))
    kind: Mapped[IncidentKind] = mapped_column(enum_column(IncidentKind, 24))
    quantity: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    warehouse_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("warehouses.id"))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    actor: Mapped[str] = mapped_column(sa.String(120))
    at: Mapped[datetime]

    __table_args__ = (sa.Index("ix_order_incidents_order", "order_id", "kind"),)
