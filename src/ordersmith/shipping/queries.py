"""Read side of shipping: a shipment with its lines, boxes and tracking; shipment lists."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.db import table_of
from ordersmith.errors import NotFound
from ordersmith.fulfillment.models import Allocation, AllocationStatus
from ordersmith.inventory.models import Warehouse
from ordersmith.orders.models import Order
from ordersmith.orders.status import OrderStatus
from ordersmith.shipping.models import Carrier, Package, Shipment, ShipmentLine, TrackingEvent


@dataclass(frozen=True, slots=True)
class ShipmentLineView:
    order_id: uuid.UUID
    order_number: str
    line_id: uuid.UUID
    sku: str
    name: str
    quantity: int
    package_no: int


@dataclass(frozen=True, slots=True)
class PackageView:
    package_no: int
    weight_grams: int
    length_mm: int
    width_mm: int
    height_mm: int


@dataclass(frozen=True, slots=True)
class TrackingEventView:
    event_id: str
    status: str
    occurred_at: datetime
    description: str
    location: str
    source: str
    received_at: datetime


@dataclass(frozen=True, slots=True)
class ShipmentView:
    id: uuid.UUID
    number: str
    customer_id: uuid.UUID
    warehouse: str
    carrier: str
    service_level: str
    status: str
    ship_to: dict[str, Any]
    tracking_number: str
    tracking_url: str
    promised_delivery_date: date | None
    label_printed_at: datetime | None
    packing_slip_printed_at: datetime | None
    dispatched_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime
    lines: tuple[ShipmentLineView, ...] = ()
    packages: tuple[PackageView, ...] = ()
    tracking: tuple[TrackingEventView, ...] = ()


def _head_query() -> sa.Select[Any]:
    shipments, warehouses, carriers = table_of(Shipment), table_of(Warehouse), table_of(Carrier)
    return (
        sa.select(
            shipments.c.id,
            shipments.c.number,
            shipments.c.customer_id,
            warehouses.c.code.label("warehouse"),
            carriers.c.code.label("carrier"),
            shipments.c.service_level,
            shipments.c.status,
            shipments.c.ship_to,
            shipments.c.tracking_number,
            shipments.c.tracking_url,
            shipments.c.promised_delivery_date,
            shipments.c.label_printed_at,
            shipments.c.packing_slip_printed_at,
            shipments.c.dispatched_at,
            shipments.c.delivered_at,
            shipments.c.created_at,
        )
        .join(warehouses, warehouses.c.id == shipments.c.warehouse_id)
        .join(carriers, carriers.c.id == shipments.c.carrier_id)
    )


def get_shipment(session: Session, id_or_number: str) -> ShipmentView:
    shipments = table_of(Shipment)
    try:
        match = shipments.c.id == uuid.UUID(id_or_number)
    except ValueError:
        match = shipments.c.number == id_or_number
    head = session.execute(_head_query().where(match)).mappings().one_or_none()
    if head is None:
        raise NotFound(f"no shipment {id_or_number!r}", code="shipment_not_found")
    lines, orders = table_of(ShipmentLine), table_of(Order)
    line_rows = session.execute(
        sa.select(
            lines.c.order_id,
            orders.c.number,
            lines.c.line_id,
            lines.c.sku,
            lines.c.name,
            lines.c.quantity,
            lines.c.package_no,
        )
        .join(orders, orders.c.id == lines.c.order_id)
        .where(lines.c.shipment_id == head["id"])
        .order_by(lines.c.package_no, orders.c.number, lines.c.sku)
    )
    packages = table_of(Package)
    boxes = session.execute(
        sa.select(
            packages.c.package_no,
            packages.c.weight_grams,
            packages.c.length_mm,
            packages.c.width_mm,
            packages.c.height_mm,
        )
        .where(packages.c.shipment_id == head["id"])
        .order_by(packages.c.package_no)
    )
    events = table_of(TrackingEvent)
    scans = session.execute(
        sa.select(
            events.c.event_id,
            events.c.status,
            events.c.occurred_at,
            events.c.description,
            events.c.location,
            events.c.source,
            events.c.received_at,
        )
        .where(events.c.shipment_id == head["id"])
        .order_by(events.c.occurred_at, events.c.event_id)
    )
    return ShipmentView(
        **dict(head),
        lines=tuple(ShipmentLineView(*r) for r in line_rows),
        packages=tuple(PackageView(*r) for r in boxes),
        tracking=tuple(TrackingEventView(*r) for r in scans),
    )


def list_shipments(
    session: Session,
    *,
    status: str | None = None,
    customer_id: uuid.UUID | None = None,
    order_id: uuid.UUID | None = None,
    warehouse_id: uuid.UUID | None = None,
    carrier_id: uuid.UUID | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    limit: int = 50,
    before: tuple[datetime, uuid.UUID] | None = None,
) -> list[ShipmentView]:
    """Newest first, keyset-paginated on (created_at, id); ``created_to`` is exclusive."""
    shipments = table_of(Shipment)
    query = _head_query()
    if status:
        query = query.where(shipments.c.status == status)
    if warehouse_id:
        query = query.where(shipments.c.warehouse_id == warehouse_id)
    if carrier_id:
        query = query.where(shipments.c.carrier_id == carrier_id)
    if created_from:
        query = query.where(shipments.c.created_at >= created_from)
    if created_to:
        query = query.where(shipments.c.created_at < created_to)
    if customer_id:
        query = query.where(shipments.c.customer_id == customer_id)
    if order_id:
        lines = table_of(ShipmentLine)
        query = query.where(
            shipments.c.id.in_(sa.select(lines.c.shipment_id).where(lines.c.order_id == order_id))
        )
    if before:
        query = query.where(sa.tuple_(shipments.c.created_at, shipments.c.id) < before)
    query = query.order_by(shipments.c.created_at.desc(), shipments.c.id.desc()).limit(limit)
    return [ShipmentView(**dict(r)) for r in session.execute(query).mappings()]


@dataclass(frozen=True, slots=True)
class ConsolidationOffer:
    customer_id: uuid.UUID
    warehouse: str
    order_ids: tuple[uuid.UUID, ...]
    order_numbers: tuple[str, ...]


def consolidation_offers(session: Session, *, limit: int = 100) -> list[ConsolidationOffer]:
    """Open, not yet packed orders of one customer to one address at one warehouse."""
    orders, allocations, warehouses = table_of(Order), table_of(Allocation), table_of(Warehouse)
    rows = session.execute(
        sa.select(
            orders.c.customer_id,
            warehouses.c.code,
            orders.c.shipping_address,
            orders.c.id,
            orders.c.number,
        )
        .join(allocations, allocations.c.order_id == orders.c.id)
        .join(warehouses, warehouses.c.id == allocations.c.warehouse_id)
        .where(
            orders.c.status == OrderStatus.CONFIRMED.value,
            allocations.c.status.in_(
                [
                    AllocationStatus.ALLOCATED.value,
                    AllocationStatus.PICKING.value,
                    AllocationStatus.PICKED.value,
                ]
            ),
        )
        .order_by(orders.c.customer_id, warehouses.c.code, orders.c.number)
    )
    groups: dict[tuple[Any, ...], dict[uuid.UUID, str]] = {}
    for r in rows:  # one row per allocation: an order shows up once per group
        key = (r[0], r[1], tuple(sorted((r[2] or {}).items())))
        groups.setdefault(key, {})[r[3]] = r[4]
    offers = [
        ConsolidationOffer(key[0], key[1], tuple(members), tuple(members.values()))
        for key, members in groups.items()
        if len(members) > 1
    ]
    return offers[:limit]
