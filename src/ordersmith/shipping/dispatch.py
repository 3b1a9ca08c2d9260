"""A shipment's life after packing: dispatch (stock leaves), cancellation, delivery.

The label (booking the carrier, drawing the PDF) is ``ordersmith.shipping.labels``.

Dispatch is where goods leave the building: one ledger post takes the units off hand
and out of reservation, the order lines count them as shipped, and every order in the
shipment gets its fulfilment status recomputed. Delivery (from tracking) counts them
as delivered and completes an order once everything it ordered has arrived.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.db import table_of
from ordersmith.fulfillment.models import Allocation, AllocationStatus
from ordersmith.fulfillment.progress_refresh import refresh_progress
from ordersmith.inventory import ledger
from ordersmith.inventory.ledger import Entry
from ordersmith.inventory.models import MovementKind
from ordersmith.orders.events import OrderCompleted, OrderReleased
from ordersmith.orders.history import note_on_orders
from ordersmith.orders.locking import lock_orders
from ordersmith.orders.models import Order, OrderLine, OrderReservation
from ordersmith.orders.status import OrderAction, OrderStatus, check_transition
from ordersmith.shipping.carriers import CarrierView, adapter_for, get_carrier_by_id
from ordersmith.shipping.events import (
    ShipmentCancelled,
    ShipmentDelivered,
    ShipmentDispatched,
)
from ordersmith.shipping.models import Shipment
from ordersmith.shipping.shipments import lock_shipment, shipment_lines
from ordersmith.shipping.status import ShipmentAction, ShipmentStatus
from ordersmith.shipping.status import check_transition as ship_to
from ordersmith.uow import UnitOfWork
from ordersmith.validation import text


def dispatch_shipment(
    uow: UnitOfWork, *, shipment_id: uuid.UUID, at: datetime | None = None
) -> str:
    """Goods leave: post the shipment to the stock ledger, count the lines as shipped."""
    uow.authorize(Permission.FULFILMENT_WRITE)
    row = lock_shipment(uow, shipment_id)
    ship_to(ShipmentStatus(row["status"]), ShipmentAction.DISPATCH)
    lines = shipment_lines(uow, shipment_id)
    order_ids = sorted({line["order_id"] for line in lines}, key=str)
    lock_orders(uow, order_ids)
    per_key: dict[tuple[uuid.UUID, uuid.UUID], int] = defaultdict(int)
    for line in lines:
        per_key[(row["warehouse_id"], line["product_id"])] += line["quantity"]
    ledger.post(
        uow.session,
        [
            Entry(
                w,
                p,
                MovementKind.SHIPMENT,
                on_hand_delta=-q,
                reserved_delta=-q,
                source_type="shipment",
                source_id=row["number"],
            )
            for (w, p), q in sorted(per_key.items())
        ],
        actor=uow.actor,
    )
    _count_shipped(uow, row, lines)
    now = at or clock.now()
    shipments = table_of(Shipment)
    uow.session.execute(
        sa.update(shipments)
        .where(shipments.c.id == shipment_id)
        .values(status=ShipmentStatus.DISPATCHED.value, dispatched_at=now, updated_at=clock.now())
    )
    numbers = _order_numbers(uow, order_ids)
    for order_id in order_ids:
        refresh_progress(uow, order_id)
    _history(uow, order_ids, "dispatch", f"shipment {row['number']} dispatched")
    carrier = get_carrier_by_id(uow.session, row["carrier_id"])
    tracking_number = row["tracking_number"]
    uow.record(
        ShipmentDispatched(
            aggregate_id=shipment_id,
            number=row["number"],
            customer_id=row["customer_id"],
            order_ids=[str(i) for i in order_ids],
            order_numbers=numbers,
            carrier=carrier.code,
            carrier_name=carrier.name,
            service_level=row["service_level"],
            tracking_number=tracking_number,
            tracking_url=row["tracking_url"] or _url(carrier, tracking_number),
            promised_delivery_date=row["promised_delivery_date"],
        )
    )
    return ShipmentStatus.DISPATCHED.value


def _url(carrier: CarrierView, tracking_number: str) -> str:
    return adapter_for(carrier).tracking_url(tracking_number) if tracking_number else ""


def _count_shipped(uow: UnitOfWork, shipment: Any, lines: list[Any]) -> None:
    allocations, order_lines, reservations = (
        table_of(Allocation),
        table_of(OrderLine),
        table_of(OrderReservation),
    )
    by_allocation: dict[uuid.UUID, int] = defaultdict(int)
    by_line: dict[uuid.UUID, int] = defaultdict(int)
    by_reservation: dict[tuple[uuid.UUID, uuid.UUID], int] = defaultdict(int)
    for line in lines:
        by_allocation[line["allocation_id"]] += line["quantity"]
        by_line[line["line_id"]] += line["quantity"]
        by_reservation[(line["order_id"], line["product_id"])] += line["quantity"]
    now = clock.now()
    for allocation_id, units in by_allocation.items():
        uow.session.execute(
            sa.update(allocations)
            .where(allocations.c.id == allocation_id)
            .values(
                shipped_quantity=allocations.c.shipped_quantity + units,
                status=sa.case(
                    (
                        allocations.c.shipped_quantity + units == allocations.c.quantity,
                        AllocationStatus.SHIPPED.value,
                    ),
                    else_=allocations.c.status,
                ),
                updated_at=now,
            )
        )
    for line_id, units in by_line.items():
        uow.session.execute(
            sa.update(order_lines)
            .where(order_lines.c.id == line_id)
            .values(
                shipped_quantity=order_lines.c.shipped_quantity + units,
                reserved_quantity=order_lines.c.reserved_quantity - units,
            )
        )
    for (order_id, product_id), units in by_reservation.items():
        uow.session.execute(
            sa.update(reservations)
            .where(
                reservations.c.order_id == order_id,
                reservations.c.warehouse_id == shipment["warehouse_id"],
                reservations.c.product_id == product_id,
            )
            .values(quantity=reservations.c.quantity - units)
        )
    uow.session.execute(
        sa.delete(reservations).where(
            reservations.c.order_id.in_({line["order_id"] for line in lines}),
            reservations.c.quantity == 0,
        )
    )


def cancel_shipment(uow: UnitOfWork, *, shipment_id: uuid.UUID, reason: str = "") -> str:
    """Unpack a shipment that has not left: its goods are picked again, ready to repack."""
    uow.authorize(Permission.FULFILMENT_WRITE)
    row = lock_shipment(uow, shipment_id)
    ship_to(ShipmentStatus(row["status"]), ShipmentAction.CANCEL)
    reason = text(500, required=False)(reason)
    lines = shipment_lines(uow, shipment_id)
    allocations = table_of(Allocation)
    by_allocation: dict[uuid.UUID, int] = defaultdict(int)
    for line in lines:
        by_allocation[line["allocation_id"]] += line["quantity"]
    for allocation_id, units in by_allocation.items():
        uow.session.execute(
            sa.update(allocations)
            .where(allocations.c.id == allocation_id)
            .values(
                packed_quantity=allocations.c.packed_quantity - units,
                status=AllocationStatus.PICKED.value,
                updated_at=clock.now(),
            )
        )
    shipments = table_of(Shipment)
    uow.session.execute(
        sa.update(shipments)
        .where(shipments.c.id == shipment_id)
        .values(status=ShipmentStatus.CANCELLED.value, updated_at=clock.now())
    )
    order_ids = sorted({line["order_id"] for line in lines}, key=str)
    uow.record(
        ShipmentCancelled(
            aggregate_id=shipment_id,
            number=row["number"],
            customer_id=row["customer_id"],
            order_ids=[str(i) for i in order_ids],
            order_numbers=_order_numbers(uow, order_ids),
            reason=reason,
        )
    )
    return ShipmentStatus.CANCELLED.value


def mark_delivered(uow: UnitOfWork, shipment: Any, at: datetime) -> None:
    """Count the shipment's units as delivered; complete orders that have everything."""
    uow.authorize(Permission.FULFILMENT_WRITE)
    lines = shipment_lines(uow, shipment["id"])
    order_lines = table_of(OrderLine)
    by_line: dict[uuid.UUID, int] = defaultdict(int)
    for line in lines:
        by_line[line["line_id"]] += line["quantity"]
    for line_id, units in by_line.items():
        uow.session.execute(
            sa.update(order_lines)
            .where(order_lines.c.id == line_id)
            .values(delivered_quantity=order_lines.c.delivered_quantity + units)
        )
    order_ids = sorted({line["order_id"] for line in lines}, key=str)
    for order_id in order_ids:
        if refresh_progress(uow, order_id) == "delivered":
            _complete(uow, order_id)
    uow.record(
        ShipmentDelivered(
            aggregate_id=shipment["id"],
            number=shipment["number"],
            customer_id=shipment["customer_id"],
            order_ids=[str(i) for i in order_ids],
            order_numbers=_order_numbers(uow, order_ids),
            delivered_at=at.isoformat(),
        )
    )


def complete_released_order(uow: UnitOfWork, event: OrderReleased) -> None:
    """An order held while its goods were delivered completes when it is released
    (in-transaction subscriber, ordersmith.wiring)."""
    if event.status != OrderStatus.CONFIRMED.value:
        return
    orders = table_of(Order)
    status = uow.session.scalar(
        sa.select(orders.c.fulfilment_status).where(orders.c.id == event.aggregate_id)
    )
    if status == "delivered":
        _complete(uow, event.aggregate_id)


def _complete(uow: UnitOfWork, order_id: uuid.UUID) -> None:
    orders = table_of(Order)
    row = uow.session.execute(sa.select(orders).where(orders.c.id == order_id)).mappings().one()
    if row["status"] != OrderStatus.CONFIRMED.value:
        return  # on hold: it completes when released (complete_released_order)
    target = check_transition(OrderStatus(row["status"]), OrderAction.COMPLETE)
    uow.session.execute(
        sa.update(orders)
        .where(orders.c.id == order_id)
        .values(status=target.value, updated_at=clock.now())
    )
    _history(uow, [order_id], "complete", "everything delivered", from_status=row["status"])
    uow.record(OrderCompleted(aggregate_id=order_id, number=row["number"]))


def _order_numbers(uow: UnitOfWork, order_ids: list[uuid.UUID]) -> list[str]:
    orders = table_of(Order)
    numbers = {
        r[0]: r[1]
        for r in uow.session.execute(
            sa.select(orders.c.id, orders.c.number).where(orders.c.id.in_(order_ids))
        )
    }
    return [numbers[i] for i in order_ids]


def _history(
    uow: UnitOfWork,
    order_ids: list[uuid.UUID],
    action: str,
    reason: str,
    *,
    from_status: str | None = None,
) -> None:
    orders = table_of(Order)
    statuses = uow.session.execute(
        sa.select(orders.c.id, orders.c.status).where(orders.c.id.in_(order_ids))
    )
    note_on_orders(
        uow,
        [(r[0], str(r[1])) for r in statuses],
        action=action,
        reason=reason,
        from_status=from_status,
    )
