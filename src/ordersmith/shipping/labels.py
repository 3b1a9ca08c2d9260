"""A shipment's label: booked with the carrier in a unit of work, drawn after its commit.

Drawing the label PDF takes tens of milliseconds of CPU (WeasyPrint). Inside the unit of
work it held SQLite's only write lock, and PostgreSQL's lock on the shipment row, all that
time, and every other writer (order placement, payments) queued behind it. So (ADR 0036):

- ``book_label(uow, ...)``: lock the shipment, check its state, book the carrier (the
  tracking number), store the booking. A shipment already booked is not booked again and
  nothing is written: the stored booking comes back.
- ``label_booking(session, settings, ...)``: the stored booking, read from a reader.
- ``render_label(booking)``: the labels, drawn from a booking with no database at all.
  A failure is ``LabelNotRendered`` (503): the booking stands, printing again draws it.
- ``print_label(new_uow, ...)``: what callers that want the PDF use. A reprint reads the
  stored booking and opens no write transaction; a first print books in a unit of work
  of ``new_uow()`` and draws after its commit.

The label's date is the booking's (``label_printed_at``): every print of it is the same.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import structlog
from sqlalchemy.orm import Session

from ordersmith import clock
from ordersmith.adapters.carriers import Booking, BookingRequest, Parcel
from ordersmith.auth.permissions import Permission
from ordersmith.config import Settings
from ordersmith.db import table_of
from ordersmith.errors import Conflict, InvalidTransition, NotFound, OmsError
from ordersmith.shipping.carriers import CarrierView, adapter_for, get_carrier_by_id
from ordersmith.shipping.errors import LabelNotRendered
from ordersmith.shipping.models import Package, Shipment
from ordersmith.shipping.parties import shipment_recipient, shipment_sender
from ordersmith.shipping.shipments import lock_shipment
from ordersmith.shipping.status import ShipmentAction, ShipmentStatus
from ordersmith.shipping.status import check_transition as ship_to
from ordersmith.uow import UnitOfWork

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class LabelBooking:
    """Everything a shipment's labels are drawn from: the carrier, the request as booked
    (with its tracking number) and the booking (number, link, date)."""

    shipment_id: uuid.UUID
    carrier: CarrierView
    request: BookingRequest
    booking: Booking

    @property
    def tracking_number(self) -> str:
        return self.booking.tracking_number


def book_label(
    uow: UnitOfWork, *, shipment_id: uuid.UUID, tracking_number: str | None = None
) -> LabelBooking:
    """Book the shipment with its carrier (the first time) and store the tracking number,
    link and date; draws no label. ``tracking_number``: the one staff got from a generic
    carrier (ignored once the shipment is booked). A booked shipment is not booked
    again: its stored booking comes back and nothing is written."""
    uow.authorize(Permission.FULFILMENT_WRITE)
    row = lock_shipment(uow, shipment_id)
    if not _needs_booking(row):
        return _stored(uow.session, uow.settings, row)
    target = ship_to(ShipmentStatus(row["status"]), ShipmentAction.PRINT_LABEL)
    carrier = get_carrier_by_id(uow.session, row["carrier_id"])
    request = _request(uow.session, uow.settings, row, row["tracking_number"] or tracking_number)
    booking = adapter_for(carrier).book(request)
    if not row["tracking_number"]:
        _refuse_tracking_number_in_use(uow, row, booking.tracking_number)
    booked_at = row["label_printed_at"] or booking.booked_at
    shipments = table_of(Shipment)
    uow.session.execute(
        sa.update(shipments)
        .where(shipments.c.id == shipment_id)
        .values(
            status=target.value,
            tracking_number=booking.tracking_number,
            tracking_url=booking.tracking_url,
            label_printed_at=booked_at,
            updated_at=clock.now(),
        )
    )
    return LabelBooking(
        shipment_id,
        carrier,
        dataclasses.replace(request, tracking_number=booking.tracking_number),
        dataclasses.replace(booking, booked_at=booked_at),
    )


def label_booking(session: Session, settings: Settings, shipment_id: uuid.UUID) -> LabelBooking:
    """The shipment's stored booking (read only). Conflict ``label_not_printed`` before
    it is booked; InvalidTransition for a cancelled shipment."""
    booking = _stored_booking(session, settings, shipment_id)
    if booking is None:
        raise Conflict(
            "the shipment is not booked yet: print its label first", code="label_not_printed"
        )
    return booking


def render_label(booking: LabelBooking) -> bytes:
    """The labels of a booking, one 100 x 150 mm page per package. Reads and writes no
    database: call it after the booking's commit. ``LabelNotRendered`` (503) if drawing
    fails: the booking stands, and printing again draws the same labels."""
    try:
        return adapter_for(booking.carrier).labels(booking.request, booking.booking)
    except OmsError:
        raise
    except Exception as exc:
        number = booking.request.shipment_number
        log.exception("label_not_rendered", shipment=number, tracking=booking.tracking_number)
        raise LabelNotRendered(
            f"shipment {number} is booked under tracking number {booking.tracking_number}, "
            "but its label could not be drawn: print the label again",
            extra={"shipment": number, "tracking_number": booking.tracking_number},
        ) from exc


def print_label(
    new_uow: Callable[[], UnitOfWork],
    *,
    shipment_id: uuid.UUID,
    tracking_number: str | None = None,
) -> tuple[str, bytes]:
    """(tracking number, label PDF): booked the first time in a unit of work of
    ``new_uow()``, drawn after its commit; a reprint reads the stored booking and opens
    no write transaction. Pass a factory, not a unit of work already entered."""
    uow = new_uow()
    uow.authorize(Permission.FULFILMENT_WRITE)
    with uow.db.reader() as session:
        booking = _stored_booking(session, uow.settings, shipment_id)
    if booking is None:
        with uow:
            booking = book_label(uow, shipment_id=shipment_id, tracking_number=tracking_number)
    return booking.tracking_number, render_label(booking)


def _needs_booking(row: Any) -> bool:
    """True for a shipment to book, False for one booked (a reprint); refuses the rest."""
    status = ShipmentStatus(row["status"])
    if status is ShipmentStatus.CANCELLED:
        raise InvalidTransition(
            f"shipment {row['number']} is cancelled: it has no label",
            extra={"current_status": status.value, "action": "print_label"},
        )
    if status is ShipmentStatus.CREATED:
        return True
    if status is ShipmentStatus.LABEL_PRINTED or row["tracking_number"]:
        return False
    raise InvalidTransition(
        f"shipment {row['number']} left without a label of ours",
        extra={"current_status": status.value, "action": "print_label"},
    )


def _stored_booking(
    session: Session, settings: Settings, shipment_id: uuid.UUID
) -> LabelBooking | None:
    shipments = table_of(Shipment)
    row = (
        session.execute(sa.select(shipments).where(shipments.c.id == shipment_id))
        .mappings()
        .one_or_none()
    )
    if row is None:
        raise NotFound(f"no shipment {shipment_id}", code="shipment_not_found")
    return None if _needs_booking(row) else _stored(session, settings, row)


def _stored(session: Session, settings: Settings, row: Any) -> LabelBooking:
    carrier = get_carrier_by_id(session, row["carrier_id"])
    booked_at = row["label_printed_at"] or row["updated_at"]
    return LabelBooking(
        row["id"],
        carrier,
        _request(session, settings, row, row["tracking_number"]),
        Booking(row["tracking_number"], row["tracking_url"], booked_at),
    )


def _request(
    session: Session, settings: Settings, row: Any, tracking_number: str | None
) -> BookingRequest:
    packages = table_of(Package)
    parcels = tuple(
        Parcel(p.weight_grams, p.length_mm, p.width_mm, p.height_mm)
        for p in session.execute(
            sa.select(packages)
            .where(packages.c.shipment_id == row["id"])
            .order_by(packages.c.package_no)
        )
    )
    return BookingRequest(
        shipment_number=row["number"],
        service_level=row["service_level"],
        sender=shipment_sender(session, settings, row),
        recipient=shipment_recipient(session, row),
        packages=parcels,
        tracking_number=tracking_number,
    )


def _refuse_tracking_number_in_use(uow: UnitOfWork, row: Any, tracking_number: str) -> None:
    """A carrier's tracking number names one shipment (carrier events find it by number)."""
    shipments = table_of(Shipment)
    other = uow.session.scalar(
        sa.select(shipments.c.number).where(
            shipments.c.carrier_id == row["carrier_id"],
            shipments.c.tracking_number == tracking_number,
            shipments.c.id != row["id"],
        )
    )
    if other is not None:
        raise Conflict(
            f"tracking number {tracking_number} already belongs to shipment {other}",
            code="tracking_number_in_use",
        )
