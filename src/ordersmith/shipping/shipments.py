"""A shipment's rows as the services that change it read them: the header, locked for
the unit of work, and the lines it carries."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from ordersmith.db import table_of
from ordersmith.errors import NotFound
from ordersmith.shipping.models import Shipment, ShipmentLine
from ordersmith.uow import UnitOfWork


def lock_shipment(uow: UnitOfWork, shipment_id: uuid.UUID) -> Any:
    shipments = table_of(Shipment)
    row = (
        uow.session.execute(
            sa.select(shipments).where(shipments.c.id == shipment_id).with_for_update()
        )
        .mappings()
        .one_or_none()
    )
    if row is None:
        raise NotFound(f"no shipment {shipment_id}", code="shipment_not_found")
    return row


def shipment_lines(uow: UnitOfWork, shipment_id: uuid.UUID) -> list[Any]:
    lines = table_of(ShipmentLine)
    return list(
        uow.session.execute(
            sa.select(lines).where(lines.c.shipment_id == shipment_id).order_by(lines.c.id)
        ).mappings()
    )
