"""The fulfilment simulation's actions, each one staff action through the real services.

Sales staff place, confirm, release and cancel orders; the warehouse makes waves,
confirms picks (sometimes short), packs (sometimes two boxes, sometimes several orders
of one customer together), prints labels and packing slips and hands shipments to the
carriers (goods-in is ``demo.supply``). Each action runs in its own unit of work at the
simulated time its caller set (``clock.simulated``); ``ordersmith.demo.fulfilment``
decides when. What the simulation needs to remember between actions lives in ``Story``.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ordersmith.billing.models import PaymentMethod
from ordersmith.billing.payments import record_payment
from ordersmith.config import BackorderPolicy, ShipPolicy
from ordersmith.demo import demand
from ordersmith.demo.carriers import LOCAL_COURIER, PARCEL_CARRIER
from ordersmith.demo.demand import OrderSpec, Shop
from ordersmith.errors import Conflict, InvalidTransition
from ordersmith.fulfillment.distance import SAME_REGION, zone_distance
from ordersmith.fulfillment.documents import pick_list_document
from ordersmith.fulfillment.picking import MAX_WAVE_ORDERS, confirm_pick_list, create_pick_list
from ordersmith.fulfillment.queries import order_allocations
from ordersmith.inventory.errors import InsufficientStock
from ordersmith.inventory.queries import stock_levels
from ordersmith.orders.models import Channel
from ordersmith.orders.placement import LineRequest, PlaceOrder, place_order
from ordersmith.orders.queries import get_order
from ordersmith.orders.services import cancel_order, confirm_order, release_order
from ordersmith.orders.status import HoldReason
from ordersmith.shipping.documents import print_packing_slip
from ordersmith.shipping.labels import book_label
from ordersmith.shipping.packing import PackageInput, pack_shipment
from ordersmith.uow import Database

# float-ok-module: probabilities of short picks, split boxes and missing slips (no amounts)

SALES, WAREHOUSE = "demo:sales", "demo:warehouse"
SHORT_PICK = 0.02
TWO_BOXES = 0.25
NO_SLIP = 0.04
EXPRESS = 0.08
HOLD_NOTES = {
    HoldReason.SUSPECTED_DUPLICATE.value: "Checked with the customer: not a duplicate",
    HoldReason.CREDIT.value: "Credit control: approved, the customer paid an open invoice",
}
BOX_MM = ((250, 200, 100), (350, 250, 200), (600, 400, 300))


@dataclass
class SimOrder:
    id: uuid.UUID
    number: str
    customer_id: uuid.UUID
    ship_to: dict[str, Any]
    express: bool
    status: str
    hold_reason: str | None
    total: Decimal
    currency: str
    channel: str = ""


@dataclass
class Parcel:
    """A packed shipment waiting for the carrier."""

    id: uuid.UUID
    number: str
    carrier: str
    warehouse: str
    ship_to: dict[str, Any]
    labelled: bool
    order_ids: tuple[uuid.UUID, ...]


@dataclass
class Story:
    db: Database
    rng: random.Random
    shop: Shop
    orders: dict[uuid.UUID, SimOrder] = field(default_factory=dict)
    open_orders: set[uuid.UUID] = field(default_factory=set)
    """Confirmed orders that may still have units to pick."""
    picked: dict[str, set[uuid.UUID]] = field(default_factory=lambda: defaultdict(set))
    packed: list[Parcel] = field(default_factory=list)
    short_picks: int = 0
    parcel_numbers: int = 0

    def _number(self, order_id: uuid.UUID) -> str:
        """Orders are taken in number order (ids are random: the story must not be)."""
        return self.orders[order_id].number

    # --- sales -----------------------------------------------------------------------

    def place(
        self, spec: OrderSpec, *, backorder: bool = False, ship_complete: bool = False
    ) -> SimOrder | None:
        """Place the order; None when the stock was gone after all (nothing written)."""
        request = PlaceOrder(
            customer_id=spec.customer.id,
            channel=spec.channel,
            lines=[LineRequest(sku, units) for sku, units in spec.lines],
            external_ref=spec.external_ref,
            backorder_policy=BackorderPolicy.BACKORDER if backorder else None,
            ship_policy=ShipPolicy.SHIP_COMPLETE if ship_complete else None,
        )
        try:
            with self.db.unit_of_work(actor=SALES) as uow:
                view = place_order(uow, request)
        except InsufficientStock:  # the estimate was off (short picks, cancellations)
            with self.db.reader() as session:
                for sku, _units in spec.lines:
                    levels = stock_levels(session, sku=sku)
                    self.shop.available[sku] = sum(max(lv.available, 0) for lv in levels)
            return None
        demand.take(self.shop, spec.lines)
        order = SimOrder(
            view.id,
            view.number,
            view.customer_id,
            dict(view.shipping_address or {}),
            self.rng.random() < EXPRESS,
            view.status,
            view.hold_reason,
            view.total,
            view.currency,
            spec.channel.value,
        )
        self.orders[order.id] = order
        return order

    def confirm(self, order: SimOrder) -> None:
        """Confirm the order (it is allocated with it), once its hold is dealt with."""
        if order.status == "on_hold":
            self._lift_hold(order)
        if order.status == "placed":
            with self.db.unit_of_work(actor=SALES) as uow:
                order.status = confirm_order(uow, order_id=order.id).status
        if order.status == "confirmed":
            self.open_orders.add(order.id)

    def _lift_hold(self, order: SimOrder) -> None:
        """A cash sale is paid by card (in cash at the counter; billing then releases
        and confirms it); a suspected duplicate or a credit hold is released by staff,
        with the reason."""
        with self.db.unit_of_work(actor=SALES) as uow:
            if order.hold_reason == HoldReason.AWAITING_PAYMENT:
                counter = order.channel == Channel.IN_PERSON.value
                method = PaymentMethod.CASH if counter else PaymentMethod.CARD
                record_payment(
                    uow,
                    customer_id=order.customer_id,
                    method=method.value,
                    amount=order.total,
                    currency=order.currency,
                    reference=f"{'cash at the counter' if counter else 'card payment'} "
                    f"for {order.number}",
                    order_id=order.id,
                )
                order.status = get_order(uow.session, str(order.id)).status
            else:
                note = HOLD_NOTES.get(order.hold_reason or "", "Checked with the customer")
                order.status = release_order(uow, order_id=order.id, note=note).status

    def cancel(self, order: SimOrder, reason: str) -> bool:
        """Cancel unless the goods are packed already (then the customer gets them)."""
        try:
            with self.db.unit_of_work(actor=SALES) as uow:
                order.status = cancel_order(uow, order_id=order.id, reason=reason).status
        except InvalidTransition:  # order_in_shipment, or no longer open
            return False
        self.open_orders.discard(order.id)
        return True

    # --- picking ---------------------------------------------------------------------

    def ready_to_pick(self) -> dict[str, list[uuid.UUID]]:
        """Warehouse -> open orders with allocated units there. Forgets orders with
        nothing allocated and nothing backordered (done, or no longer confirmed)."""
        ready: dict[str, list[uuid.UUID]] = defaultdict(list)
        with self.db.reader() as session:
            for order_id in sorted(self.open_orders, key=self._number):
                waiting = {
                    a.warehouse
                    for a in order_allocations(session, order_id)
                    if a.status == "allocated"
                }
                for warehouse in sorted(waiting):
                    ready[warehouse].append(order_id)
                if not waiting:
                    order = get_order(session, str(order_id))
                    if order.status != "confirmed" or not order.backordered:
                        self.open_orders.discard(order_id)
        return ready

    def wave(self, warehouse: str, order_ids: list[uuid.UUID]) -> uuid.UUID | None:
        try:
            with self.db.unit_of_work(actor=WAREHOUSE) as uow:
                ref = create_pick_list(
                    uow,
                    warehouse=warehouse,
                    order_ids=order_ids,
                    max_orders=min(len(order_ids), MAX_WAVE_ORDERS),
                )
        except Conflict as exc:
            if exc.code == "nothing_to_pick":  # cancelled or held meanwhile
                return None
            raise
        return ref.id

    def pick(
        self, pick_list_id: uuid.UUID, *, force_short: bool = False, shorts: bool = True
    ) -> list[str]:
        """Confirm the pick list, now and then (``shorts``) a line short, the first line
        if ``force_short``; the SKUs picked short."""
        with self.db.reader() as session:
            doc = pick_list_document(session, pick_list_id)
        short: dict[int, int] = {}
        for line in doc.lines:
            if (force_short and not short) or (shorts and self.rng.random() < SHORT_PICK):
                short[line.sequence] = self.rng.randint(0, line.quantity - 1)
        with self.db.unit_of_work(actor=WAREHOUSE) as uow:
            confirm_pick_list(uow, pick_list_id=pick_list_id, picked=short)
        numbers = {line.order_number for line in doc.lines}
        picked = {o.id for o in self.orders.values() if o.number in numbers}
        self.picked[doc.warehouse_code].update(picked)
        self.short_picks += len(short)
        return sorted({line.sku for line in doc.lines if line.sequence in short})

    # --- packing ---------------------------------------------------------------------

    def pack_all(self, *, leave: int = 0, unlabelled: int = 0) -> list[Parcel]:
        """Pack what is picked, one shipment per warehouse, customer and address, labelled
        and (mostly) with a packing slip. The last ``leave`` groups stay picked and the
        last ``unlabelled`` shipments get no label yet (how the last day ends)."""
        groups = [
            (warehouse, order_ids, contents)
            for warehouse in sorted(self.picked)
            for order_ids, contents in self._packing_groups(warehouse)
        ]
        groups = groups[: len(groups) - leave]
        packed = []
        for i, (warehouse, order_ids, contents) in enumerate(groups):
            label = i < len(groups) - unlabelled
            packed.append(self._pack_one(warehouse, order_ids, contents, label=label))
            self.picked[warehouse].difference_update(order_ids)
        return packed

    def _packing_groups(
        self, warehouse: str
    ) -> list[tuple[list[uuid.UUID], dict[uuid.UUID, tuple[str, int]]]]:
        """[(order ids of one customer and address, {line id: (sku, units to pack)})]."""
        by_address: dict[str, tuple[list[uuid.UUID], dict[uuid.UUID, tuple[str, int]]]] = {}
        with self.db.reader() as session:
            for order_id in sorted(self.picked[warehouse], key=self._number):
                order = self.orders[order_id]
                lines = {
                    a.line_id: (a.sku, a.picked_quantity - a.packed_quantity)
                    for a in order_allocations(session, order_id)
                    if a.warehouse == warehouse and a.picked_quantity > a.packed_quantity
                }
                if not lines or order.status != "confirmed":
                    self.picked[warehouse].discard(order_id)
                    continue
                key = f"{order.customer_id}|{sorted(order.ship_to.items())}"
                ids, contents = by_address.setdefault(key, ([], {}))
                ids.append(order_id)
                contents.update(lines)
        return list(by_address.values())  # in order number order, as inserted

    def _pack_one(
        self,
        warehouse: str,
        order_ids: list[uuid.UUID],
        contents: dict[uuid.UUID, tuple[str, int]],
        *,
        label: bool,
    ) -> Parcel:
        first = self.orders[order_ids[0]]
        van = zone_distance(self.shop.warehouses.get(warehouse, {}), first.ship_to) <= SAME_REGION
        carrier = LOCAL_COURIER if van else PARCEL_CARRIER
        express = any(self.orders[i].express for i in order_ids)
        with self.db.unit_of_work(actor=WAREHOUSE) as uow:
            ref = pack_shipment(
                uow,
                order_ids=order_ids,
                warehouse=warehouse,
                carrier=carrier.code,
                packages=self._boxes(contents),
                service_level="express" if express else None,
                consolidate=False,
            )
            if label:
                book_label(uow, shipment_id=ref.id, tracking_number=self._parcel_number(van))
                if self.rng.random() >= NO_SLIP:
                    print_packing_slip(uow, shipment_id=ref.id)  # drawn on demand
        parcel = Parcel(
            ref.id, ref.number, carrier.code, warehouse, first.ship_to, label, tuple(order_ids)
        )
        self.packed.append(parcel)
        return parcel

    def _parcel_number(self, van: bool) -> str | None:
        """The van fleet numbers its own parcels; ParcelNet's numbers come pre-printed."""
        if van:
            return None
        self.parcel_numbers += 1
        return f"PN{self.rng.randrange(10**5, 10**6)}{self.parcel_numbers:06d}DE"

    def _boxes(self, contents: dict[uuid.UUID, tuple[str, int]]) -> list[PackageInput]:
        lines = sorted(contents.items(), key=lambda item: (item[1][0], str(item[0])))
        if len(lines) > 1 and self.rng.random() < TWO_BOXES:
            half = len(lines) // 2
            return [self._box(dict(lines[:half])), self._box(dict(lines[half:]))]
        return [self._box(dict(lines), described=False)]

    def _box(
        self, contents: dict[uuid.UUID, tuple[str, int]], *, described: bool = True
    ) -> PackageInput:
        grams = sum(self.shop.grams(sku, units) for sku, units in contents.values()) + 300
        size = BOX_MM[0] if grams < 2000 else BOX_MM[1] if grams < 10_000 else BOX_MM[2]
        return PackageInput(
            weight_grams=min(grams, 999_000),
            length_mm=size[0],
            width_mm=size[1],
            height_mm=size[2],
            contents={line: units for line, (_sku, units) in contents.items()} if described else {},
        )
