"""Products and price lists with sensible defaults, made through the real services."""

from __future__ import annotations

import itertools
from typing import Any

from ordersmith.catalog.queries import PriceListView, ProductView
from ordersmith.catalog.services import create_price_list, create_product
from ordersmith.uow import UnitOfWork

_numbers = itertools.count(1)


def make_product(uow: UnitOfWork, **overrides: Any) -> ProductView:
    """An active, stocked product at 10.00 in the default currency, with a unique SKU."""
    n = next(_numbers)
    fields: dict[str, Any] = {"sku": f"SKU-{n:05d}", "name": f"Product {n}", "price": "10.00"}
    return create_product(uow, **{**fields, **overrides})


def make_price_list(uow: UnitOfWork, **overrides: Any) -> PriceListView:
    """An open-ended price list for the "wholesale" group, with a unique code and no items
    (pass ``items=[PriceItemInput(...)]``)."""
    n = next(_numbers)
    fields: dict[str, Any] = {
        "code": f"PL-{n:05d}",
        "name": f"Price list {n}",
        "customer_group": "wholesale",
    }
    return create_price_list(uow, **{**fields, **overrides})
