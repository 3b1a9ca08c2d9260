"""The customer's price for a set of SKUs, in one statement (used on the placement path).

Rule: among the price lists of the customer's group — and the price list of the
customer's loyalty tier, if it maps one (ADR 0022) — in the order currency that are
effective on the order date, the item with the highest list priority wins, then the
largest quantity break (``min_quantity``) not above the ordered quantity. Without a
price-list item the product's list price applies, if it is in the order currency.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.catalog.models import PriceList, PriceListItem, Product
from ordersmith.catalog.status import ProductStatus
from ordersmith.db import core, table_of
from ordersmith.hot_reads import HotRead, one_of


@dataclass(frozen=True, slots=True)
class PricedProduct:
    product_id: uuid.UUID
    sku: str
    name: str
    status: ProductStatus
    stocked: bool
    tax_rate: Decimal
    unit_price: Decimal | None  # None: no price in the order currency
    price_source: str  # "list_price" or "price_list:<code>"


@dataclass(frozen=True, slots=True)
class PriceCandidate:
    priority: int
    min_quantity: int
    price: Decimal
    code: str


def resolve_prices(
    session: Session,
    *,
    quantities: Mapping[str, int],
    customer_group: str,
    currency: str,
    on: date,
    tier_price_list: str | None = None,
) -> dict[str, PricedProduct]:
    """Price every known SKU of ``quantities`` (SKU -> total quantity) for a customer.
    ``tier_price_list``: the code of the loyalty tier's price list, which competes with
    the group's lists by priority (in the same statement)."""
    params = prices_params(quantities, customer_group, currency, on, tier_price_list)
    return priced_products(_PRICES.rows(core(session), params), quantities, currency)


def prices_params(
    quantities: Mapping[str, int],
    customer_group: str,
    currency: str,
    on: date,
    tier_price_list: str | None,
) -> dict[str, Any]:
    """The parameters of ``prices_statement``."""
    return {
        "skus": list(quantities),
        "customer_group": customer_group,
        "currency": currency,
        "on": on,
        "tier_price_list": tier_price_list,
    }


def priced_products(
    rows: Sequence[Any], quantities: Mapping[str, int], currency: str
) -> dict[str, PricedProduct]:
    """Each SKU's price from the rows of ``prices_statement`` (one row per product and
    price-list item that may apply)."""
    base: dict[str, Any] = {}
    candidates: dict[str, list[PriceCandidate]] = {}
    for row in rows:
        base.setdefault(row.sku, row)
        if row.code is not None:
            candidates.setdefault(row.sku, []).append(
                PriceCandidate(row.priority, row.min_quantity, row.list_item_price, row.code)
            )
    result: dict[str, PricedProduct] = {}
    for sku, row in base.items():
        best = best_candidate(candidates.get(sku, []), quantities[sku])
        if best is not None:
            price, source = best.price, f"price_list:{best.code}"
        elif row.currency == currency:
            price, source = row.price, "list_price"
        else:
            price, source = None, "none"
        result[sku] = PricedProduct(
            product_id=row.id,
            sku=row.sku,
            name=row.name,
            status=ProductStatus(row.status),
            stocked=row.stocked,
            tax_rate=row.tax_rate,
            unit_price=price,
            price_source=source,
        )
    return result


def prices_statement(postgresql: bool) -> sa.Select[Any]:
    """Every product of the SKUs ``skus`` with each price-list item that may apply to
    the customer; a hot read (it runs on every placement). The items are reached from
    the products through their product index, never by reading a whole list."""
    products, items, lists = table_of(Product), table_of(PriceListItem), table_of(PriceList)
    on = sa.bindparam("on", type_=sa.Date())
    effective_lists = sa.select(lists.c.id).where(
        sa.or_(
            lists.c.customer_group == sa.bindparam("customer_group"),
            lists.c.code == sa.bindparam("tier_price_list", type_=sa.String()),
        ),
        lists.c.currency == sa.bindparam("currency"),
        sa.or_(lists.c.valid_from.is_(None), lists.c.valid_from <= on),
        sa.or_(lists.c.valid_to.is_(None), lists.c.valid_to >= on),
    )
    product_columns = (
        products.c.id,
        products.c.sku,
        products.c.name,
        products.c.status,
        products.c.stocked,
        products.c.tax_rate,
        products.c.price,
        products.c.currency,
    )
    item_columns = (items.c.min_quantity, items.c.price.label("list_item_price"))
    by_sku = one_of(products.c.sku, "skus", postgresql=postgresql)
    if not postgresql:
        return (
            sa.select(*product_columns, *item_columns, lists.c.priority, lists.c.code)
            .select_from(products)
            .outerjoin(
                items,
                sa.and_(
                    items.c.product_id == products.c.id,
                    items.c.price_list_id.in_(effective_lists.scalar_subquery()),
                ),
            )
            .outerjoin(lists, lists.c.id == items.c.price_list_id)
            .where(by_sku)
        )
    # PostgreSQL: each product's items by index, in a LATERAL subquery, with the
    # effective lists' ids computed once (an array). As a join, the planner read every
    # item of the lists and hashed them whenever the lists were small enough for its
    # cost model to prefer that: O(list size) per order instead of O(lines).
    item = (
        sa.select(*item_columns, lists.c.priority, lists.c.code)
        .join(lists, lists.c.id == items.c.price_list_id)
        .where(
            items.c.product_id == products.c.id,
            items.c.price_list_id == sa.any_(sa.func.array(effective_lists.scalar_subquery())),
        )
        .lateral("item")
    )
    return (
        sa.select(
            *product_columns,
            item.c.min_quantity,
            item.c.list_item_price,
            item.c.priority,
            item.c.code,
        )
        .select_from(products)
        .outerjoin(item, sa.true())
        .where(by_sku)
    )


_PRICES = HotRead(prices_statement)


def best_candidate(candidates: list[PriceCandidate], quantity: int) -> PriceCandidate | None:
    """Highest list priority, then the largest quantity break reached; on a tie, the
    lowest price, then the price list code — never the database's row order."""
    eligible = [c for c in candidates if c.min_quantity <= quantity]
    if not eligible:
        return None
    return min(eligible, key=lambda c: (-c.priority, -c.min_quantity, c.price, c.code))
