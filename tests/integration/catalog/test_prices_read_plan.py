"""Placement's prices read on PostgreSQL reaches a product's price-list items through the
products, by index: its cost grows with the order's lines, never with the length of the
customer's price lists (ADR 0042)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from ordersmith.catalog.models import Product
from ordersmith.catalog.pricing import prices_params, prices_statement
from ordersmith.db import table_of
from ordersmith.hot_reads import driver_text
from ordersmith.uow import Database
from tests.factories.catalog import make_price_list

PRODUCTS, ITEMS = 10_000, 2_000  # the benchmark's catalogue and trade list


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


@pytest.fixture
def long_list(db: Database) -> Database:
    if db.settings.is_sqlite:
        pytest.skip("a PostgreSQL query plan (SQLite's prices read has its own shape)")
    with db.unit_of_work(actor="test") as uow:
        make_price_list(uow, code="TRADE", customer_group="trade", priority=5, items=[])
    now = datetime.now(UTC)
    products = [
        {
            "id": uuid.uuid4(),
            "sku": f"P-{n}",
            "name": f"Part {n}",
            "price": Decimal("10"),
            "currency": "EUR",
            "status": "active",
            "created_at": now,
            "updated_at": now,
        }
        for n in range(1, PRODUCTS + 1)
    ]
    with db.engine.begin() as conn:  # 10,000 products, 2,000 in the list
        conn.execute(sa.insert(table_of(Product)), products)
        conn.exec_driver_sql(
            "INSERT INTO price_list_items (price_list_id, product_id, min_quantity, price) "
            "SELECT l.id, p.id, 1, 9 FROM price_lists l, products p "
            "WHERE l.code = 'TRADE' AND p.sku LIKE 'P-%%' AND substr(p.sku, 3)::int %% 5 = 0"
        )
        conn.exec_driver_sql("ANALYZE products, price_list_items, price_lists")
    return db


def test_the_prices_of_an_order_read_only_its_products_items_however_long_the_list(
    long_list: Database,
) -> None:
    # given: the statement as placement runs it, for a 12-line order
    text, constants = driver_text(prices_statement(True), postgresql.dialect())
    skus = {f"P-{n}": 1 + n % 9 for n in range(5, 10_000, 835)}  # 12 lines, all listed
    params = prices_params(skus, "trade", "EUR", date(2026, 11, 29), None)
    # when
    with long_list.engine.connect() as conn:
        explained = conn.exec_driver_sql(
            f"EXPLAIN (ANALYZE, FORMAT JSON) {text}", {**constants, **params}
        ).scalar_one()
        rows = conn.exec_driver_sql(text, {**constants, **params}).all()
    plan = (explained if isinstance(explained, list) else json.loads(explained))[0]["Plan"]
    # then: the products with their list price, and no item read but theirs
    assert sorted((r.sku, r.code) for r in rows) == sorted((sku, "TRADE") for sku in skus)
    item_reads = [n for n in _nodes(plan) if n.get("Relation Name") == "price_list_items"]
    assert item_reads, plan
    assert all(n["Node Type"] != "Seq Scan" for n in item_reads), item_reads
    assert sum(n["Actual Rows"] * n["Actual Loops"] for n in item_reads) == len(skus)
