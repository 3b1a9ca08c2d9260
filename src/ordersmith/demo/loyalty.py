"""The demo's loyalty tiers (ADR 0022), written after the order history is loaded.

Three tiers over the last 365 days, with thresholds the demo's history really spreads
its customers across (about half qualify for Silver, a fifth for Gold, one in twenty
for Platinum):

- **Silver**: 1,500 EUR and 10 orders;
- **Gold**: 30,000 EUR and 30 orders, a 60-day return window;
- **Platinum**: 70,000 EUR and 75 orders, a 90-day return window, free express
  shipping, and the ``PLATINUM`` price list: 5 % off the popular products no customer
  group's list prices yet (its priority beats the group lists, so it never takes away a
  group's quantity break).

``recalculate_tiers`` then gives every customer their tier; the worker's daily
``loyalty_tiers`` job keeps them current (the fulfilment simulation runs it nightly).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.catalog.price_lists import PriceItemInput, create_price_list
from ordersmith.customers.models import Customer
from ordersmith.customers.tiers import TierRun, recalculate_tiers, save_tier
from ordersmith.db import table_of
from ordersmith.demo.master_data import CURRENCY, DemoPriceList, DemoProduct
from ordersmith.money import quantize
from ordersmith.uow import Database

ACTOR = "demo"
PLATINUM_LIST = "PLATINUM"
PLATINUM_PRODUCTS = 12
PLATINUM_OFF = Decimal("0.95")
TIERS = (
    # code, name, rank, min spend, min orders, return window, free express, price list
    ("silver", "Silver", 1, Decimal("1500"), 10, None, False, None),
    ("gold", "Gold", 2, Decimal("30000"), 30, 60, False, None),
    ("platinum", "Platinum", 3, Decimal("70000"), 75, 90, True, PLATINUM_LIST),
)


def platinum_items(
    products: Sequence[DemoProduct], price_lists: Sequence[DemoPriceList]
) -> list[PriceItemInput]:
    """5 % off the most popular active products that no group's list prices."""
    listed = {item.sku for price_list in price_lists for item in price_list.items}
    free = [p for p in products if p.sku not in listed and p.status == "active"]
    free.sort(key=lambda p: (-p.popularity, p.sku))
    return [
        PriceItemInput(p.sku, quantize(p.price * PLATINUM_OFF, CURRENCY))
        for p in free[:PLATINUM_PRODUCTS]
    ]


def load_tiers(
    db: Database, products: Sequence[DemoProduct], price_lists: Sequence[DemoPriceList]
) -> TierRun:
    """The PLATINUM price list, the three tiers, and every customer's tier."""
    with db.unit_of_work(actor=ACTOR) as uow:
        create_price_list(
            uow,
            code=PLATINUM_LIST,
            name="Platinum customers",
            customer_group="platinum",
            currency=CURRENCY,
            priority=30,
            items=platinum_items(products, price_lists),
        )
        for code, name, rank, spend, orders, window, express, price_list in TIERS:
            save_tier(
                uow,
                code=code,
                name=name,
                rank=rank,
                period_days=365,
                min_spend=spend,
                min_orders=orders,
                currency=CURRENCY,
                price_list_code=price_list,
                free_express_shipping=express,
                return_window_days=window,
            )
    with db.unit_of_work(actor=ACTOR) as uow:
        return recalculate_tiers(uow)


def customers_by_tier(session: Session) -> dict[str, int]:
    """Active (not merged) customers per tier code ("none": without a tier)."""
    c = table_of(Customer)
    rows = session.execute(
        sa.select(c.c.tier, sa.func.count()).where(c.c.merged_into_id.is_(None)).group_by(c.c.tier)
    )
    counts = Counter({str(tier or "none"): int(n) for tier, n in rows})
    return dict(sorted(counts.items()))
