"""A shop that buys: the order tests' shop (MAIN, EAST; A-1 Anvil, B-2 Bolt; Ann and Bob)
and a supplier, ACME, that supplies A-1 at 6.00 EUR in 7 days and B-2 at 0.10 EUR in
14 days, from 100 units in packs of 50."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from ordersmith.checks import run_checks
from ordersmith.db import table_of
from ordersmith.inventory.queries import stock_levels
from ordersmith.purchasing.views import SupplierView
from ordersmith.uow import Database
from tests.factories.purchasing import make_supplier, supply
from tests.integration.conftest import Shop, make_shop
from tests.integration.notifications.conftest import reconnect
from tests.smtp import smtp_server

__all__ = ["reconnect", "smtp_server"]


@dataclass
class Buyer:
    shop: Shop
    acme: SupplierView

    @property
    def db(self) -> Database:
        return self.shop.db


@pytest.fixture
def buyer(db: Database) -> Buyer:
    shop = make_shop(db)
    acme = make_supplier(db, code="ACME", name="Acme Anvils GmbH", email="orders@acme.example")
    supply(db, acme, "A-1", "6.00", 7, supplier_sku="ACME-ANV-1")
    supply(
        db,
        acme,
        "B-2",
        "0.10",
        14,
        supplier_sku="ACME-BLT-2",
        min_order_quantity=100,
        pack_multiple=50,
    )
    return Buyer(shop, acme)


def on_hand(db: Database, warehouse: str, sku: str) -> int:
    with db.reader() as session:
        levels = stock_levels(session, warehouse=warehouse, sku=sku)
    return levels[0].on_hand if levels else 0


def assert_no_violations(db: Database) -> None:
    with db.reader() as session:
        assert {name: v for name, v in run_checks(session).items() if v} == {}


def rows(db: Database, model: type, *order_by: str) -> list[sa.Row[tuple[object, ...]]]:
    table = table_of(model)
    with db.reader() as session:
        return list(session.execute(sa.select(table).order_by(*(table.c[c] for c in order_by))))
