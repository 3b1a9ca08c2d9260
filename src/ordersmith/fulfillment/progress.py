"""An order's fulfilment progress, derived from its line quantities. Pure.

Never hand-set: every service that moves quantities recomputes it (ARCHITECTURE §4).

    unfulfilled         nothing allocated or shipped yet (placed, not confirmed)
    allocated           every unit still to ship is allocated to a warehouse
    backordered         some units wait for stock, nothing shipped yet
    partially_shipped   some units left, some have not
    shipped             every stocked unit left; not every shipment delivered yet
    delivered           every stocked unit left and every shipment was delivered
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class FulfilmentStatus(StrEnum):
    UNFULFILLED = "unfulfilled"
    ALLOCATED = "allocated"
    BACKORDERED = "backordered"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    DELIVERED = "delivered"


@dataclass(frozen=True, slots=True)
class LineProgress:
    quantity: int
    allocated: int  # allocated and not yet shipped
    backordered: int
    shipped: int
    delivered: int = 0
    stocked: bool = True


def fulfilment_status(lines: Iterable[LineProgress]) -> FulfilmentStatus:
    stocked = [line for line in lines if line.stocked]
    ordered = sum(line.quantity for line in stocked)
    shipped = sum(line.shipped for line in stocked)
    if ordered and shipped >= ordered:
        delivered = sum(line.delivered for line in stocked)
        return FulfilmentStatus.DELIVERED if delivered >= ordered else FulfilmentStatus.SHIPPED
    if shipped:
        return FulfilmentStatus.PARTIALLY_SHIPPED
    if any(line.backordered for line in stocked):
        return FulfilmentStatus.BACKORDERED
    if stocked and all(line.allocated == line.quantity for line in stocked):
        return FulfilmentStatus.ALLOCATED
    return FulfilmentStatus.UNFULFILLED
