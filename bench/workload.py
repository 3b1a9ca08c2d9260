"""The workload in OMS terms, and the loop that drives it from client threads.

TPC-C's mix is New-Order 45%, Payment 43%, Order-Status 4%, Delivery 4%, Stock-Level 4%.
In Ordersmith terms: place order, record payment, order status, fulfil, stock level
(record payment and fulfil: bench.order_to_cash).

In the mix, an account customer's order that is placed without a hold is confirmed
right after, in its own unit of work (``confirm_order``, measured apart; confirmation
allocates the order to a warehouse, so that fulfil has work). The place-order
transaction stays the one compared with the raw baseline. A cash customer's order waits
on hold for its payment, whose transaction confirms it (bench.order_to_cash).

Orders follow TPC-C: 5-15 lines of distinct SKUs (chosen with TPC-C's non-uniform
NURand, so some SKUs are hot), 1-10 units each; 1% name an unknown SKU and must fail
cleanly leaving nothing behind; 10% of lines are pinned to a second warehouse (the
others reserve from the preferred warehouse, W01, which always has the stock).
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bench.dataset import Dataset, pick_channel
from bench.metrics import SqlCounter
from bench.order_to_cash import (
    BATCH,
    ServiceBilling,
    ServiceWarehouse,
    describe,
    fulfil_op,
    pay_op,
)
from bench.recorder import (
    CONFIRM,
    FULFIL,
    HISTORY,
    LIST,
    PAYMENT,
    PLACE,
    STATUS,
    STOCK,
    Recorder,
    Steps,
    start,
)
from ordersmith.db import table_of
from ordersmith.errors import OmsError
from ordersmith.inventory.models import StockLevel
from ordersmith.orders.models import Channel, Order, OrderLine
from ordersmith.orders.placement import LineRequest, PlaceOrder, place_order
from ordersmith.orders.queries import OrderFilter, customer_history, get_order, list_orders
from ordersmith.orders.services import confirm_order
from ordersmith.orders.status import OrderStatus
from ordersmith.uow import Database

TPCC_WEIGHTS = {PLACE: 45, PAYMENT: 43, STATUS: 4, FULFIL: 4, STOCK: 4}
READ_WEIGHTS = {LIST: 1, HISTORY: 1}
QUARTERS = 4
BAD_PREFIX = "bench-bad-"
ACTOR = "bench"


@dataclass(frozen=True, slots=True)
class OrderSpec:
    customer_id: uuid.UUID
    channel: Channel
    external_ref: str | None
    lines: list[tuple[str, int, str | None]]  # (sku, quantity, pinned warehouse code)
    bad: bool  # names an unknown SKU: must be refused


def nurand(rng: random.Random, a: int, x: int, y: int, c: int) -> int:
    """TPC-C's non-uniform random number in [x, y]."""
    return (((rng.randint(0, a) | rng.randint(x, y)) + c) % (y - x + 1)) + x


class OrderMaker:
    """Random orders for one client thread (seeded: runs are repeatable per client)."""

    def __init__(
        self,
        data: Dataset,
        tag: str,
        client: int,
        seed: int,
        clients: int = 1,
        fulfil_batch: int = BATCH,
    ) -> None:
        self.data, self.tag, self.client = data, tag, client
        self.fulfil_batch = fulfil_batch
        self.payers = data.customers[client % clients :: clients] or data.customers
        self.rng = random.Random(seed * 1000 + client)
        n = len(data.skus)
        self._a = (1 << max(1, (n // 8).bit_length() - 1)) - 1
        self._c = self.rng.randint(0, self._a)
        self._seq = 0
        self._deck: list[str] = []
        codes = data.warehouse_codes
        self.preferred = codes[0]
        self.seconds = codes[1:] or codes[:1]

    def _skus(self, count: int) -> list[str]:
        chosen: dict[int, None] = {}
        last = len(self.data.skus) - 1
        while len(chosen) < count:
            chosen[nurand(self.rng, self._a, 0, last, self._c)] = None
        return [self.data.skus[i] for i in chosen]

    def next(self) -> OrderSpec:
        rng, self._seq = self.rng, self._seq + 1
        bad = rng.random() < 0.01
        lines: list[tuple[str, int, str | None]] = [
            (sku, rng.randint(1, 10), rng.choice(self.seconds) if rng.random() < 0.1 else None)
            for sku in self._skus(rng.randint(5, 15))
        ]
        if bad:
            _sku, qty, pinned = lines[-1]
            lines[-1] = (f"NO-SUCH-SKU-{self.tag}-{self.client}-{self._seq}", qty, pinned)
            channel: Channel = Channel.API
            ref: str | None = f"{BAD_PREFIX}{self.tag}-{self.client}-{self._seq}"
        else:
            channel = pick_channel(rng)
            keeps_ref = channel in (Channel.WEB, Channel.API, Channel.MARKETPLACE)
            ref = f"{self.tag}-{self.client}-{self._seq}" if keeps_ref else None
        return OrderSpec(rng.choice(self.data.customers), channel, ref, lines, bad)

    def customer(self) -> uuid.UUID:
        return self.rng.choice(self.data.customers)

    def warehouse(self) -> uuid.UUID:
        return self.rng.choice(self.data.warehouses)[1]

    def warehouse_code(self) -> str:
        return self.rng.choice(self.data.warehouses)[0]

    def op(self, mode: str) -> str:
        """The next operation of this client in ``mode`` (place, mix, reads, fulfil)."""
        if mode in ("place", "fulfil"):
            return PLACE if mode == "place" else FULFIL
        if mode == "reads":
            return choose(self.rng, READ_WEIGHTS)
        if not self._deck:
            self._deck = deal(self.rng, TPCC_WEIGHTS)
        return self._deck.pop()

    def payer(self) -> tuple[uuid.UUID, bool]:
        """One of this client's own customers, and whether it is on account."""
        customer = self.rng.choice(self.payers)
        return customer, customer in self.data.accounts


def deal(rng: random.Random, weights: dict[str, int]) -> list[str]:
    """A deck of ``sum(weights)`` cards (100 for TPC-C's mix) in exactly the weights'
    proportions, as TPC-C lets each terminal draw its transactions from a deck. It is
    dealt in four quarters, each shuffled, so that every ~25 operations have one of each
    4% operation (fulfil, order status, stock level). Cards are popped from the end."""
    quarters: list[list[str]] = [[] for _ in range(QUARTERS)]
    for op, weight in weights.items():
        base, extra = divmod(weight, QUARTERS)
        for q, quarter in enumerate(quarters):
            quarter += [op] * (base + (1 if q < extra else 0))
    deck: list[str] = []
    for quarter in quarters:
        rng.shuffle(quarter)
        deck += quarter
    deck.reverse()
    return deck


def first_quarter(weights: dict[str, int]) -> int:
    """How many cards the first (largest) quarter of a deck has: 26 for TPC-C's mix."""
    return sum(-(-weight // QUARTERS) for weight in weights.values())


def choose(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def shares(weights: dict[str, int]) -> dict[str, float]:
    total = sum(weights.values())
    return {op: round(w / total, 4) for op, w in weights.items()}


class Client(Protocol):
    def step(self, mode: str, rec: Recorder) -> None: ...


Placed = tuple[str, Any, str]
"""(outcome, order id or None, the order's status or "")."""


def timed_place(rec: Recorder, spec: OrderSpec, attempt: Callable[[], Placed]) -> tuple[Any, str]:
    """Run one place-order attempt; return (order id or None, status or "")."""
    started = start()
    outcome, order_id, status = attempt()
    rec.finish(PLACE, started, outcome)
    if outcome == "ok" and order_id is not None:
        rec.acked[order_id] = len(spec.lines)
    if spec.bad and spec.external_ref:
        rec.bad_refs.append(spec.external_ref)
    if spec.bad and outcome == "ok":
        rec.error(PLACE, f"order with unknown SKU accepted: {spec.external_ref}")
    return (order_id, status) if outcome == "ok" else (None, "")


def wants_confirmation(mode: str, spec: OrderSpec, status: str, data: Dataset) -> bool:
    """In the mix, an account customer's order placed without a hold is confirmed."""
    return mode == "mix" and status == OrderStatus.PLACED and spec.customer_id in data.accounts


def timed_confirm(rec: Recorder, confirm: Callable[[], None]) -> None:
    started = start()
    try:
        confirm()
        outcome = "ok"
    except Exception as exc:
        outcome = rec.error(CONFIRM, describe(exc))
    rec.finish(CONFIRM, started, outcome)


def stock_level_query(
    session: Session, warehouse_id: uuid.UUID, threshold: int, recent: int = 20
) -> int:
    """TPC-C Stock-Level in one statement: how many distinct SKUs of the last ``recent``
    orders' lines have less than ``threshold`` units available in ``warehouse_id``.

    Written so that both planners start from the 20 newest orders (``ix_orders_created``)
    and probe stock rows by primary key: a join written the other way round makes them
    scan every low stock row and every line of its SKU, which grows with the orders."""
    orders, lines, levels = table_of(Order), table_of(OrderLine), table_of(StockLevel)
    last = (
        sa.select(orders.c.id)
        .order_by(orders.c.created_at.desc(), orders.c.id.desc())
        .limit(recent)
        .scalar_subquery()
    )
    products = sa.select(lines.c.product_id).where(lines.c.order_id.in_(last))
    query = sa.select(sa.func.count()).where(
        levels.c.warehouse_id == warehouse_id,
        levels.c.product_id.in_(products),
        levels.c.on_hand - levels.c.reserved < threshold,
    )
    return int(session.scalar(query) or 0)


STOCK_THRESHOLD = (50_000, 100_000)  # rows hold 20k-200k units: about a third qualify
LIST_STATUSES = (OrderStatus.PLACED, OrderStatus.COMPLETED, OrderStatus.CANCELLED)


class ServiceClient:
    """Calls the services directly, each operation in its own unit of work / reader.
    With ``sql``, each operation's statements are counted under its name."""

    def __init__(self, db: Database, maker: OrderMaker, sql: SqlCounter | None = None) -> None:
        self.db, self.maker, self.sql = db, maker, sql
        self.billing = ServiceBilling(db)
        self.warehouse = ServiceWarehouse(db, maker.data.carrier)

    def _label(self, op: str) -> AbstractContextManager[None]:
        return self.sql.labelled(op) if self.sql is not None else nullcontext()

    def step(self, mode: str, rec: Recorder) -> None:
        rng = self.maker.rng
        op = self.maker.op(mode)
        steps = Steps(rec, self.sql)
        if op == PLACE:
            spec = self.maker.next()
            with self._label(PLACE):
                order_id, status = timed_place(rec, spec, lambda: self._place(spec, rec))
            if wants_confirmation(mode, spec, status, self.maker.data):
                with self._label(CONFIRM):
                    timed_confirm(rec, lambda: self._confirm(order_id))
            return
        if op == PAYMENT:
            customer, account = self.maker.payer()
            pay_op(self.billing, rec, steps, rng, customer, account=account)
            return
        if op == FULFIL:
            fulfil_op(
                self.warehouse,
                rec,
                steps,
                self.maker.warehouse_code(),
                max_orders=self.maker.fulfil_batch,
            )
            return
        started = start()
        try:
            with self._label(op):
                self._read(op, rng)
            outcome = "ok"
        except Exception as exc:
            outcome = rec.error(op, repr(exc))
        rec.finish(op, started, outcome)

    def _confirm(self, order_id: uuid.UUID) -> None:
        with self.db.unit_of_work(actor=ACTOR) as uow:
            confirm_order(uow, order_id=order_id)

    def _place(self, spec: OrderSpec, rec: Recorder) -> Placed:
        request = PlaceOrder(
            customer_id=spec.customer_id,
            channel=spec.channel,
            lines=[LineRequest(sku, qty, warehouse=wh) for sku, qty, wh in spec.lines],
            external_ref=spec.external_ref,
        )
        try:
            with self.db.unit_of_work(actor=ACTOR) as uow:
                view = place_order(uow, request)
            return "ok", view.id, view.status
        except OmsError as exc:
            if spec.bad and exc.code == "unknown_sku":
                return "refused_as_expected", None, ""
            return rec.error(PLACE, f"{exc.code}: {exc.detail}"), None, ""
        except Exception as exc:
            return rec.error(PLACE, repr(exc)), None, ""

    def _read(self, op: str, rng: random.Random) -> None:
        with self.db.reader() as session:
            if op == STATUS:
                latest = list_orders(
                    session, OrderFilter(customer_id=self.maker.customer()), limit=1
                )
                if latest:
                    get_order(session, str(latest[0].id))
            elif op == STOCK:
                stock_level_query(session, self.maker.warehouse(), rng.randint(*STOCK_THRESHOLD))
            elif op == LIST:
                order_list_pages(session, rng)
            elif op == HISTORY:
                customer_history(session, self.maker.customer())


def order_list_pages(session: Session, rng: random.Random, pages: int = 2) -> None:
    """A status filter (sometimes with a channel), newest first, ``pages`` keyset pages."""
    flt = OrderFilter(
        status=rng.choice(LIST_STATUSES),
        channel=pick_channel(rng).value if rng.random() < 0.5 else None,
    )
    before = None
    for _ in range(pages):
        rows = list_orders(session, flt, limit=50, before=before)
        if len(rows) < 50:
            return
        before = (rows[-1].created_at, rows[-1].id)


@dataclass
class PhaseOutcome:
    recorder: Recorder
    seconds: float


def drive(clients: Sequence[Client], mode: str, seconds: float, min_ops: int = 0) -> PhaseOutcome:
    """Run every client in its own thread for ``seconds``, and each for at least
    ``min_ops`` operations; merge what they saw."""
    recorders = [Recorder() for _ in clients]
    barrier = threading.Barrier(len(clients) + 1)
    deadline = [0.0]

    def loop(client: Client, rec: Recorder) -> None:
        barrier.wait()
        done = 0
        while time.perf_counter() < deadline[0] or done < min_ops:
            client.step(mode, rec)
            done += 1

    threads = [
        threading.Thread(target=loop, args=(c, r), daemon=True)
        for c, r in zip(clients, recorders, strict=True)
    ]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    deadline[0] = started + seconds
    barrier.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    merged = Recorder()
    for rec in recorders:
        merged.merge(rec)
    return PhaseOutcome(merged, elapsed)
