"""Factories for warehouses and stock, over the real services."""

from __future__ import annotations

import itertools

from ordersmith.inventory.queries import StockLevelView, WarehouseView
from ordersmith.inventory.services import create_warehouse, receive_stock
from ordersmith.uow import Database, UnitOfWork

_codes = itertools.count(1)


def make_warehouse(
    uow: UnitOfWork,
    *,
    code: str | None = None,
    name: str | None = None,
    priority: int = 100,
    city: str | None = None,
    postcode: str = "",
    country: str = "DE",
) -> WarehouseView:
    """A warehouse; give ``city`` (and postcode, country) to place it for sourcing."""
    code = code or f"WH{next(_codes)}"
    address = (
        {"line1": "1 Dock Rd", "city": city, "postcode": postcode, "country": country}
        if city
        else None
    )
    return create_warehouse(
        uow, code=code, name=name or f"Warehouse {code}", priority=priority, address=address
    )


def stock_up(db: Database, levels: dict[tuple[str, str], int]) -> list[StockLevelView]:
    """Receive ``{(warehouse_code, sku): quantity}`` in one unit of work."""
    with db.unit_of_work(actor="test") as uow:
        return [
            receive_stock(uow, warehouse=w, sku=s, quantity=q, reference="test")
            for (w, s), q in levels.items()
        ]
