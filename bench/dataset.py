"""The benchmark's business, TPC-C-like and scaled by warehouses.

Per run: ``warehouses`` warehouses (W01 preferred, then W02, ...), ``skus`` active
products with stock in every warehouse (20,000 to 200,000 units a row: orders fail
only when the workload means them to), one trade price list with quantity breaks
(so pricing joins a real price list), ``customers_per_warehouse`` customers (half
retail cash, half trade on account) and ``history_per_warehouse`` historical orders
of 5-15 lines imported as completed/cancelled history, and one carrier (``BENCH``, a
local courier that numbers its own parcels) for the fulfil step.

This is a loader: small things (warehouses, price list, customers) go through the
areas' services; bulk rows (products, empty stock rows) are Core bulk inserts. Every
stock effect is in the ledger: opening balances are ``adjustment`` movements with
reason ``opening_balance`` posted through ``ordersmith.inventory.ledger.post``, so
``ordersmith check`` holds from the start. History goes through
``ordersmith.orders.history_import.import_historical_orders``. The open work a run
starts with (invoices to pay, confirmed orders to fulfil) is ``bench.opening``.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from ordersmith import clock
from ordersmith.catalog.models import Product
from ordersmith.catalog.services import PriceItemInput, create_price_list
from ordersmith.customers.services import AddressInput, create_customers, prepare_customer
from ordersmith.db import table_of
from ordersmith.ids import new_id
from ordersmith.inventory import ledger
from ordersmith.inventory.ledger import Entry
from ordersmith.inventory.models import AdjustmentReason, MovementKind, StockLevel
from ordersmith.inventory.services import create_warehouse
from ordersmith.orders.history_import import (
    HistoricalLine,
    HistoricalOrder,
    import_historical_orders,
)
from ordersmith.orders.models import Channel
from ordersmith.orders.status import OrderStatus
from ordersmith.shipping.carriers import ServiceInput, create_carrier
from ordersmith.uow import Database

ACTOR = "bench:loader"
CURRENCY = "EUR"
TAX_RATES = (Decimal("0.19"), Decimal("0.07"), Decimal("0"))
CHANNELS = (
    (Channel.WEB, 40),
    (Channel.API, 25),
    (Channel.MARKETPLACE, 15),
    (Channel.PHONE, 15),
    (Channel.IN_PERSON, 5),
)
CARRIER = "BENCH"
POST_CHUNK = 500  # ledger entries per ledger.post call (the CASE grows with the rows)
HISTORY_BATCH = 1000  # orders per import_historical_orders call


@dataclass(frozen=True)
class Scale:
    warehouses: int = 1
    skus: int = 10_000
    customers_per_warehouse: int = 300
    history_per_warehouse: int = 1000
    seed: int = 7
    opening_confirmed_per_warehouse: int = 200
    """Orders confirmed (allocated) before the run, waiting for fulfil (bench.opening)."""
    opening_invoiced_per_warehouse: int | None = None
    """Account customers owing one dispatched order's invoice at the start (bench.opening);
    None: every account customer of the warehouse's share."""


@dataclass
class Dataset:
    """What the workload needs to know about the loaded business."""

    scale: Scale
    warehouses: list[tuple[str, uuid.UUID]]  # (code, id), most preferred first
    skus: list[str]
    product_ids: dict[str, uuid.UUID]
    prices: dict[str, Decimal]
    customers: list[uuid.UUID]
    timings: dict[str, float] = field(default_factory=dict)
    accounts: frozenset[uuid.UUID] = frozenset()
    """The customers on account (invoiced on dispatch); the others are cash customers."""
    carrier: str = CARRIER

    @property
    def warehouse_codes(self) -> list[str]:
        return [code for code, _id in self.warehouses]


Progress = Callable[[str], None]


def load(db: Database, scale: Scale, progress: Progress | None = None) -> Dataset:
    """Write the business into an empty, migrated database."""
    say = progress or (lambda _msg: None)
    rng = random.Random(scale.seed)
    timings: dict[str, float] = {}

    def timed(name: str, fn: Callable[[], Any]) -> Any:
        say(f"loading {name}")
        started = time.perf_counter()
        result = fn()
        timings[name] = round(time.perf_counter() - started, 2)
        return result

    warehouses = timed("warehouses", lambda: _warehouses(db, scale.warehouses))
    skus, ids, prices = timed("products", lambda: _products(db, scale.skus, rng))
    timed("price list", lambda: _price_list(db, skus, prices, rng))
    customers, accounts = timed(
        "customers", lambda: _customers(db, scale.warehouses * scale.customers_per_warehouse)
    )
    timed("stock", lambda: _stock(db, warehouses, ids, rng))
    timed("carrier", lambda: _carrier(db))
    data = Dataset(scale, warehouses, skus, ids, prices, customers, timings, frozenset(accounts))
    timed(
        "history",
        lambda: import_history(db, data, scale.warehouses * scale.history_per_warehouse, rng),
    )
    return data


def _warehouses(db: Database, count: int) -> list[tuple[str, uuid.UUID]]:
    with db.unit_of_work(actor=ACTOR) as uow:
        views = [
            create_warehouse(uow, code=f"W{i:02d}", name=f"Warehouse {i}", priority=10 * i)
            for i in range(1, count + 1)
        ]
    return [(v.code, v.id) for v in views]


def _products(
    db: Database, count: int, rng: random.Random
) -> tuple[list[str], dict[str, uuid.UUID], dict[str, Decimal]]:
    at = clock.now()
    rows, ids, prices = [], {}, {}
    for i in range(1, count + 1):
        sku, product_id = f"SKU-{i:06d}", new_id()
        price = Decimal(rng.randint(100, 9999)).scaleb(-2)
        rate = TAX_RATES[i % len(TAX_RATES)]
        ids[sku], prices[sku] = product_id, price
        rows.append(
            {
                "id": product_id,
                "sku": sku,
                "name": f"Bench item {i}",
                "description": "",
                "category": f"cat-{i % 50:02d}",
                "unit": "each",
                "price": price,
                "currency": CURRENCY,
                "tax_category": "standard" if rate else "exempt",
                "tax_rate": rate,
                "weight_kg": None,
                "stocked": True,
                "status": "active",
                "barcode": None,
                "created_at": at,
                "updated_at": at,
            }
        )
    with db.unit_of_work(actor=ACTOR) as uow:
        for start in range(0, len(rows), 2000):
            uow.session.execute(sa.insert(table_of(Product)), rows[start : start + 2000])
    return list(ids), ids, prices


def _price_list(
    db: Database, skus: list[str], prices: dict[str, Decimal], rng: random.Random
) -> None:
    """Trade prices for every 10th SKU, with a quantity break at 5 units."""
    items = []
    for sku in skus[::10][:2000]:
        base = prices[sku]
        items.append(PriceItemInput(sku, (base * Decimal("0.9")).quantize(Decimal("0.01")), 1))
        items.append(PriceItemInput(sku, (base * Decimal("0.8")).quantize(Decimal("0.01")), 5))
    with db.unit_of_work(actor=ACTOR) as uow:
        create_price_list(
            uow,
            code="TRADE",
            name="Trade prices",
            customer_group="trade",
            currency=CURRENCY,
            priority=10,
            items=items,
        )


def _customers(db: Database, count: int) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
    """(every customer, those on account): odd numbers pay cash, even ones are trade
    customers on account (30 days, no credit limit)."""
    ids: list[uuid.UUID] = []
    accounts: list[uuid.UUID] = []
    for start in range(0, count, 500):
        batch = []
        for i in range(start + 1, min(count, start + 500) + 1):
            trade = i % 2 == 0
            batch.append(
                prepare_customer(
                    default_currency=CURRENCY,
                    name=f"Bench Customer {i}",
                    email=f"customer{i}@bench.example.com",
                    account_type="account" if trade else "cash",
                    customer_group="trade" if trade else "retail",
                    addresses=[
                        AddressInput(
                            kind="billing",
                            name=f"Bench Customer {i}",
                            line1=f"{i} Bench Street",
                            city="Berlin",
                            postcode="10115",
                            country="DE",
                            is_default=True,
                        )
                    ],
                )
            )
        with db.unit_of_work(actor=ACTOR) as uow:
            views = create_customers(uow, customers=batch)
        for i, view in enumerate(views, start + 1):
            ids.append(view.id)
            if i % 2 == 0:
                accounts.append(view.id)
    return ids, accounts


def _carrier(db: Database) -> None:
    with db.unit_of_work(actor=ACTOR) as uow:
        create_carrier(
            uow,
            code=CARRIER,
            name="Bench Courier",
            kind="local_courier",
            tracking_url_template="https://track.example.com/{tracking_number}",
            services=[ServiceInput("standard", "Standard", 1, is_default=True)],
        )


def _stock(
    db: Database,
    warehouses: list[tuple[str, uuid.UUID]],
    product_ids: dict[str, uuid.UUID],
    rng: random.Random,
) -> None:
    """Zero stock rows in bulk, then the opening balances through the ledger."""
    at = clock.now()
    reason = f"{AdjustmentReason.OPENING_BALANCE.value}: benchmark data"
    for _code, warehouse_id in warehouses:
        rows = [
            {
                "warehouse_id": warehouse_id,
                "product_id": product_id,
                "on_hand": 0,
                "reserved": 0,
                "reorder_point": rng.randint(10, 100),
                "bin_location": "",
                "updated_at": at,
            }
            for product_id in product_ids.values()
        ]
        entries = [
            Entry(
                warehouse_id,
                product_id,
                MovementKind.ADJUSTMENT,
                on_hand_delta=rng.randint(20_000, 200_000),
                reason=reason,
                source_type="adjustment",
            )
            for product_id in product_ids.values()
        ]
        with db.unit_of_work(actor=ACTOR) as uow:
            for start in range(0, len(rows), 2000):
                uow.session.execute(sa.insert(table_of(StockLevel)), rows[start : start + 2000])
            for start in range(0, len(entries), POST_CHUNK):
                ledger.post(uow.session, entries[start : start + POST_CHUNK], actor=uow.actor)


def pick_channel(rng: random.Random) -> Channel:
    roll, total = rng.randrange(100), 0
    for channel, weight in CHANNELS:
        total += weight
        if roll < total:
            return channel
    return CHANNELS[0][0]


def import_history(
    db: Database,
    data: Dataset,
    count: int,
    rng: random.Random,
    *,
    lines: tuple[int, int] = (5, 15),
    ref_prefix: str = "hist",
    progress: Progress | None = None,
) -> None:
    """Import ``count`` completed (95%) or cancelled (5%) orders of the last year."""
    now = clock.now()
    done = 0
    while done < count:
        batch = []
        for n in range(done, min(count, done + HISTORY_BATCH)):
            skus = rng.sample(data.skus, rng.randint(*lines))
            batch.append(
                HistoricalOrder(
                    customer_id=rng.choice(data.customers),
                    channel=pick_channel(rng),
                    external_ref=f"{ref_prefix}-{n:08d}",
                    created_at=now - timedelta(seconds=rng.randint(3600, 365 * 86400)),
                    status=OrderStatus.CANCELLED if rng.random() < 0.05 else OrderStatus.COMPLETED,
                    lines=[
                        HistoricalLine(sku, rng.randint(1, 10), data.prices[sku]) for sku in skus
                    ],
                )
            )
        with db.unit_of_work(actor=ACTOR) as uow:
            import_historical_orders(uow, batch)
        done += len(batch)
        if progress is not None:
            progress(f"imported {done}/{count} orders")
