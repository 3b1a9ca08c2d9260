"""``hot_reads.HotRead``: a fixed SELECT that returns the same rows on both databases (on
PostgreSQL at the driver level, a list parameter as one array)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from ordersmith.catalog.models import Product
from ordersmith.catalog.pricing import resolve_prices
from ordersmith.catalog.services import create_product
from ordersmith.db import core, table_of
from ordersmith.hot_reads import HotRead, one_of
from ordersmith.uow import Database


def _products_by_sku(postgresql: bool) -> sa.Select[Any]:
    products = table_of(Product)
    return (
        sa.select(products.c.sku, products.c.id, products.c.price)
        .where(
            one_of(products.c.sku, "skus", postgresql=postgresql),
            products.c.status.not_in(["discontinued"]),
        )
        .order_by(products.c.sku)
        .limit(2)
    )


_BY_SKU = HotRead(_products_by_sku)


def _add_products(db: Database, *skus: str) -> None:
    with db.unit_of_work(actor="test") as uow:
        for sku in skus:
            create_product(uow, sku=sku, name=f"Part {sku}", price="2.50")


def test_a_list_parameter_of_any_length_finds_its_rows_with_the_constants_of_the_statement(
    db: Database,
) -> None:
    # given: three products
    _add_products(db, "HR-1", "HR-2", "HR-3")
    # when: asked for two of them and an unknown SKU, for all three (LIMIT 2), for none
    with db.reader() as session:
        some = _BY_SKU.rows(core(session), {"skus": ["HR-3", "HR-1", "NOPE"]})
        limited = _BY_SKU.rows(core(session), {"skus": ["HR-1", "HR-2", "HR-3"]})
        none = _BY_SKU.rows(core(session), {"skus": []})
    # then: the rows asked for, in the statement's order and within its limit; values as
    # the columns hold them
    assert [(r.sku, r.price) for r in some] == [("HR-1", Decimal("2.5")), ("HR-3", Decimal("2.5"))]
    assert [r.sku for r in limited] == ["HR-1", "HR-2"]
    assert none == []


def test_a_sku_longer_than_the_column_is_compared_whole_never_cut_to_a_known_one(
    db: Database,
) -> None:
    # given: a product whose SKU fills the column (64 characters)
    full = "L" * 64
    _add_products(db, full)
    # when: prices are asked for that SKU with one more character
    with db.reader() as session:
        prices = resolve_prices(
            session,
            quantities={full + "X": 1},
            customer_group="",
            currency="EUR",
            on=date(2026, 11, 29),
        )
    # then: no product matches
    assert prices == {}
