"""Statements and round trips per operation, counted alone (one thread, nothing else
running) so that the count is exact: place-order at 1, 5, 15 and 50 lines (with and
without lines pinned to a warehouse), and each read operation once.

Each place-order size is measured three times and the smallest count kept: every
``number_block_size`` (20) orders a process takes a new block of order numbers in a
short transaction of its own (2 statements + BEGIN/COMMIT), and the probe should show
the order's own cost. The run's phase average includes that amortised cost.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import Any

from bench.dataset import Dataset
from bench.metrics import SqlCounter
from bench.workload import order_list_pages, stock_level_query
from ordersmith.orders.models import Channel
from ordersmith.orders.placement import LineRequest, PlaceOrder, place_order
from ordersmith.orders.queries import OrderFilter, customer_history, get_order, list_orders
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
