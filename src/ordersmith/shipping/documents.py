"""A shipment's packing slip: gathered from the database, rendered by ordersmith.documents.

Printing the slip is recorded on the shipment (``packing_slip_printed_at``): a shipment
that left without one fails the perfect order's "correct documentation" component.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.config import Settings
from ordersmith.customers.models import Customer
from ordersmith.db import table_of
from ordersmith.documents import PackingSlip, SlipLine, SlipPackage
from ordersmith.documents import packing_slip_pdf as render_packing_slip

__all__ = ["packing_slip", "print_packing_slip", "render_packing_slip"]
from ordersmith.errors import NotFound
from ordersmith.orders.models import Order, OrderLine
from ordersmith.shipping.carriers import get_carrier_by_id
from ordersmith.shipping.models import Package, Shipment, ShipmentLine
from ordersmith.shipping.parties import address_party, party
from ordersmith.uow import UnitOfWork


def packing_slip(session: Session, settings: Settings, shipment_id: uuid.UUID) -> PackingSlip:
    shipments, customers = table_of(Shipment), table_of(Customer)
    row = (
        session.execute(
            sa.select(shipments, customers.c.number.label("customer_number"), customers.c.name)
            .join(customers, customers.c.id == shipments.c.customer_id)
            .where(shipments.c.id == shipment_id)
        )
        .mappings()
        .one_or_none()
    )
    if row is None:
        raise NotFound(f"no shipment {shipment_id}", code="shipment_not_found")
    lines, orders, order_lines = table_of(ShipmentLine), table_of(Order), table_of(OrderLine)
    slip_lines = session.execute(
        sa.select(
            orders.c.number,
            order_lines.c.line_no,
            lines.c.sku,
            lines.c.name,
            lines.c.quantity,
            lines.c.package_no,
        )
        .join(orders, orders.c.id == lines.c.order_id)
        .join(order_lines, order_lines.c.id == lines.c.line_id)
        .where(lines.c.shipment_id == shipment_id)
        .order_by(lines.c.package_no, orders.c.number, order_lines.c.line_no)
    ).all()
    packages = table_of(Package)
    boxes = session.execute(
        sa.select(
            packages.c.package_no,
            packages.c.weight_grams,
            packages.c.length_mm,
            packages.c.width_mm,
            packages.c.height_mm,
        )
        .where(packages.c.shipment_id == shipment_id)
        .order_by(packages.c.package_no)
    ).all()
    carrier = get_carrier_by_id(session, row["carrier_id"])
    return PackingSlip(
        seller=party(settings),
        ship_to=address_party(row["ship_to"] or {}, row["name"]),
        shipment_number=row["number"],
        order_numbers=tuple(sorted({line[0] for line in slip_lines})),
        customer_number=row["customer_number"],
        created_at=row["created_at"],
        carrier_name=carrier.name,
        service_level=row["service_level"],
        tracking_number=row["tracking_number"],
        lines=tuple(SlipLine(*line) for line in slip_lines),
        packages=tuple(SlipPackage(*box) for box in boxes),
    )


def print_packing_slip(uow: UnitOfWork, *, shipment_id: uuid.UUID) -> PackingSlip:
    """Record that the slip was printed (the first time only) and return what it shows.

    The caller draws it (``render_packing_slip``) after the unit of work commits, as a
    label is (ADR 0036): no write lock is held while WeasyPrint draws."""
    uow.authorize(Permission.FULFILMENT_WRITE)
    slip = packing_slip(uow.session, uow.settings, shipment_id)
    shipments = table_of(Shipment)
    uow.session.execute(
        sa.update(shipments)
        .where(shipments.c.id == shipment_id, shipments.c.packing_slip_printed_at.is_(None))
        .values(packing_slip_printed_at=clock.now())
    )
    return slip
