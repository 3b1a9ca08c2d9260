"""Record payment (TPC-C Payment) and fulfil (TPC-C Delivery) in Ordersmith terms.

Each is written once against a small port and runs in service mode (``ServiceBilling``,
``ServiceWarehouse``: the services, one unit of work per step, the same transactions as
the REST API has) and over HTTP (``bench.http_mode``).

**Record payment.** Each client thread pays for its own share of the customers (every
``clients``-th one), as a TPC-C terminal serves its district, so two clients never pay
for the same customer at once. Half the customers are on account, half pay cash.

- An account customer: the clerk reads the customer's open invoices
  (``billing.queries.customer_balance``), then records a bank transfer: 75% the open
  invoices in full, 15% a part of them, 10% more than owed (the rest stays as customer
  credit). A customer who owes nothing pays an advance: all of it is credit. Which
  invoices it pays is the service's rule: the oldest open ones first.
- A cash customer: the customer's newest order awaiting payment is paid in full by bank
  transfer against the order (a prepayment). That transaction releases the order,
  confirms it, allocates it and issues its receipt, settled from the payment
  (``billing.cash_sales``). The payment must end fully applied to the receipt, or it
  is an error. A cash customer with nothing awaiting payment: outcome
  ``nothing_to_pay``, nothing written.

**Fulfil.** For one warehouse, chosen at random, take up to ``BATCH`` of the oldest orders
ready to pick (confirmed and allocated there; ``create_pick_list`` chooses, with
``SKIP LOCKED`` on PostgreSQL). Then:

1. wave: ``create_pick_list``;
2. pick: ``confirm_pick_list``, picked in full;
3. per order, one shipment of one box: pack (``pack_shipment``), label (``print_label``:
   a tracking number booked in a unit of work, then the label PDF drawn after its commit,
   ADR 0036) and dispatch (``dispatch_shipment``: stock
   leaves through the ledger, and an account customer is invoiced, ``billing.policy``).

Nothing ready: outcome ``nothing_to_pick``. Every step is timed apart
(``fulfil.wave`` ...) and its SQL is labelled, so the report shows where a batch goes.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any, Protocol

import sqlalchemy as sa

from bench.recorder import FULFIL, PAYMENT, Recorder, Steps, start
from ordersmith.billing.payments import record_payment
from ordersmith.billing.queries import customer_balance
from ordersmith.db import table_of
from ordersmith.errors import Conflict, OmsError
from ordersmith.fulfillment.models import PickListLine
from ordersmith.fulfillment.picking import confirm_pick_list, create_pick_list
from ordersmith.orders.queries import OrderFilter, list_orders
from ordersmith.orders.status import HoldReason, OrderStatus
from ordersmith.shipping.dispatch import dispatch_shipment
from ordersmith.shipping.labels import print_label
from ordersmith.shipping.packing import PackageInput, pack_shipment
from ordersmith.uow import Database

BATCH = 10
CURRENCY = "EUR"
CENT = Decimal("0.01")
METHOD = "bank_transfer"
BOX = PackageInput(weight_grams=2500, length_mm=350, width_mm=250, height_mm=200)
WAREHOUSE_ACTOR, BILLING_ACTOR = "bench:warehouse", "bench:accounts"


@dataclass(frozen=True, slots=True)
class Paid:
    id: uuid.UUID
    amount: Decimal
    allocated: Decimal


class BillingPort(Protocol):
    def open_invoices(self, customer_id: uuid.UUID) -> Decimal: ...

    def awaiting_payment(self, customer_id: uuid.UUID) -> tuple[uuid.UUID, Decimal] | None: ...

    def pay(
        self, customer_id: uuid.UUID, amount: Decimal, *, order_id: uuid.UUID | None, reference: str
    ) -> Paid: ...


class WarehousePort(Protocol):
    def wave(
        self, warehouse: str, max_orders: int, order_ids: list[uuid.UUID] | None
    ) -> Any | None: ...

    def pick(self, pick_list: Any) -> list[uuid.UUID]: ...

    def pack(self, warehouse: str, order_id: uuid.UUID) -> uuid.UUID: ...

    def label(self, shipment_id: uuid.UUID) -> None: ...

    def dispatch(self, shipment_id: uuid.UUID) -> None: ...


def describe(exc: Exception) -> str:
    if isinstance(exc, OmsError):
        return f"{exc.code}: {exc.detail}"
    return repr(exc)


def account_payment(rng: random.Random, owed: Decimal) -> tuple[Decimal, str]:
    """(amount, outcome) of an account customer's remittance against ``owed``."""
    owed = owed.quantize(CENT, ROUND_DOWN)
    if owed <= 0:
        return Decimal(rng.randint(50, 500)), "advance_credit"
    roll = rng.randrange(100)
    if roll < 75:
        return owed, "paid_in_full"
    if roll < 90:
        part = (owed * rng.randint(10, 90) / 100).quantize(CENT, ROUND_DOWN)
        return max(part, CENT), "paid_in_part"
    return owed + rng.randint(10, 500), "overpaid_credit"


def pay_op(
    port: BillingPort,
    rec: Recorder,
    steps: Steps,
    rng: random.Random,
    customer_id: uuid.UUID,
    *,
    account: bool,
) -> None:
    """One record-payment operation, timed, with its outcome."""
    started = start()
    try:
        outcome = _pay(port, rec, steps, rng, customer_id, account=account)
    except Exception as exc:
        outcome = rec.error(PAYMENT, describe(exc))
    rec.finish(PAYMENT, started, outcome)


def _pay(
    port: BillingPort,
    rec: Recorder,
    steps: Steps,
    rng: random.Random,
    customer_id: uuid.UUID,
    *,
    account: bool,
) -> str:
    if account:
        with steps(f"{PAYMENT}.lookup"):
            owed = port.open_invoices(customer_id)
        amount, outcome = account_payment(rng, owed)
        with steps(f"{PAYMENT}.write"):
            paid = port.pay(customer_id, amount, order_id=None, reference="bench remittance")
        if paid.allocated > paid.amount:
            return rec.error(PAYMENT, f"payment {paid.id}: {paid.allocated} of {paid.amount}")
    else:
        with steps(f"{PAYMENT}.lookup"):
            found = port.awaiting_payment(customer_id)
        if found is None:
            return "nothing_to_pay"
        order_id, total = found
        with steps(f"{PAYMENT}.write"):
            paid = port.pay(customer_id, total, order_id=order_id, reference="bench prepayment")
        if paid.allocated != total:
            return rec.error(
                PAYMENT, f"cash order {order_id}: {paid.allocated} of {total} on its receipt"
            )
        rec.paid_orders.append(order_id)
        outcome = "paid_cash_order"
    rec.payments[paid.id] = paid.amount
    return outcome


def fulfil_op(
    port: WarehousePort,
    rec: Recorder,
    steps: Steps,
    warehouse: str,
    *,
    max_orders: int = BATCH,
    order_ids: list[uuid.UUID] | None = None,
    label: bool = True,
) -> int:
    """One fulfil operation (a batch), timed, with its outcome; the orders shipped."""
    started, shipped = start(), 0
    try:
        with steps(f"{FULFIL}.wave"):
            pick_list = port.wave(warehouse, max_orders, order_ids)
        if pick_list is None:
            outcome = "nothing_to_pick"
        else:
            with steps(f"{FULFIL}.pick"):
                orders = port.pick(pick_list)
            for order_id in orders:
                with steps(f"{FULFIL}.pack"):
                    shipment_id = port.pack(warehouse, order_id)
                if label:
                    with steps(f"{FULFIL}.label"):
                        port.label(shipment_id)
                with steps(f"{FULFIL}.dispatch"):
                    port.dispatch(shipment_id)
                rec.shipments[shipment_id] = order_id
                shipped += 1
            outcome = "ok"
    except Exception as exc:
        outcome = rec.error(FULFIL, describe(exc))
    rec.finish(FULFIL, started, outcome)
    rec.orders_shipped += shipped
    return shipped


class ServiceBilling:
    """The billing services, each call in its own read transaction or unit of work."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def open_invoices(self, customer_id: uuid.UUID) -> Decimal:
        with self.db.reader() as session:
            rows = customer_balance(session, customer_id)
        return sum((r.open_invoices for r in rows if r.currency == CURRENCY), Decimal(0))

    def awaiting_payment(self, customer_id: uuid.UUID) -> tuple[uuid.UUID, Decimal] | None:
        flt = OrderFilter(
            customer_id=customer_id,
            status=OrderStatus.ON_HOLD,
            hold_reason=HoldReason.AWAITING_PAYMENT.value,
        )
        with self.db.reader() as session:
            rows = list_orders(session, flt, limit=1)
        return (rows[0].id, rows[0].total) if rows else None

    def pay(
        self, customer_id: uuid.UUID, amount: Decimal, *, order_id: uuid.UUID | None, reference: str
    ) -> Paid:
        with self.db.unit_of_work(actor=BILLING_ACTOR) as uow:
            view = record_payment(
                uow,
                customer_id=customer_id,
                method=METHOD,
                amount=amount,
                currency=CURRENCY,
                reference=reference,
                order_id=order_id,
            )
        return Paid(view.id, view.amount, view.amount_allocated)


class ServiceWarehouse:
    """The fulfilment and shipping services, one unit of work per step."""

    def __init__(self, db: Database, carrier: str) -> None:
        self.db, self.carrier = db, carrier

    def wave(
        self, warehouse: str, max_orders: int, order_ids: list[uuid.UUID] | None
    ) -> uuid.UUID | None:
        try:
            with self.db.unit_of_work(actor=WAREHOUSE_ACTOR) as uow:
                ref = create_pick_list(
                    uow, warehouse=warehouse, max_orders=max_orders, order_ids=order_ids
                )
        except Conflict as exc:
            if exc.code == "nothing_to_pick":
                return None
            raise
        return ref.id

    def pick(self, pick_list: Any) -> list[uuid.UUID]:
        lines = table_of(PickListLine)
        with self.db.unit_of_work(actor=WAREHOUSE_ACTOR) as uow:
            confirm_pick_list(uow, pick_list_id=pick_list)
            found = uow.session.scalars(
                sa.select(lines.c.order_id).where(lines.c.pick_list_id == pick_list).distinct()
            ).all()
        return sorted(found, key=str)

    def pack(self, warehouse: str, order_id: uuid.UUID) -> uuid.UUID:
        with self.db.unit_of_work(actor=WAREHOUSE_ACTOR) as uow:
            ref = pack_shipment(
                uow,
                order_ids=[order_id],
                warehouse=warehouse,
                carrier=self.carrier,
                packages=[BOX],
                consolidate=False,
            )
        return ref.id

    def label(self, shipment_id: uuid.UUID) -> None:
        print_label(lambda: self.db.unit_of_work(actor=WAREHOUSE_ACTOR), shipment_id=shipment_id)

    def dispatch(self, shipment_id: uuid.UUID) -> None:
        with self.db.unit_of_work(actor=WAREHOUSE_ACTOR) as uow:
            dispatch_shipment(uow, shipment_id=shipment_id)
