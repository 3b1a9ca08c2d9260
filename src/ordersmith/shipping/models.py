"""Carriers, shipments, packages and the carriers' tracking events.

A shipment leaves one warehouse for one address; it may carry lines of several orders
of one customer (consolidation). Stock leaves the ledger when the shipment is
dispatched. Tracking events are kept as received (deduplicated by the carrier's event
id); the shipment's status is resolved from all of them (ordersmith.shipping.status).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ordersmith.db import Base


class Carrier(Base):
    __tablename__ = "carriers"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    kind: Mapped[str] = mapped_column(sa.String(20))
    """local_courier (books labels itself) or generic (tracking URL template)."""
    tracking_url_template: Mapped[str] = mapped_column(sa.String(500), default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]


class CarrierService(Base):
    """A service level of a carrier (standard, express...) and its transit time."""

    __tablename__ = "carrier_services"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    carrier_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("carriers.id"))
    service_level: Mapped[str] = mapped_column(sa.String(20))
    name: Mapped[str] = mapped_column(sa.String(120))
    transit_days: Mapped[int]
    is_default: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (
        sa.UniqueConstraint("carrier_id", "service_level", name="uq_carrier_services_level"),
        sa.CheckConstraint("transit_days >= 0", name="transit_days_not_negative"),
    )


class Shipment(Base):
    __tablename__ = "shipments"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(32), unique=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("customers.id"))
    warehouse_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("warehouses.id"))
    carrier_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("carriers.id"))
    service_level: Mapped[str] = mapped_column(sa.String(20))
    status: Mapped[str] = mapped_column(sa.String(24))
    ship_to: Mapped[dict[str, Any]]
    tracking_number: Mapped[str] = mapped_column(sa.String(40), default="")
    tracking_url: Mapped[str] = mapped_column(sa.String(600), default="")
    promised_delivery_date: Mapped[date | None]
    label_printed_at: Mapped[datetime | None]
    packing_slip_printed_at: Mapped[datetime | None]
    dispatched_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    last_tracking_at: Mapped[datetime | None]
    created_by: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        sa.Index("ix_shipments_status_created", "status", "created_at", "id"),
        # the shipments page: newest first, of every status or of one warehouse
        sa.Index("ix_shipments_created", "created_at", "id"),
        sa.Index("ix_shipments_warehouse_created", "warehouse_id", "created_at", "id"),
        sa.Index("ix_shipments_customer_created", "customer_id", "created_at"),
        sa.Index("ix_shipments_tracking", "carrier_id", "tracking_number"),
        sa.Index("ix_shipments_dispatched", "dispatched_at"),  # KPI windows
        sa.Index("ix_shipments_delivered", "delivered_at"),
    )


class ShipmentLine(Base):
    __tablename__ = "shipment_lines"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    shipment_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("shipments.id", ondelete="CASCADE")
    )
    allocation_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("allocations.id"))
    order_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("orders.id"))
    line_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("order_lines.id"))
    product_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("products.id"))
    sku: Mapped[str] = mapped_column(sa.String(64))
    name: Mapped[str] = mapped_column(sa.String(200))
    quantity: Mapped[int] = mapped_column(sa.BigInteger)
    package_no: Mapped[int]

    __table_args__ = (
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.Index("ix_shipment_lines_shipment", "shipment_id"),
        sa.Index("ix_shipment_lines_order", "order_id"),
    )


class Package(Base):
    __tablename__ = "packages"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    shipment_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("shipments.id", ondelete="CASCADE")
    )
    package_no: Mapped[int]
    weight_grams: Mapped[int]
    length_mm: Mapped[int]
    width_mm: Mapped[int]
    height_mm: Mapped[int]

    __table_args__ = (
        sa.UniqueConstraint("shipment_id", "package_no", name="uq_packages_number"),
        sa.CheckConstraint(
            "weight_grams > 0 AND length_mm > 0 AND width_mm > 0 AND height_mm > 0",
            name="measures_positive",
        ),
    )


class TrackingEvent(Base):
    """A carrier's scan, as received. Deduplicated by (carrier, event id)."""

    __tablename__ = "tracking_events"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    shipment_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("shipments.id", ondelete="CASCADE")
    )
    carrier_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("carriers.id"))
    event_id: Mapped[str] = mapped_column(sa.String(120))
    status: Mapped[str] = mapped_column(sa.String(24))
    occurred_at: Mapped[datetime]
    description: Mapped[str] = mapped_column(sa.String(500), default="")
    location: Mapped[str] = mapped_column(sa.String(200), default="")
    source: Mapped[str] = mapped_column(sa.String(20))
    """webhook, api or cli."""
    received_at: Mapped[datetime]

    __table_args__ = (
        sa.UniqueConstraint("carrier_id", "event_id", name="uq_tracking_events_carrier_event"),
        sa.Index("ix_tracking_events_shipment", "shipment_id", "occurred_at"),
    )
