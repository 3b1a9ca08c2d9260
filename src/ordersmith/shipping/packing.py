"""Packing picked goods into a shipment: packages with weight and size, lines in boxes.

A shipment leaves one warehouse for one address. Several open orders of one customer
to the same address may share it (consolidation): named by staff, or — with
``consolidate_automatically`` — every picked order of that customer and address at the
warehouse joins. Packing changes no stock; dispatch does (ordersmith.shipping.dispatch).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.db import insert_rows, table_of
from ordersmith.errors import Conflict, FieldError, ValidationFailed
from ordersmith.fulfillment.models import Allocation, AllocationStatus
from ordersmith.ids import new_id
from ordersmith.inventory import ledger
from ordersmith.inventory.queries import get_warehouse
from ordersmith.orders.history import note_on_orders
from ordersmith.orders.locking import lock_orders
from ordersmith.orders.models import Order, OrderLine
from ordersmith.orders.status import OrderStatus
from ordersmith.shipping.carriers import get_carrier, service_of
from ordersmith.shipping.events import ShipmentPacked
from ordersmith.shipping.models import Package, Shipment, ShipmentLine
from ordersmith.shipping.status import ShipmentStatus
from ordersmith.uow import UnitOfWork

MAX_PACKAGES = 100
MAX_GRAMS = 1_000_000  # a tonne
MAX_MM = 10_000  # ten metres


@dataclass(frozen=True, slots=True)
class PackageInput:
    weight_grams: int
    length_mm: int
    width_mm: int
    height_mm: int
    contents: Mapping[uuid.UUID, int] = field(default_factory=dict)
    """order line id -> units in this box; empty for a single box holding everything."""


@dataclass(frozen=True, slots=True)
class ShipmentRef:
    id: uuid.UUID
    number: str
    order_numbers: tuple[str, ...]
    packages: int
    units: int


def pack_shipment(
    uow: UnitOfWork,
    *,
    order_ids: Sequence[uuid.UUID],
    warehouse: str,
    carrier: str,
    packages: Sequence[PackageInput],
    service_level: str | None = None,
    consolidate: bool | None = None,
) -> ShipmentRef:
    uow.authorize(Permission.FULFILMENT_WRITE)
    number = f"SH-{uow.next_number('shipment'):06d}"
    _check_packages(packages)
    if not order_ids:
        raise ValidationFailed("name at least one order", fields=[FieldError("order_ids", "empty")])
    wh = get_warehouse(uow.session, warehouse)
    carrier_view = get_carrier(uow.session, carrier)
    service = service_of(carrier_view, service_level)
    orders = _lock_packable(uow, order_ids)
    if consolidate if consolidate is not None else uow.settings.consolidate_automatically:
        orders = _lock_packable(uow, [*order_ids, *_siblings(uow, orders[0], wh.id)])
    _check_consolidation(orders)
    if not (orders[0]["shipping_address"] or {}).get("line1"):
        raise Conflict(
            f"order {orders[0]['number']} has no shipping address: add one before packing",
            code="no_shipping_address",
        )
    picked = _picked(uow, [o["id"] for o in orders], wh.id)
    if not picked:
        raise Conflict(f"nothing picked at {wh.code} waits for packing", code="nothing_to_pack")
    boxes = _fill_boxes(packages, picked)
    shipment_id, now = new_id(), clock.now()
    insert_rows(
        uow.session.connection(),
        table_of(Shipment),
        [
            {
                "id": shipment_id,
                "number": number,
                "customer_id": orders[0]["customer_id"],
                "warehouse_id": wh.id,
                "carrier_id": carrier_view.id,
                "service_level": service.service_level,
                "status": ShipmentStatus.CREATED.value,
                "ship_to": orders[0]["shipping_address"] or {},
                "tracking_number": "",
                "tracking_url": "",
                "promised_delivery_date": max(
                    (o["promised_delivery_date"] for o in orders if o["promised_delivery_date"]),
                    default=None,
                ),
                "label_printed_at": None,
                "packing_slip_printed_at": None,
                "dispatched_at": None,
                "delivered_at": None,
                "last_tracking_at": None,
                "created_by": uow.actor,
                "created_at": now,
                "updated_at": now,
            }
        ],
    )
    _write_contents(uow, shipment_id, packages, boxes, picked)
    involved = sorted({p["order_id"] for p in picked if boxes_hold(boxes, p["line_id"])}, key=str)
    numbers = tuple(o["number"] for o in orders if o["id"] in involved)
    note_on_orders(
        uow,
        [(o["id"], o["status"]) for o in orders if o["id"] in involved],
        action="pack",
        reason=f"packed into shipment {number}",
        details={"shipment": number},
        at=now,
    )
    uow.record(
        ShipmentPacked(
            aggregate_id=shipment_id,
            number=number,
            customer_id=orders[0]["customer_id"],
            order_ids=[str(i) for i in involved],
            order_numbers=list(numbers),
            warehouse=wh.code,
            packages=len(packages),
        )
    )
    units = sum(q for box in boxes for q in box.values())
    return ShipmentRef(shipment_id, number, numbers, len(packages), units)


def boxes_hold(boxes: list[dict[uuid.UUID, int]], line_id: uuid.UUID) -> bool:
    return any(box.get(line_id) for box in boxes)


def _check_packages(packages: Sequence[PackageInput]) -> None:
    problems = []
    if not 1 <= len(packages) <= MAX_PACKAGES:
        problems.append(FieldError("packages", f"from 1 to {MAX_PACKAGES} packages"))
    for i, p in enumerate(packages):
        for name, limit in (
            ("weight_grams", MAX_GRAMS),
            ("length_mm", MAX_MM),
            ("width_mm", MAX_MM),
            ("height_mm", MAX_MM),
        ):
            value = getattr(p, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= limit:
                problems.append(FieldError(f"packages.{i}.{name}", f"from 1 to {limit}"))
        for line_id, units in p.contents.items():
            if isinstance(units, bool) or not isinstance(units, int) or units < 1:
                problems.append(FieldError(f"packages.{i}.contents.{line_id}", "at least 1"))
    if len(packages) > 1 and any(not p.contents for p in packages):
        problems.append(FieldError("packages", "with several packages, say what is in each"))
    if problems:
        raise ValidationFailed("the packages are not valid", fields=problems)


def _lock_packable(uow: UnitOfWork, order_ids: Sequence[uuid.UUID]) -> list[Any]:
    """The orders' rows, locked; oldest first. Conflict unless every one is confirmed."""
    rows = lock_orders(uow, order_ids)
    for row in rows:
        if row["status"] != OrderStatus.CONFIRMED.value:
            raise Conflict(
                f"order {row['number']} is {row['status']}: only confirmed orders are packed",
                code="order_not_packable",
            )
    return sorted(rows, key=lambda r: (r["created_at"], r["number"]))


def _check_consolidation(orders: list[Any]) -> None:
    first = orders[0]
    for other in orders[1:]:
        if other["customer_id"] != first["customer_id"] or (other["shipping_address"] or {}) != (
            first["shipping_address"] or {}
        ):
            raise Conflict(
                f"orders {first['number']} and {other['number']} go to different customers "
                "or addresses: one shipment goes to one address",
                code="cannot_consolidate",
            )


def _siblings(uow: UnitOfWork, order: Any, warehouse_id: uuid.UUID) -> list[uuid.UUID]:
    """Other confirmed orders of the customer to the same address with picked goods here."""
    orders, allocations = table_of(Order), table_of(Allocation)
    rows = uow.session.execute(
        sa.select(orders.c.id, orders.c.shipping_address).where(
            orders.c.customer_id == order["customer_id"],
            orders.c.status == OrderStatus.CONFIRMED.value,
            orders.c.id != order["id"],
            orders.c.id.in_(
                sa.select(allocations.c.order_id).where(
                    allocations.c.warehouse_id == warehouse_id,
                    allocations.c.status == AllocationStatus.PICKED.value,
                )
            ),
        )
    )
    address = order["shipping_address"] or {}
    return [r.id for r in rows if (r.shipping_address or {}) == address]


def _picked(uow: UnitOfWork, order_ids: list[uuid.UUID], warehouse_id: uuid.UUID) -> list[Any]:
    allocations, lines = table_of(Allocation), table_of(OrderLine)
    query = (
        sa.select(
            allocations.c.id,
            allocations.c.order_id,
            allocations.c.line_id,
            allocations.c.product_id,
            (allocations.c.picked_quantity - allocations.c.packed_quantity).label("units"),
            lines.c.sku,
            lines.c.name,
            lines.c.line_no,
        )
        .join(lines, lines.c.id == allocations.c.line_id)
        .where(
            allocations.c.order_id.in_(order_ids),
            allocations.c.warehouse_id == warehouse_id,
            allocations.c.status == AllocationStatus.PICKED.value,
            allocations.c.picked_quantity > allocations.c.packed_quantity,
        )
        .order_by(allocations.c.id)
    )
    if ledger.is_postgresql(uow.session):
        query = query.with_for_update(of=allocations)
    return list(uow.session.execute(query).mappings())


def _fill_boxes(packages: Sequence[PackageInput], picked: list[Any]) -> list[dict[uuid.UUID, int]]:
    """Units per line in each box; one box without contents takes everything picked."""
    available: dict[uuid.UUID, int] = defaultdict(int)
    for p in picked:
        available[p["line_id"]] += p["units"]
    if len(packages) == 1 and not packages[0].contents:
        return [dict(available)]
    boxes = [dict(p.contents) for p in packages]
    asked: dict[uuid.UUID, int] = defaultdict(int)
    for box in boxes:
        for line_id, units in box.items():
            asked[line_id] += units
    problems = [
        FieldError(f"contents.{line_id}", f"only {available.get(line_id, 0)} picked")
        for line_id, units in asked.items()
        if units > available.get(line_id, 0)
    ]
    if problems:
        raise ValidationFailed("more packed than was picked", fields=problems)
    return boxes


def _write_contents(
    uow: UnitOfWork,
    shipment_id: uuid.UUID,
    packages: Sequence[PackageInput],
    boxes: list[dict[uuid.UUID, int]],
    picked: list[Any],
) -> None:
    insert_rows(
        uow.session.connection(),
        table_of(Package),
        [
            {
                "id": new_id(),
                "shipment_id": shipment_id,
                "package_no": i + 1,
                "weight_grams": p.weight_grams,
                "length_mm": p.length_mm,
                "width_mm": p.width_mm,
                "height_mm": p.height_mm,
            }
            for i, p in enumerate(packages)
        ],
    )
    left = {p["id"]: p["units"] for p in picked}
    packed: dict[uuid.UUID, int] = defaultdict(int)
    rows = []
    for package_no, box in enumerate(boxes, start=1):
        for line_id, units in box.items():
            wanted = units
            for p in picked:  # a line's units may sit on several allocations
                if p["line_id"] != line_id or wanted == 0 or not left[p["id"]]:
                    continue
                take = min(wanted, left[p["id"]])
                left[p["id"]] -= take
                wanted -= take
                packed[p["id"]] += take
                rows.append(
                    {
                        "id": new_id(),
                        "shipment_id": shipment_id,
                        "allocation_id": p["id"],
                        "order_id": p["order_id"],
                        "line_id": line_id,
                        "product_id": p["product_id"],
                        "sku": p["sku"],
                        "name": p["name"],
                        "quantity": take,
                        "package_no": package_no,
                    }
                )
    insert_rows(uow.session.connection(), table_of(ShipmentLine), rows)
    allocations = table_of(Allocation)
    for allocation_id, units in packed.items():
        uow.session.execute(
            sa.update(allocations)
            .where(allocations.c.id == allocation_id)
            .values(
                packed_quantity=allocations.c.packed_quantity + units,
                status=sa.case(
                    (
                        allocations.c.packed_quantity + units == allocations.c.quantity,
                        AllocationStatus.PACKED.value,
                    ),
                    else_=AllocationStatus.PICKED.value,
                ),
                updated_at=clock.now(),
            )
        )
