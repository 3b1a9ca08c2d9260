"""Statements and round trips per operation, counted alone (one thread, nothing else
running) so that the count is exact: place-order at 1, 5, 15 and 50 lines (with and
without lines pinned to a warehouse), each read operation once, and the order-to-cash
operations (``probe_order_to_cash``): confirmation, fulfil batches step by step, and
payments of 1 and of 11 invoices, of credit only, and of a cash order.

Each place-order size is measured three times and the smallest count kept: every
``number_block_size`` (20) orders a process takes a new block of order numbers in a
short transaction of its own (2 statements + BEGIN/COMMIT), and the probe should show
the order's own cost. The run's phase average includes that amortised cost.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any

import sqlalchemy as sa

from bench.dataset import CURRENCY, Dataset
from bench.metrics import SqlCounter
from bench.order_to_cash import ServiceBilling, ServiceWarehouse, fulfil_op
from bench.recorder import FULFIL, Recorder, Steps
from bench.workload import order_list_pages, stock_level_query
from ordersmith.billing.models import Invoice, InvoiceStatus
from ordersmith.customers.services import AddressInput, create_customers, prepare_customer
from ordersmith.db import table_of
from ordersmith.orders.models import Channel
from ordersmith.orders.placement import LineRequest, PlaceOrder, place_order
from ordersmith.orders.queries import OrderFilter, customer_history, get_order, list_orders
from ordersmith.orders.services import confirm_order
from ordersmith.uow import Database

SIZES = (1, 5, 15, 50)


def _count(counter: SqlCounter, action: Callable[[], Any]) -> Counter[str]:
    before = counter.snapshot()
    counter.enabled = True
    try:
        action()
    finally:
        counter.enabled = False
    return counter.snapshot() - before


def probe_statements(db: Database, data: Dataset) -> dict[str, Any]:
    counter = SqlCounter(db.engine)
    rng = random.Random(99)
    seconds = [code for code, _id in data.warehouses[1:]] or [data.warehouses[0][0]]
    result: dict[str, Any] = {"place_order": {}}

    def place(size: int, pinned: bool) -> None:
        lines = [
            LineRequest(sku, 1, warehouse=rng.choice(seconds) if pinned and i % 3 == 0 else None)
            for i, sku in enumerate(rng.sample(data.skus, size))
        ]
        with db.unit_of_work(actor="bench:probe") as uow:
            place_order(
                uow,
                PlaceOrder(
                    customer_id=rng.choice(data.customers), channel=Channel.PHONE, lines=lines
                ),
            )

    for size in SIZES:
        for pinned in (False, True):
            counts = [_count(counter, partial(place, size, pinned)) for _ in range(3)]
            best = min(counts, key=lambda c: sum(c.values()))
            key = f"{size}_lines" + ("_pinned" if pinned else "")
            result["place_order"][key] = SqlCounter.per(best, 1)

    customer = data.customers[0]

    def status() -> None:
        with db.reader() as session:
            latest = list_orders(session, OrderFilter(customer_id=customer), limit=1)
            if latest:
                get_order(session, str(latest[0].id))

    def stock() -> None:
        with db.reader() as session:
            stock_level_query(session, data.warehouses[0][1], 60_000)

    def listing() -> None:
        with db.reader() as session:
            order_list_pages(session, random.Random(1))

    def history() -> None:
        with db.reader() as session:
            customer_history(session, customer)

    for name, action in (
        ("order_status", status),
        ("stock_level", stock),
        ("order_list", listing),
        ("customer_history", history),
    ):
        result[name] = SqlCounter.per(_count(counter, action), 1)
    values = result["place_order"].values()
    result["place_order_max_statements"] = max(v["statements"] for v in values)
    result["place_order_max_round_trips"] = max(v["round_trips"] for v in values)
    return result


FULFIL_BATCHES = ((1, 5), (1, 15), (10, 10))  # (orders, lines per order)
FULFIL_STEPS = ("wave", "pick", "pack", "label", "dispatch")
PER_ORDER_STEPS = ("pack", "label", "dispatch")


def probe_order_to_cash(db: Database, data: Dataset) -> dict[str, Any]:
    """Confirmation, fulfil and payments, counted alone on two new customers of the probe
    (one on account, one paying cash), so that what they owe is known."""
    counter = SqlCounter(db.engine)
    rng = random.Random(98)
    account, cash = _probe_customers(db)
    code = data.warehouses[0][0]
    billing, warehouse = ServiceBilling(db), ServiceWarehouse(db, data.carrier)

    def place(customer: uuid.UUID, lines: int, *, confirm: bool) -> uuid.UUID:
        request = PlaceOrder(
            customer_id=customer,
            channel=Channel.PHONE,
            lines=[LineRequest(sku, 2) for sku in rng.sample(data.skus, lines)],
        )
        with db.unit_of_work(actor="bench:probe") as uow:
            view = place_order(uow, request)
            if confirm:
                confirm_order(uow, order_id=view.id)
        return view.id

    def confirm(order_id: uuid.UUID) -> None:
        with db.unit_of_work(actor="bench:probe") as uow:
            confirm_order(uow, order_id=order_id)

    result: dict[str, Any] = {}
    for lines in (5, 15):
        order_id = place(account, lines, confirm=False)
        counts = _count(counter, partial(confirm, order_id))
        result.setdefault("confirm_order", {})[f"{lines}_lines"] = SqlCounter.per(counts, 1)
    result["fulfil"] = {
        f"{orders}_orders_{lines}_lines": _probe_fulfil(
            counter, warehouse, code, [place(account, lines, confirm=True) for _ in range(orders)]
        )
        for orders, lines in FULFIL_BATCHES
    }
    result["record_payment"] = _probe_payments(db, counter, billing, account, cash, place)
    return result


def _probe_customers(db: Database) -> tuple[uuid.UUID, uuid.UUID]:
    address = AddressInput(
        kind="billing",
        name="Probe",
        line1="1 Probe Street",
        city="Berlin",
        postcode="10115",
        country="DE",
        is_default=True,
    )
    customers = [
        prepare_customer(
            default_currency=CURRENCY,
            name=f"Probe {kind}",
            email=f"probe-{kind}@bench.example.com",
            account_type=kind,
            customer_group="trade" if kind == "account" else "retail",
            addresses=[address],
        )
        for kind in ("account", "cash")
    ]
    with db.unit_of_work(actor="bench:probe") as uow:
        views = create_customers(uow, customers=customers)
    return views[0].id, views[1].id


def _probe_fulfil(
    counter: SqlCounter, warehouse: ServiceWarehouse, code: str, order_ids: list[uuid.UUID]
) -> dict[str, Any]:
    rec = Recorder()
    before = counter.label_snapshot()
    counter.kinds = Counter()
    counter.enabled = True
    try:
        fulfil_op(
            warehouse,
            rec,
            Steps(rec, counter),
            code,
            max_orders=len(order_ids),
            order_ids=order_ids,
        )
    finally:
        counter.enabled = False
    kinds, counter.kinds = counter.kinds, None
    if rec.errors or rec.orders_shipped != len(order_ids):
        raise RuntimeError(f"the probe's fulfil batch failed: {rec.error_samples}")
    counts = counter.label_snapshot() - before
    orders = len(order_ids)
    steps = {
        step: SqlCounter.per(
            SqlCounter.of_label(counts, f"{FULFIL}.{step}"),
            orders if step in PER_ORDER_STEPS else 1,
        )
        for step in FULFIL_STEPS
    }
    return {
        "per_order": SqlCounter.per(SqlCounter.of_label(counts, FULFIL), orders),
        "per_batch": SqlCounter.per(SqlCounter.of_label(counts, FULFIL), 1),
        "steps": steps,
        "note": "wave and pick: per batch; pack, label, dispatch: per order",
        "statements_by_kind_per_order": _kinds(kinds, orders),
    }


def _kinds(kinds: Counter[tuple[str, str]], divisor: int) -> dict[str, dict[str, float]]:
    """{step: {"UPDATE order_lines": n, ...}} per ``divisor``, most frequent first."""
    out: dict[str, dict[str, float]] = {}
    for (label, kind), n in kinds.most_common():
        step = label.rpartition(".")[2] or "-"
        out.setdefault(step, {})[kind] = round(n / divisor, 2)
    return out


def _probe_payments(
    db: Database,
    counter: SqlCounter,
    billing: ServiceBilling,
    account: uuid.UUID,
    cash: uuid.UUID,
    place: Any,
) -> dict[str, Any]:
    """The account customer owes one invoice per shipment of the fulfil probe (12)."""
    inv = table_of(Invoice)
    with db.reader() as session:
        oldest = session.scalar(
            sa.select(inv.c.total)
            .where(inv.c.customer_id == account, inv.c.status == InvoiceStatus.ISSUED.value)
            .order_by(inv.c.issue_date, inv.c.number)
            .limit(1)
        )
    assert oldest is not None, "the fulfil probe left the account customer no invoice"
    out: dict[str, Any] = {}

    def pay(customer: uuid.UUID, amount: Decimal, order_id: uuid.UUID | None = None) -> None:
        billing.pay(customer, amount, order_id=order_id, reference="probe")

    out["lookup_account"] = _count(counter, partial(billing.open_invoices, account))
    out["account_1_invoice"] = _count(counter, partial(pay, account, oldest))
    rest = billing.open_invoices(account)
    out["account_11_invoices"] = _count(counter, partial(pay, account, rest))
    out["account_credit_only"] = _count(counter, partial(pay, account, Decimal(100)))
    place(cash, 10, confirm=False)
    out["lookup_cash"] = _count(counter, partial(billing.awaiting_payment, cash))
    found = billing.awaiting_payment(cash)
    assert found is not None, "the probe's cash order is not awaiting payment"
    counter.kinds = Counter()
    out["cash_order_10_lines"] = _count(counter, partial(pay, cash, found[1], found[0]))
    kinds, counter.kinds = counter.kinds, None
    result: dict[str, Any] = {name: SqlCounter.per(counts, 1) for name, counts in out.items()}
    result["cash_order_statements_by_kind"] = _kinds(kinds, 1).get("-", {})
    return result
