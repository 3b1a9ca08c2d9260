"""Shipping invariants for ``ordersmith check`` (each query returns only what is wrong)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.checks import Violation
from ordersmith.db import table_of
from ordersmith.fulfillment.models import Allocation
from ordersmith.shipping.models import Shipment, ShipmentLine
from ordersmith.shipping.status import PRE_DISPATCH, ShipmentStatus


def shipments_match_allocations(session: Session) -> list[Violation]:
    """Per allocation: units in live shipments == packed; units in dispatched ones == shipped.
    So nothing ships that was not packed, and nothing ships twice."""
    alloc, lines, shipments = table_of(Allocation), table_of(ShipmentLine), table_of(Shipment)
    pre = [s.value for s in PRE_DISPATCH]
    in_boxes = (
        sa.select(
            lines.c.allocation_id,
            sa.func.sum(lines.c.quantity).label("packed"),
            sa.func.sum(sa.case((shipments.c.status.not_in(pre), lines.c.quantity), else_=0)).label(
                "shipped"
            ),
        )
        .join(shipments, shipments.c.id == lines.c.shipment_id)
        .where(shipments.c.status != ShipmentStatus.CANCELLED.value)
        .group_by(lines.c.allocation_id)
        .subquery()
    )
    rows = session.execute(
        sa.select(
            alloc.c.id,
            alloc.c.packed_quantity,
            alloc.c.shipped_quantity,
            sa.func.coalesce(in_boxes.c.packed, 0),
            sa.func.coalesce(in_boxes.c.shipped, 0),
        )
        .outerjoin(in_boxes, in_boxes.c.allocation_id == alloc.c.id)
        .where(
            sa.or_(
                alloc.c.packed_quantity != sa.func.coalesce(in_boxes.c.packed, 0),
                alloc.c.shipped_quantity != sa.func.coalesce(in_boxes.c.shipped, 0),
            )
        )
    )
    return [
        Violation(
            "shipments_match_allocations",
            f"allocation {r[0]}: packed {r[1]} / shipped {r[2]}, shipments hold {r[3]} / {r[4]}",
        )
        for r in rows
    ]
