"""Return requests (RMA), their lines, and what inspection decided for the goods.

A return belongs to one order and one customer. Its lines are numbered as the order's
lines (``line_no`` is the order line's number: each order line at most once per
return), carry the units asked back (``quantity``) and the units that arrived
(``received_quantity``, at most the quantity). ``return_dispositions`` say what became
of the received units of a line (restock, refurbish, scrap, return to supplier): the
dispositions of a line add up to its received units, and every unit put back into a
warehouse or scrapped there has its ``return`` movement in the stock ledger (source
``rma`` / the return's number) — ``ordersmith check`` proves both (ADR 0019).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ordersmith.db import Base, Fixed, enum_column
from ordersmith.returns.status import ReturnStatus

SOURCE_TYPE = "rma"
"""``source_type`` of every stock movement a return posts; ``source_id`` is its number."""


class ReturnReason(StrEnum):
    DAMAGED = "damaged"
    WRONG_ITEM = "wrong_item"
    NOT_AS_DESCRIBED = "not_as_described"
    NO_LONGER_NEEDED = "no_longer_needed"
    LATE = "late"
    OTHER = "other"


class RequestedBy(StrEnum):
    STAFF = "staff"
    CUSTOMER = "customer"


class Disposition(StrEnum):
    RESTOCK = "restock"  # back on hand at a warehouse, sellable (serves backorders)
    REFURBISH = "refurbish"  # refurbished at inspection, then back on hand like restock
    SCRAP = "scrap"  # received, then written off as damage at that warehouse
    RETURN_TO_SUPPLIER = "return_to_supplier"  # held for the supplier: never on hand


#: Dispositions whose units come back on hand (and serve backorders).
RESTOCKING = frozenset({Disposition.RESTOCK, Disposition.REFURBISH})
#: Dispositions posted to the ledger at a warehouse.
AT_WAREHOUSE = frozenset({Disposition.RESTOCK, Disposition.REFURBISH, Disposition.SCRAP})


class Resolution(StrEnum):
    REFUND = "refund"  # credit note(s), then the freed money paid back
    CREDIT_NOTE = "credit_note"  # credit note(s): off the invoice or customer credit
    EXCHANGE = "exchange"  # a replacement order at no charge, reserved at once


class Return(Base):
    __tablename__ = "returns"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(32), unique=True)
    order_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("orders.id"))
    customer_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("customers.id"))
    status: Mapped[ReturnStatus] = mapped_column(enum_column(ReturnStatus, 16))
    requested_by: Mapped[RequestedBy] = mapped_column(enum_column(RequestedBy, 16))
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    """The customer's words."""
    warehouse_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("warehouses.id"))
    """Where the goods are sent back to (the return address)."""
    window_override_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    """Why staff accepted a return outside the return window (empty: it was inside)."""
    created_by: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    authorised_by: Mapped[str] = mapped_column(sa.String(120), default="")
    authorised_at: Mapped[datetime | None]
    rejected_by: Mapped[str] = mapped_column(sa.String(120), default="")
    rejected_at: Mapped[datetime | None]
    reject_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    carrier_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("carriers.id"))
    tracking_number: Mapped[str] = mapped_column(sa.String(40), default="")
    tracking_url: Mapped[str] = mapped_column(sa.String(600), default="")
    shipped_at: Mapped[datetime | None]
    received_by: Mapped[str] = mapped_column(sa.String(120), default="")
    received_at: Mapped[datetime | None]
    inspected_by: Mapped[str] = mapped_column(sa.String(120), default="")
    inspected_at: Mapped[datetime | None]
    resolved_by: Mapped[str] = mapped_column(sa.String(120), default="")
    resolved_at: Mapped[datetime | None]
    resolution: Mapped[Resolution | None] = mapped_column(enum_column(Resolution, 16))
    resolution_note: Mapped[str] = mapped_column(sa.String(500), default="")
    currency: Mapped[str] = mapped_column(sa.String(3))
    credited_total: Mapped[Decimal] = mapped_column(Fixed(4), default=Decimal(0))
    """What the resolution's credit notes took back (tax included)."""
    refunded_total: Mapped[Decimal] = mapped_column(Fixed(4), default=Decimal(0))
    """What the resolution paid back to the customer."""
    credit_notes: Mapped[list[str] | None] = mapped_column(sa.JSON)
    """The numbers of the resolution's credit notes."""
    replacement_order_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("orders.id"))
    cancelled_by: Mapped[str] = mapped_column(sa.String(120), default="")
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str] = mapped_column(sa.String(500), default="")

    __table_args__ = (
        sa.Index("ix_returns_created", "created_at", "id"),
        sa.Index("ix_returns_status_created", "status", "created_at", "id"),
        sa.Index("ix_returns_customer_created", "customer_id", "created_at", "id"),
        sa.Index("ix_returns_order_created", "order_id", "created_at", "id"),
        sa.CheckConstraint(
            "credited_total >= 0 AND refunded_total >= 0 AND refunded_total <= credited_total",
            name="amounts_in_bounds",
        ),
    )


class ReturnLine(Base):
    __tablename__ = "return_lines"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    return_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("returns.id", ondelete="CASCADE"))
    line_no: Mapped[int]
    """The order line's number."""
    order_line_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("order_lines.id"))
    product_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("products.id"))
    sku: Mapped[str] = mapped_column(sa.String(64))
    name: Mapped[str] = mapped_column(sa.String(200))
    quantity: Mapped[int] = mapped_column(sa.BigInteger)
    received_quantity: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    reason: Mapped[ReturnReason] = mapped_column(enum_column(ReturnReason, 24))
    note: Mapped[str] = mapped_column(sa.String(500), default="")

    __table_args__ = (
        sa.UniqueConstraint("return_id", "line_no", name="uq_return_lines_line_no"),
        sa.Index("ix_return_lines_order_line", "order_line_id"),
        sa.Index("ix_return_lines_product", "product_id"),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint(
            "received_quantity >= 0 AND received_quantity <= quantity", name="received_in_bounds"
        ),
    )


class ReturnDisposition(Base):
    """What inspection decided for units of one line (append-only)."""

    __tablename__ = "return_dispositions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    return_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("returns.id", ondelete="CASCADE"))
    return_line_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("return_lines.id", ondelete="CASCADE")
    )
    disposition: Mapped[Disposition] = mapped_column(enum_column(Disposition, 24))
    quantity: Mapped[int] = mapped_column(sa.BigInteger)
    warehouse_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("warehouses.id"))
    """Restock, refurbish, scrap: where the units were posted."""
    supplier_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("suppliers.id"))
    """Return to supplier: whom they go back to."""
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    created_by: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime]

    __table_args__ = (
        sa.Index("ix_return_dispositions_return", "return_id"),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint(
            "(disposition = 'return_to_supplier') = (warehouse_id IS NULL) "
            "AND (disposition = 'return_to_supplier') = (supplier_id IS NOT NULL)",
            name="warehouse_or_supplier",
        ),
    )
