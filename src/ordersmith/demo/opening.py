"""Today's state of the demo business: opening stock per warehouse and open orders.

Pure data from a seeded ``random.Random``. The opening stock follows recent demand
(a few rows are deliberately at or below their reorder point, one product is out of
stock); the open orders fit that stock, except one that is meant to be backordered.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from ordersmith.demo import master_data as md
from ordersmith.demo.master_data import DemoProduct
from ordersmith.demo.people import DemoCustomer
from ordersmith.orders.models import Channel

# float-ok-module: demand rates and stock shares, rounded up to whole units; no amounts here


@dataclass(frozen=True, slots=True)
class DemoStock:
    warehouse: str
    sku: str
    on_hand: int
    reorder_point: int
    bin_location: str


@dataclass(frozen=True, slots=True)
class DemoOpenOrder:
    """An order to place through the real service; ``state`` is placed, confirmed,
    on_hold or backordered."""

    ref: str
    customer: int
    channel: Channel
    lines: tuple[tuple[str, int], ...]
    state: str


def plan_stock(
    rng: random.Random, products: Sequence[DemoProduct], daily_sales: dict[str, float]
) -> tuple[DemoStock, ...]:
    """Opening stock from recent demand: 4-10 weeks of cover, reorder point at ~2 weeks.

    A few rows sit at or below the reorder point and one product is out of stock."""
    stocked = [p for p in products if p.stocked and p.status == "active"]
    low = set(rng.sample([p.sku for p in stocked], 5))
    out = rng.choice([p.sku for p in stocked if p.sku not in low])
    rows = []
    for number, product in enumerate(stocked):
        daily = daily_sales.get(product.sku, 0.0)
        carried = [md.WAREHOUSES[0]] + [
            w
            for i, w in enumerate(md.WAREHOUSES[1:], start=1)
            if product.popularity >= 0.2 and rng.random() >= 0.25 * i
        ]  # slow movers and some lines are kept at the main DC only
        total_share = sum(w.share for w in carried)
        for i, warehouse in enumerate(carried):
            rate = daily * warehouse.share / total_share
            reorder = max(2, math.ceil(rate * 14))
            on_hand = reorder + max(3, math.ceil(rate * rng.uniform(28, 70)))
            if product.sku == out:
                on_hand = 0
            elif product.sku in low and i == 0:
                on_hand = rng.randint(max(1, reorder // 2), reorder)
            aisle = md.AISLES[product.category]
            bin_location = f"{aisle}-{number % 12 + 1:02d}-{rng.randint(1, 5)}"
            rows.append(DemoStock(warehouse.code, product.sku, on_hand, reorder, bin_location))
    return tuple(rows)


def plan_open_orders(
    rng: random.Random,
    count: int,
    products: Sequence[DemoProduct],
    customers: Sequence[DemoCustomer],
    stock: Sequence[DemoStock],
) -> tuple[DemoOpenOrder, ...]:
    """Current orders that fit today's stock; one manual hold, one backorder."""
    available: dict[str, int] = {}
    for row in stock:
        available[row.sku] = available.get(row.sku, 0) + row.on_hand
    out_of_stock = sorted(sku for sku, qty in available.items() if qty == 0)
    by_sku = {p.sku: p for p in products}
    who = rng.sample(range(len(customers)), min(count, len(customers)))
    result = []
    for n, index in enumerate(who):
        customer = customers[index]
        state = _state(n, bool(out_of_stock))
        lines: dict[str, int] = {}
        if state == "backordered":
            lines[out_of_stock[0]] = 6
        in_stock = sorted(sku for sku, qty in available.items() if qty > 0)
        for sku in rng.sample(in_stock, min(len(in_stock), rng.randint(1, 4))):
            wanted = rng.choice(md.QUANTITIES[by_sku[sku].pack][customer.is_trade])
            lines[sku] = min(wanted, available[sku])
            available[sku] -= lines[sku]
        if not lines:
            break  # nothing left to sell
        channels, weights = md.CHANNELS[customer.is_trade]
        channel = rng.choices(channels, weights)[0]
        result.append(
            DemoOpenOrder(
                f"{md.REF_PREFIX[channel]}-OPEN-{n + 1:03d}",
                index,
                channel,
                tuple(lines.items()),
                state,
            )
        )
    return tuple(result)


def _state(n: int, can_backorder: bool) -> str:
    """The first order is backordered, the second on hold, the rest confirmed or placed."""
    if n == 0 and can_backorder:
        return "backordered"
    if n == 1:
        return "on_hold"
    return "confirmed" if n % 2 else "placed"
