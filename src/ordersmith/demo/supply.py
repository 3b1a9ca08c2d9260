"""Goods-in in the fulfilment simulation, through purchasing: the supply side's story.

- **Monday's buying** (08:00): the buyer approves the open purchase requests that the
  stock-low events and the nightly review raised (``ordersmith.replenishment``),
  rejecting one the first time there is a choice and now and then after; orders them
  as draft purchase orders by supplier (minimum orders and packs applied), approves
  them and emails them to the suppliers. The first week one supplier cannot deliver:
  its PO is cancelled (the next review asks again). Each delivery is planned from the
  PO's latest expected date: most arrive on it or a day early, some one to three
  working days late.
- **Urgent orders** (a backorder, a short pick): the buyer phones the preferred
  supplier (the PO is sent without email) for delivery on a given day; when the
  wholesaler sells the product too, one time in four the preferred supplier cannot
  deliver: that PO is cancelled and the wholesaler gets the order.
- **Deliveries**: everything still open; every fourth delivery is short (the rest
  follows a week later, or, every other time, the buyer closes the PO for it); some
  lines are invoiced above the quoted cost (the scorecard's price variance). SKUs no
  supplier delivers before the end (``withheld``) stay open on their POs.
- **The last day**: the planner runs the quarterly demand forecast (so the default
  forecast-driven policy has its levels) and a replenishment review against it. It
  leaves purchasing in every state: requests still open, a draft PO waiting for
  approval and an approved one not yet sent, besides the sent, partially received,
  received, closed and cancelled ones from the weeks before.

Its randomness is its own (``random.Random(f"supply:{seed}")``): the same seed tells
the same story.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import partial

from ordersmith import clock
from ordersmith.catalog.queries import get_products_by_sku
from ordersmith.demo.suppliers import WHOLESALER
from ordersmith.errors import Conflict
from ordersmith.forecasting.requests import RunRequest
from ordersmith.forecasting.services import run_forecast
from ordersmith.money import quantize
from ordersmith.purchasing.inputs import LineInput, ReceiptLineInput
from ordersmith.purchasing.queries import get_purchase_order, supplier_products
from ordersmith.purchasing.receiving import receive_purchase_order
from ordersmith.purchasing.services import (
    approve_purchase_order,
    cancel_purchase_order,
    close_purchase_order,
    create_purchase_order,
    send_purchase_order,
)
from ordersmith.purchasing.views import PurchaseOrderView, SupplierProductView
from ordersmith.replenishment.models import RequestKind
from ordersmith.replenishment.ordering import Scope, order_purchase_requests
from ordersmith.replenishment.queries import RequestFilter, list_requests
from ordersmith.replenishment.runs import run_replenishment
from ordersmith.replenishment.services import approve_requests, reject_request, rounded
from ordersmith.replenishment.status import RequestStatus
from ordersmith.shipping.promise import add_business_days
from ordersmith.uow import Database

# float-ok-module: chances of late, short and dearer deliveries (probabilities)

BUYER, GOODS_IN, PLANNER = "demo:buyer", "demo:goods-in", "demo:planner"
Later = Callable[[datetime, Callable[[], None]], None]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


@dataclass
class Supply:
    db: Database
    later: Later
    seed: int
    warehouse_stock: Callable[[str, str, int], None]
    """``(warehouse, sku, units)``: tells the simulation's shop what arrived."""
    withheld: set[str]
    """SKUs no supplier delivers before the end (shared with the simulation)."""
    end: date
    """The simulation's last day: a delivery in its last three days is short once, and
    the rest is still to come at the end (a partially received PO)."""
    receipts: int = 0
    purchase_orders: int = 0
    rejected: int = 0
    cancelled: int = 0
    shorts: int = 0
    left_partial: bool = False
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(f"supply:{self.seed}")

    # --- Monday's buying ---------------------------------------------------------------

    def weekly_buying(self) -> None:
        """Approve the open purchase requests (rejecting one now and then), order them
        by supplier, approve and email the POs, and plan their deliveries."""
        requests = self._open_requests()
        if not requests:
            return
        if len(requests) > 1 and (not self.rejected or self.rng.random() < 0.3):
            self.rejected += 1
            rejected = requests.pop(self.rng.randrange(len(requests)))
            with self.db.unit_of_work(actor=BUYER) as uow:
                reason = "Enough on the shelf until the season changes"
                reject_request(uow, request_id=rejected, reason=reason)
        with self.db.unit_of_work(actor=BUYER) as uow:
            approve_requests(uow, request_ids=requests)
        orders = self._order_approved(Scope())
        for i, po in enumerate(orders):
            self._approve_and_send(po.id, email=True)
            if i == 1 and not self.cancelled:
                self._cancel(po.id, "The supplier cannot deliver this month: ordered again")
                continue
            expected = max(line.expected_date for line in po.lines)
            self.later(_at(self._arrival(expected), 8, 30), partial(self.deliver, po.id))

    def _cancel(self, po_id: uuid.UUID, reason: str) -> None:
        self.cancelled += 1
        with self.db.unit_of_work(actor=BUYER) as uow:
            cancel_purchase_order(uow, purchase_order_id=po_id, reason=reason)

    def _open_requests(self) -> list[uuid.UUID]:
        flt = RequestFilter(status=RequestStatus.OPEN, kind=RequestKind.PURCHASE)
        with self.db.reader() as session:
            found, _more = list_requests(session, flt, limit=500)
        return sorted((r.id for r in found if r.supplier), key=str)

    def _order_approved(self, scope: Scope) -> list[PurchaseOrderView]:
        with self.db.unit_of_work(actor=BUYER) as uow:
            result = order_purchase_requests(uow, scope)
        self.purchase_orders += len(result.documents)
        with self.db.reader() as session:
            return [get_purchase_order(session, doc.id) for doc in result.documents]

    def _arrival(self, expected: date) -> date:
        """Most suppliers deliver on the expected day or a day early; some are late."""
        draw = self.rng.random()
        if draw < 0.2:
            return add_business_days(expected, self.rng.randint(1, 3))
        if draw < 0.35:
            return _previous_weekday(expected)
        return expected if expected.weekday() < 5 else add_business_days(expected, 1)

    def _approve_and_send(self, po_id: uuid.UUID, *, email: bool) -> None:
        with self.db.unit_of_work(actor=BUYER) as uow:
            approve_purchase_order(uow, purchase_order_id=po_id)
        with self.db.unit_of_work(actor=BUYER) as uow:
            send_purchase_order(uow, purchase_order_id=po_id, email=email)

    # --- urgent orders by phone -------------------------------------------------------

    def rush(self, warehouse: str, sku: str, units: int, arrives: datetime) -> None:
        """Phone the preferred supplier for ``units`` (its order rules applied) to
        arrive at ``arrives``; it may not deliver (see the module docstring)."""
        items = self._items(sku)
        if not items:
            raise Conflict(f"no supplier supplies {sku}: the demo data is incomplete")
        item = next((i for i in items if i.preferred), items[0])
        po_id = self._phone_order(item, warehouse, units, arrives.date())
        other = next((i for i in items if i.supplier == WHOLESALER and i is not item), None)
        if other is not None and self.rng.random() < 0.25:
            self._cancel(po_id, f"{item.supplier} is out of stock; ordered from {other.supplier}")
            po_id = self._phone_order(other, warehouse, units, arrives.date())
        self.later(arrives, partial(self.deliver, po_id))

    def _items(self, sku: str) -> list[SupplierProductView]:
        with self.db.reader() as session:
            product = get_products_by_sku(session, [sku]).get(sku)
            return [] if product is None else supplier_products(session, product_ids=[product.id])

    def _phone_order(
        self, item: SupplierProductView, warehouse: str, units: int, expected: date
    ) -> uuid.UUID:
        with self.db.unit_of_work(actor=BUYER) as uow:
            po = create_purchase_order(
                uow,
                supplier=item.supplier,
                warehouse=warehouse,
                lines=[LineInput(item.sku, rounded(item, units), expected_date=expected)],
                notes="Urgent: ordered by phone.",
            )
        self.purchase_orders += 1
        self._approve_and_send(po.id, email=False)
        return po.id

    # --- deliveries -------------------------------------------------------------------

    def deliver(self, po_id: uuid.UUID) -> None:
        """The supplier's van with everything still open, one line sometimes short,
        some invoiced above the quote; withheld SKUs do not come."""
        with self.db.reader() as session:
            po = get_purchase_order(session, po_id)
        if po.status not in ("sent", "partially_received"):
            return
        today = clock.today()
        due = [line for line in po.lines if line.open_quantity and line.sku not in self.withheld]
        if not due:
            return
        can_short = due[0].open_quantity > 1
        late_short = can_short and not self.left_partial and (self.end - today).days <= 3
        short = can_short and (self.receipts % 4 == 1 or late_short)  # every fourth one
        self.left_partial = self.left_partial or late_short
        lines = []
        for line in due:
            units = line.open_quantity
            if short and line is due[0]:
                units = max(1, units * self.rng.randint(50, 85) // 100)
            dearer = self.rng.random() < 0.15
            cost = quantize(line.unit_cost * Decimal("1.05"), po.currency) if dearer else None
            lines.append(ReceiptLineInput(line.line_no, units, unit_cost=cost))
        self.receipts += 1
        with self.db.unit_of_work(actor=GOODS_IN) as uow:
            receive_purchase_order(
                uow,
                purchase_order_id=po.id,
                lines=lines,
                delivery_note=f"DN-{po.supplier[:3]}-{today:%y%m%d}-{self.receipts:03d}",
            )
        for line, asked in zip(due, lines, strict=True):
            self.warehouse_stock(po.warehouse, line.sku, asked.quantity)
        if short:
            self._after_short(po.id)

    def _after_short(self, po_id: uuid.UUID) -> None:
        """The rest follows a week later, or the buyer closes the PO for it."""
        self.shorts += 1
        if self.shorts % 2 or self.left_partial:
            arrives = _at(add_business_days(clock.today(), 5), 8, 30)
            self.later(arrives, partial(self.deliver, po_id))
            return
        with self.db.unit_of_work(actor=BUYER) as uow:
            reason = "Supplier cannot deliver the rest this season"
            close_purchase_order(uow, purchase_order_id=po_id, reason=reason)

    # --- the last day -----------------------------------------------------------------

    def last_day(self) -> None:
        """The planner's quarterly forecast, and the review that sets the forecast-driven
        levels against it; then a draft PO waiting for approval and an approved one not
        yet sent (from the requests of two suppliers), the other requests open."""
        run_forecast(self.db, actor=PLANNER, request=RunRequest())
        run_replenishment(self.db, actor=PLANNER)
        requests = self._open_requests()
        if not requests:
            return
        with self.db.reader() as session:
            found, _more = list_requests(
                session, RequestFilter(status=RequestStatus.OPEN), limit=500
            )
        suppliers = sorted({r.supplier for r in found if r.supplier})[:2]
        for i, supplier in enumerate(suppliers):
            ids = [r.id for r in found if r.supplier == supplier]
            with self.db.unit_of_work(actor=BUYER) as uow:
                approve_requests(uow, request_ids=ids)
            for po in self._order_approved(Scope(supplier=supplier)):
                if i == 1:
                    with self.db.unit_of_work(actor=BUYER) as uow:
                        approve_purchase_order(uow, purchase_order_id=po.id)


def _previous_weekday(day: date) -> date:
    day -= timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day
