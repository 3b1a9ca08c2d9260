"""Replenishment tables: policies, requests and review runs (ADR 0018).

``replenishment_policies`` says, per (warehouse, product), how it is replenished;
pairs without a row follow ``ORDERSMITH_REPLENISHMENT_DEFAULT_POLICY``.

``replenishment_requests`` are suggestions to buy (``purchase``) or move (``transfer``)
stock to a warehouse, with the numbers behind them (``numbers``, JSON) and a sentence
saying why (``explanation``). ``suggested_quantity`` is what the rules proposed (rounded
to the supplier's order rules for a purchase); ``quantity`` is what a person changed it
to, if anyone did. At most one request per (warehouse, product) is open or approved
(``uq_replenishment_requests_active``, a partial unique index both databases enforce).
An ordered request names the purchase order or transfer it went on and the quantity
that went there (``ordered_quantity``).

``replenishment_runs`` records each review of every (warehouse, SKU): when, by whom and
what it did.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ordersmith.db import Base, enum_column
from ordersmith.replenishment.status import RequestStatus


class PolicyKind(StrEnum):
    MANUAL = "manual"
    """Never suggested automatically (requests only by hand)."""
    MIN_MAX = "min_max"
    """When the projected position is at or below min, order up to max."""
    FORECAST = "forecast"
    """The latest forecast's reorder point and order-up-to level."""


class RequestKind(StrEnum):
    PURCHASE = "purchase"
    TRANSFER = "transfer"


class RequestReason(StrEnum):
    STOCK_LOW = "stock_low"
    STOCK_OUT = "stock_out"
    SCHEDULED_REVIEW = "scheduled_review"
    MANUAL = "manual"


class ReplenishmentPolicy(Base):
    __tablename__ = "replenishment_policies"

    warehouse_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("warehouses.id"), primary_key=True
    )
    product_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("products.id"), primary_key=True)
    kind: Mapped[PolicyKind] = mapped_column(enum_column(PolicyKind, 16))
    min_quantity: Mapped[int | None] = mapped_column(sa.BigInteger)
    max_quantity: Mapped[int | None] = mapped_column(sa.BigInteger)
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    updated_by: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        sa.Index("ix_replenishment_policies_product", "product_id"),
        sa.CheckConstraint(
            "(kind = 'min_max' AND min_quantity IS NOT NULL AND max_quantity IS NOT NULL "
            "AND min_quantity >= 0 AND max_quantity >= min_quantity AND max_quantity >= 1) "
            "OR (kind <> 'min_max' AND min_quantity IS NULL AND max_quantity IS NULL)",
            name="min_max_consistent",
        ),
    )


class ReplenishmentRequest(Base):
    __tablename__ = "replenishment_requests"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    warehouse_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("warehouses.id"))
    """Where the stock is needed."""
    product_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("products.id"))
    status: Mapped[RequestStatus] = mapped_column(enum_column(RequestStatus, 16))
    kind: Mapped[RequestKind] = mapped_column(enum_column(RequestKind, 16))
    reason: Mapped[RequestReason] = mapped_column(enum_column(RequestReason, 24))
    """What raised (or last updated) the request."""
    supplier_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("suppliers.id"))
    """Who to buy from (purchase); none: no preferred supplier, choose one to order."""
    source_warehouse_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("warehouses.id"))
    """Where to transfer from (transfer)."""
    suggested_quantity: Mapped[int] = mapped_column(sa.BigInteger)
    quantity: Mapped[int | None] = mapped_column(sa.BigInteger)
    """The quantity as a person edited it; none: the suggested quantity stands."""
    numbers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    explanation: Mapped[str] = mapped_column(sa.Text, default="")
    created_by: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    evaluated_at: Mapped[datetime]
    """When the numbers were last computed."""
    edited_by: Mapped[str] = mapped_column(sa.String(120), default="")
    edited_at: Mapped[datetime | None]
    approved_by: Mapped[str] = mapped_column(sa.String(120), default="")
    approved_at: Mapped[datetime | None]
    rejected_by: Mapped[str] = mapped_column(sa.String(120), default="")
    rejected_at: Mapped[datetime | None]
    reject_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    ordered_by: Mapped[str] = mapped_column(sa.String(120), default="")
    ordered_at: Mapped[datetime | None]
    ordered_quantity: Mapped[int | None] = mapped_column(sa.BigInteger)
    purchase_order_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("purchase_orders.id"))
    transfer_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("stock_transfers.id"))
    document_number: Mapped[str] = mapped_column(sa.String(32), default="")
    """The purchase order's or transfer's number, once ordered."""

    __table_args__ = (
        sa.Index(
            "uq_replenishment_requests_active",
            "warehouse_id",
            "product_id",
            unique=True,
            sqlite_where=sa.text("status IN ('open', 'approved')"),
            postgresql_where=sa.text("status IN ('open', 'approved')"),
        ),
        sa.Index("ix_replenishment_requests_created", "created_at", "id"),
        sa.Index("ix_replenishment_requests_status_created", "status", "created_at", "id"),
        sa.Index("ix_replenishment_requests_product", "product_id", "warehouse_id"),
        sa.Index("ix_replenishment_requests_supplier", "supplier_id", "status"),
        sa.Index("ix_replenishment_requests_purchase_order", "purchase_order_id"),
        sa.Index("ix_replenishment_requests_transfer", "transfer_id"),
        sa.CheckConstraint("suggested_quantity > 0", name="suggested_positive"),
        sa.CheckConstraint("quantity IS NULL OR quantity > 0", name="quantity_positive"),
        sa.CheckConstraint(
            "ordered_quantity IS NULL OR ordered_quantity > 0", name="ordered_positive"
        ),
        sa.CheckConstraint(
            "(kind = 'transfer' AND source_warehouse_id IS NOT NULL "
            "AND source_warehouse_id <> warehouse_id) "
            "OR (kind = 'purchase' AND source_warehouse_id IS NULL)",
            name="kind_consistent",
        ),
    )


class ReplenishmentRun(Base):
    """One review of every (warehouse, SKU): one transaction, stored when it is done."""

    __tablename__ = "replenishment_runs"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(sa.String(120))
    evaluated: Mapped[int] = mapped_column(sa.BigInteger)
    """(warehouse, SKU) pairs looked at."""
    raised: Mapped[int] = mapped_column(sa.BigInteger)
    updated: Mapped[int] = mapped_column(sa.BigInteger)
    withdrawn: Mapped[int] = mapped_column(sa.BigInteger)
    """Open requests rejected because they were no longer needed."""
    unchanged: Mapped[int] = mapped_column(sa.BigInteger)
    """Pairs whose request was left as it is: approved, raised by hand, or edited by a
    person and no longer needed by the rules."""
    transfers: Mapped[int] = mapped_column(sa.BigInteger)
    """Of the raised and updated requests, how many suggest a transfer."""
    without_supplier: Mapped[int] = mapped_column(sa.BigInteger)
    """Of the raised and updated purchase requests, how many have no supplier."""
    note: Mapped[str] = mapped_column(sa.Text, default="")

    __table_args__ = (sa.Index("ix_replenishment_runs_started", "started_at", "id"),)
