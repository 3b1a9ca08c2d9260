"""The return label: the carrier adapter's label for the parcel coming back.

Printed for a return that was shipped with a carrier and a tracking number
(``services.ship_return``): from the customer (the order's delivery address) to the
return's warehouse, one package, under the return's number and the stored tracking
number, so printing again gives the same label. The weight is not known before the
parcel exists: the label states the nominal ``RETURN_PARCEL`` (1 kg). Rendering takes a
fraction of a second: call this from a reader, outside any unit of work (ADR 0009).
``return_recipient`` is the return address alone (the portal tells the customer where
to send the parcel with it).
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.adapters.carriers import BookingRequest, Parcel
from ordersmith.config import Settings
from ordersmith.customers.models import Customer
from ordersmith.db import table_of
from ordersmith.documents import Party
from ordersmith.errors import Conflict
from ordersmith.inventory.models import Warehouse
from ordersmith.orders.models import Order
from ordersmith.returns.queries import get_return
from ordersmith.shipping.carriers import adapter_for, get_carrier
from ordersmith.shipping.parties import address_party, party

RETURN_PARCEL = Parcel(weight_grams=1000, length_mm=300, width_mm=200, height_mm=150)


def return_recipient(session: Session, settings: Settings, warehouse_id: uuid.UUID) -> Party:
    """Where a return's parcel goes back to: its warehouse's address, named "<company> —
    <warehouse>" unless the address has a name; the company's address when the
    warehouse has none (the label's recipient, and what the portal tells the customer)."""
    warehouses = table_of(Warehouse)
    wh = session.execute(
        sa.select(warehouses.c.name, warehouses.c.address).where(warehouses.c.id == warehouse_id)
    ).one()
    company = party(settings)
    return address_party(wh.address, f"{company.name} — {wh.name}") if wh.address else company


def return_label_pdf(
    session: Session,
    settings: Settings,
    return_ref: str | uuid.UUID,
    *,
    customer_id: uuid.UUID | None = None,
) -> tuple[str, bytes]:
    """(file name, PDF) of the return's label; Conflict ``no_return_label`` before the
    return was shipped with a carrier."""
    view = get_return(session, return_ref, customer_id=customer_id)
    if view.carrier is None or not view.tracking_number:
        raise Conflict(
            f"return {view.number} has no carrier and tracking number yet: ship it with a "
            "carrier first (POST /returns/{id}/ship)",
            code="no_return_label",
        )
    carrier = get_carrier(session, view.carrier)
    orders, customers = table_of(Order), table_of(Customer)
    ship_to, name = session.execute(
        sa.select(orders.c.shipping_address, customers.c.name)
        .join(customers, customers.c.id == orders.c.customer_id)
        .where(orders.c.id == view.order_id)
    ).one()
    adapter = adapter_for(carrier)
    request = BookingRequest(
        shipment_number=view.number,
        service_level="return",
        sender=address_party(ship_to or {}, name),
        recipient=return_recipient(session, settings, view.warehouse_id),
        packages=(RETURN_PARCEL,),
        tracking_number=view.tracking_number,
    )
    return f"{view.number}-label.pdf", adapter.labels(request, adapter.book(request))
