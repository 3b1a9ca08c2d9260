"""Who orders what in the fulfilment simulation: the demo shop as the database has it.

``load_shop`` reads the customers, the active stocked products and today's availability
through the areas' queries (so it works on any demo database, however old); ``new_order``
draws an order from them with a seeded ``random.Random``: trade customers order more
lines and bigger quantities, over the phone, API and EDI; retail customers mostly on the
web and marketplaces, as the demo's history does (``demo.master_data``).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from ordersmith.catalog.queries import list_products
from ordersmith.catalog.status import ProductStatus
from ordersmith.customers.models import AccountType
from ordersmith.customers.queries import list_customers
from ordersmith.demo import master_data as md
from ordersmith.inventory.queries import list_warehouses, stock_levels
from ordersmith.orders.models import Channel

# float-ok-module: how often customers order and how popular products are (weights only)

MAX_ROWS = 5000
REF_START = 700_001  # the history's references count up from 100_001


@dataclass(frozen=True, slots=True)
class ShopCustomer:
    id: uuid.UUID
    trade: bool
    weight: float


@dataclass(frozen=True, slots=True)
class ShopProduct:
    sku: str
    grams: int
    pack: str
    popularity: float


@dataclass(frozen=True, slots=True)
class OrderSpec:
    customer: ShopCustomer
    channel: Channel
    external_ref: str
    lines: tuple[tuple[str, int], ...]


@dataclass
class Shop:
    customers: list[ShopCustomer]
    products: dict[str, ShopProduct]
    available: dict[str, int]
    """Units available per SKU over all warehouses, kept up to date by the simulation."""
    warehouses: dict[str, dict[str, Any]]
    """Warehouse code -> address."""
    refs: int = REF_START
    sold: set[str] = field(default_factory=set)

    def next_ref(self, channel: Channel) -> str:
        self.refs += 1
        return f"{md.REF_PREFIX[channel]}-{self.refs}"

    def grams(self, sku: str, units: int) -> int:
        product = self.products.get(sku)
        return (product.grams if product else 500) * units


def load_shop(session: Session, rng: random.Random) -> Shop:
    known = {p.sku: p for p in md.products(random.Random(0))}  # pack sizes and popularity
    views, _more = list_products(session, status=ProductStatus.ACTIVE, limit=MAX_ROWS)
    products = {}
    for view in views:
        if not view.stocked:
            continue
        demo = known.get(view.sku)
        grams = int((view.weight_kg or Decimal("0.5")) * 1000)
        products[view.sku] = ShopProduct(
            view.sku,
            max(grams, 50),
            demo.pack if demo else "unit",
            demo.popularity if demo else 1.0,
        )
    available: dict[str, int] = {}
    for level in stock_levels(session, limit=MAX_ROWS):
        available[level.sku] = available.get(level.sku, 0) + max(level.available, 0)
    people, _more = list_customers(session, order="number", limit=MAX_ROWS)
    customers = [
        ShopCustomer(
            c.id,
            c.account_type is AccountType.ACCOUNT,
            min(rng.paretovariate(1.8), 10.0)
            * (3.0 if c.account_type is AccountType.ACCOUNT else 1.0),
        )
        for c in people
    ]
    warehouses = {w.code: dict(w.address or {}) for w in list_warehouses(session) if w.active}
    return Shop(customers, products, available, warehouses)


def pick_customer(rng: random.Random, shop: Shop, *, trade: bool | None = None) -> ShopCustomer:
    pool = [c for c in shop.customers if trade is None or c.trade == trade] or shop.customers
    return rng.choices(pool, [c.weight for c in pool])[0]


def new_order(
    rng: random.Random, shop: Shop, customer: ShopCustomer, *, channel: Channel | None = None
) -> OrderSpec | None:
    """An order that fits the stock (at most a quarter of what is left of a SKU), or None
    when nothing suitable is in stock."""
    in_stock = [p for p in shop.products.values() if shop.available.get(p.sku, 0) >= 4]
    if not in_stock:
        return None
    count = min(len(in_stock), rng.choice((1, 2, 2, 3, 4, 5) if customer.trade else (1, 1, 2, 3)))
    chosen: dict[str, int] = {}
    while len(chosen) < count:
        product = rng.choices(in_stock, [p.popularity for p in in_stock])[0]
        wanted = rng.choice(md.QUANTITIES[product.pack][customer.trade])
        chosen[product.sku] = max(1, min(wanted, shop.available[product.sku] // 4))
    if channel is None:
        channels, weights = md.CHANNELS[customer.trade]
        channel = rng.choices(channels, weights)[0]
    return OrderSpec(customer, channel, shop.next_ref(channel), tuple(chosen.items()))


def take(shop: Shop, lines: Sequence[tuple[str, int]]) -> None:
    """Count placed units as no longer available."""
    for sku, units in lines:
        shop.available[sku] = max(shop.available.get(sku, 0) - units, 0)
        shop.sold.add(sku)


def low_stock_sku(rng: random.Random, shop: Shop) -> str | None:
    """A product with a little stock left (for an order that will be backordered)."""
    low = sorted(sku for sku, units in shop.available.items() if 1 <= units <= 40)
    candidates = [sku for sku in low if sku in shop.products]
    return rng.choice(candidates) if candidates else None
