"""A realistic demo business, generated from a seed: pure data, no database.

``generate(DemoConfig(seed=42), today=...)`` returns the same ``DemoData`` for the same
seed and day. The order history ends yesterday and shows what forecasting needs to
find: busy weekdays and quiet weekends, yearly seasons per product (garden in spring
and summer, heaters and winter gloves in winter, power tools before Christmas),
~20 % growth a year, short promotions that lift one category, slow movers with
intermittent demand, and products discontinued part-way through. Amounts are Decimals
priced the way the catalog prices them (customer group's price list, quantity breaks,
list price otherwise) and totalled with ``orders.totals``.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from ordersmith.demo import master_data as md
from ordersmith.demo import people
from ordersmith.demo.master_data import DemoPriceList, DemoProduct, DemoWarehouse
from ordersmith.demo.opening import DemoOpenOrder, DemoStock, plan_open_orders, plan_stock
from ordersmith.demo.people import DemoCustomer
from ordersmith.errors import FieldError, ValidationFailed
from ordersmith.money import ZERO, quantize
from ordersmith.orders.models import Channel
from ordersmith.orders.status import OrderStatus
from ordersmith.orders.totals import OrderTotals, line_amounts, order_totals

# float-ok-module: seasonality, growth and popularity weights shape demand; amounts are Decimal

# Seasonal demand by month (January first), interpolated day by day.
SEASONS = {
    "flat": (0.9, 0.95, 1.05, 1.05, 1.05, 1.0, 0.95, 0.85, 1.05, 1.1, 1.05, 0.85),
    "summer": (0.25, 0.35, 0.8, 1.5, 2.0, 2.1, 1.8, 1.4, 0.9, 0.5, 0.3, 0.25),
    "winter": (2.0, 1.7, 0.9, 0.45, 0.2, 0.12, 0.12, 0.2, 0.5, 1.1, 1.8, 2.2),
    "q4": (0.8, 0.85, 0.95, 0.95, 0.9, 0.9, 0.85, 0.8, 0.95, 1.1, 1.5, 1.9),
}
WEEKDAYS = (1.15, 1.2, 1.15, 1.1, 1.0, 0.45, 0.25)  # Monday first
GROWTH_PER_YEAR = 1.2


@dataclass(frozen=True, slots=True)
class DemoConfig:
    seed: int = 42
    history_days: int = 730
    customers: int = 300
    orders_per_weekday: float = 33.0  # at the end of the history; weekends are quieter
    open_orders: int = 20

    def validate(self) -> None:
        errors = []
        if not 0 <= self.history_days <= 3650:
            errors.append(FieldError("history_days", "from 0 to 3650"))
        if not 10 <= self.customers <= 1000:
            errors.append(FieldError("customers", "from 10 to 1000"))
        if not 0 < self.orders_per_weekday <= 500:
            errors.append(FieldError("orders_per_weekday", "above 0, at most 500"))
        if not 0 <= self.open_orders <= 50:
            errors.append(FieldError("open_orders", "from 0 to 50"))
        if errors:
            raise ValidationFailed("invalid demo settings", fields=errors)


@dataclass(frozen=True, slots=True)
class DemoLine:
    sku: str
    quantity: int
    unit_price: Decimal
    discount: Decimal
    tax_rate: Decimal
    price_source: str


@dataclass(frozen=True, slots=True)
class DemoOrder:
    ref: str  # external reference, unique per channel
    customer: int  # index into DemoData.customers
    channel: Channel
    created_at: datetime
    status: OrderStatus  # completed or cancelled
    lines: tuple[DemoLine, ...]
    totals: OrderTotals


@dataclass(frozen=True, slots=True)
class Promotion:
    category: str
    start: date
    days: int
    uplift: float
    discount: Decimal  # fraction of the line amount

    def active(self, day: date) -> bool:
        return self.start <= day < self.start + timedelta(days=self.days)


@dataclass(frozen=True, slots=True)
class DemoData:
    warehouses: tuple[DemoWarehouse, ...]
    products: tuple[DemoProduct, ...]
    price_lists: tuple[DemoPriceList, ...]
    customers: tuple[DemoCustomer, ...]
    promotions: tuple[Promotion, ...]
    orders: tuple[DemoOrder, ...]
    stock: tuple[DemoStock, ...]
    open_orders: tuple[DemoOpenOrder, ...]


def generate(config: DemoConfig, *, today: date) -> DemoData:
    """The whole demo business for ``config.seed``, with history up to ``today`` - 1."""
    config.validate()
    rng = random.Random(config.seed)
    products = md.products(rng)
    lists = md.price_lists(products, rng)
    customers = people.customers(rng, config.customers)
    start = today - timedelta(days=config.history_days)
    promotions = _promotions(rng, start, today)
    orders = _history(rng, config, products, lists, customers, promotions, start, today)
    stock = plan_stock(rng, products, _recent_daily_sales(orders, today))
    open_orders = plan_open_orders(rng, config.open_orders, products, customers, stock)
    return DemoData(
        md.WAREHOUSES,
        tuple(products),
        tuple(lists),
        tuple(customers),
        promotions,
        orders,
        stock,
        open_orders,
    )


def seasonal_factor(season: str, day: date) -> float:
    """The month profile of ``season``, interpolated between mid-months."""
    profile = SEASONS[season]
    position = (day.timetuple().tm_yday - 15.5) / (365.25 / 12)
    low = math.floor(position)
    weight = position - low
    return profile[low % 12] * (1 - weight) + profile[(low + 1) % 12] * weight


def _promotions(rng: random.Random, start: date, end: date) -> tuple[Promotion, ...]:
    """Each year a spring garden sale, a Black Friday power-tool week and one random push."""
    promos = []
    for year in range(start.year, end.year + 1):
        friday = max(date(year, 11, d) for d in range(22, 29) if date(year, 11, d).weekday() == 4)
        promos.append(
            Promotion("Garden", date(year, 4, rng.randint(3, 12)), 14, 2.2, Decimal("0.10"))
        )
        promos.append(
            Promotion("Power tools", friday - timedelta(days=3), 10, 2.8, Decimal("0.15"))
        )
        category = rng.choice(("Safety wear", "Fasteners", "Hand tools"))
        promos.append(
            Promotion(
                category,
                date(year, rng.randint(2, 10), rng.randint(1, 20)),
                rng.randint(7, 14),
                1.8,
                Decimal("0.05"),
            )
        )
    return tuple(sorted((p for p in promos if start <= p.start < end), key=lambda p: p.start))


PriceTable = dict[tuple[str, str], list[tuple[int, int, Decimal, str]]]
"""(customer group, SKU) -> [(list priority, min quantity, price, list code)]."""


def price_table(lists: Sequence[DemoPriceList]) -> PriceTable:
    table: PriceTable = {}
    for pl in lists:
        for item in pl.items:
            entry = (pl.priority, item.min_quantity, item.price, pl.code)
            table.setdefault((pl.customer_group, item.sku), []).append(entry)
    return table


def customer_price(
    table: PriceTable, product: DemoProduct, group: str, quantity: int
) -> tuple[Decimal, str]:
    """The catalog's rule (catalog.pricing): highest list priority, then the largest
    quantity break not above ``quantity``; the list price otherwise."""
    eligible = [c for c in table.get((group, product.sku), []) if c[1] <= quantity]
    if not eligible:
        return product.price, "list_price"
    best = max(eligible, key=lambda c: (c[0], c[1]))
    return best[2], f"price_list:{best[3]}"


def _history(
    rng: random.Random,
    config: DemoConfig,
    products: list[DemoProduct],
    lists: list[DemoPriceList],
    customers: list[DemoCustomer],
    promotions: tuple[Promotion, ...],
    start: date,
    today: date,
) -> tuple[DemoOrder, ...]:
    prices = price_table(lists)
    sellable = [p for p in products if p.status != "draft"]
    customer_weights = list(itertools.accumulate(c.activity for c in customers))
    refs = itertools.count(100_001)
    orders: list[DemoOrder] = []
    for offset in range(config.history_days):
        day = start + timedelta(days=offset)
        years_back = (config.history_days - offset) / 365.25
        expected = config.orders_per_weekday / WEEKDAYS[1] * WEEKDAYS[day.weekday()]
        expected /= GROWTH_PER_YEAR**years_back
        count = max(0, round(rng.gauss(expected, math.sqrt(expected))))
        promos = [p for p in promotions if p.active(day)]
        weights = list(itertools.accumulate(_weight(p, day, today, promos) for p in sellable))
        times = sorted(_time_of_day(rng) for _ in range(count))
        for at in times:
            index = bisect.bisect(customer_weights, rng.random() * customer_weights[-1])
            index = min(index, len(customers) - 1)
            customer = customers[index]
            channels, channel_weights = md.CHANNELS[customer.is_trade]
            channel = rng.choices(channels, channel_weights)[0]
            lines = _lines(rng, customer, sellable, weights, prices, promos)
            if not lines:
                continue
            shipping = _shipping(customer, channel, lines)
            totals = order_totals(
                (
                    line_amounts(ln.quantity, ln.unit_price, ln.discount, ln.tax_rate, md.CURRENCY)
                    for ln in lines
                ),
                shipping,
                md.CURRENCY,
            )
            status = OrderStatus.CANCELLED if rng.random() < 0.02 else OrderStatus.COMPLETED
            orders.append(
                DemoOrder(
                    ref=f"{md.REF_PREFIX[channel]}-{next(refs)}",
                    customer=index,
                    channel=channel,
                    created_at=datetime.combine(day, at, tzinfo=UTC),
                    status=status,
                    lines=lines,
                    totals=totals,
                )
            )
    return tuple(orders)


def _weight(product: DemoProduct, day: date, today: date, promos: list[Promotion]) -> float:
    if product.discontinued_days_ago and day >= today - timedelta(product.discontinued_days_ago):
        return 0.0
    weight = product.popularity * seasonal_factor(product.season, day)
    for promo in promos:
        if promo.category == product.category:
            weight *= promo.uplift
    return weight


def _time_of_day(rng: random.Random) -> time:
    hour = rng.choices(
        range(24), (0, 0, 0, 0, 0, 1, 2, 5, 9, 10, 10, 9, 7, 8, 9, 8, 7, 6, 5, 5, 5, 4, 3, 1)
    )[0]
    return time(hour, rng.randrange(60), rng.randrange(60))


def _lines(
    rng: random.Random,
    customer: DemoCustomer,
    sellable: list[DemoProduct],
    weights: list[float],
    prices: PriceTable,
    promos: list[Promotion],
) -> tuple[DemoLine, ...]:
    if weights[-1] <= 0:
        return ()
    wanted = rng.choices(
        range(1, 9),
        (10, 18, 20, 16, 12, 9, 8, 7) if customer.is_trade else (40, 30, 15, 8, 4, 2, 1, 0),
    )[0]
    picked: dict[str, DemoProduct] = {}
    for _ in range(wanted * 2):
        product = sellable[
            min(bisect.bisect(weights, rng.random() * weights[-1]), len(sellable) - 1)
        ]
        picked.setdefault(product.sku, product)
        if len(picked) == wanted:
            break
    lines = []
    for product in picked.values():
        quantity = rng.choice(md.QUANTITIES[product.pack][customer.is_trade])
        unit_price, source = customer_price(prices, product, customer.customer_group, quantity)
        rate = next((p.discount for p in promos if p.category == product.category), ZERO)
        discount = quantize(quantity * unit_price * rate, md.CURRENCY)
        lines.append(
            DemoLine(product.sku, quantity, unit_price, discount, product.tax_rate, source)
        )
    return tuple(lines)


def _shipping(customer: DemoCustomer, channel: Channel, lines: tuple[DemoLine, ...]) -> Decimal:
    if channel is Channel.IN_PERSON:
        return ZERO
    goods = sum((ln.quantity * ln.unit_price - ln.discount for ln in lines), ZERO)
    if customer.is_trade:
        return ZERO if goods >= 250 else Decimal("12.50")
    return ZERO if goods >= 150 else Decimal("5.95")


def _recent_daily_sales(orders: Sequence[DemoOrder], today: date) -> dict[str, float]:
    """Units per day per SKU over the last eight weeks of history."""
    since = datetime.combine(today - timedelta(days=56), time(), tzinfo=UTC)
    sold: dict[str, float] = {}
    for order in orders:
        if order.created_at >= since and order.status is OrderStatus.COMPLETED:
            for line in order.lines:
                sold[line.sku] = sold.get(line.sku, 0) + line.quantity / 56
    return sold
