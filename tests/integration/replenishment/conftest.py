"""A shop that replenishes: the order tests' shop (MAIN priority 10, EAST 20; A-1 Anvil,
B-2 Bolt; Ann and Bob) plus C-3 Clamp, and two suppliers:

- ACME, preferred for A-1 (6.00 EUR, 7 days, from 50 in packs of 25) and B-2 (0.10 EUR,
  14 days, from 100 in packs of 50);
- BOLTCO, preferred for C-3 (2.00 EUR, 10 days, packs of 10), and also supplies A-1
  (5.50 EUR, 3 days, from 1 in packs of 1: not preferred).

Nothing is in stock until a test says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from ordersmith.catalog.services import create_product
from ordersmith.checks import run_checks
from ordersmith.db import table_of
from ordersmith.inventory.services import set_stock_settings
from ordersmith.purchasing.views import SupplierView
from ordersmith.replenishment.models import ReplenishmentRequest
from ordersmith.replenishment.policies import set_policy
from ordersmith.replenishment.queries import RequestFilter, list_requests
from ordersmith.replenishment.runs import run_replenishment
from ordersmith.replenishment.status import RequestStatus
from ordersmith.replenishment.views import RequestView, RunView
from ordersmith.uow import Database
from tests.factories.purchasing import make_supplier, supply
from tests.integration.conftest import Shop, make_shop


@dataclass
class Store:
    shop: Shop
    acme: SupplierView
    boltco: SupplierView

    @property
    def db(self) -> Database:
        return self.shop.db


@pytest.fixture
def store(db: Database) -> Store:
    return make_store(db)


def make_store(db: Database) -> Store:
    shop = make_shop(db)
    with db.unit_of_work(actor="test") as uow:
        create_product(uow, sku="C-3", name="Clamp", price="4.00", tax_rate="0.2")
    acme = make_supplier(db, code="ACME", name="Acme Anvils GmbH")
    boltco = make_supplier(db, code="BOLTCO", name="Bolt & Co")
    supply(db, acme, "A-1", "6.00", 7, min_order_quantity=50, pack_multiple=25, preferred=True)
    supply(db, acme, "B-2", "0.10", 14, min_order_quantity=100, pack_multiple=50, preferred=True)
    supply(db, boltco, "C-3", "2.00", 10, pack_multiple=10, preferred=True)
    supply(db, boltco, "A-1", "5.50", 3)
    return Store(shop, acme, boltco)


def policy(
    db: Database,
    warehouse: str,
    sku: str,
    kind: str,
    low: int | None = None,
    high: int | None = None,
) -> None:
    """Set a policy: ``policy(db, "MAIN", "A-1", "min_max", 20, 100)``."""
    levels = {"min_quantity": low, "max_quantity": high}
    with db.unit_of_work(actor="user:planner") as uow:
        set_policy(uow, warehouse=warehouse, sku=sku, kind=kind, **levels)


def reorder_point(db: Database, warehouse: str, sku: str, units: int) -> None:
    with db.unit_of_work(actor="test") as uow:
        set_stock_settings(uow, warehouse=warehouse, sku=sku, reorder_point=units)


def review(db: Database) -> RunView:
    return run_replenishment(db, actor="user:planner")


def requests(db: Database, status: RequestStatus | None = None) -> list[RequestView]:
    """Every request, oldest first."""
    with db.reader() as session:
        found, _more = list_requests(session, RequestFilter(status=status), limit=500)
    return list(reversed(found))


def only_request(db: Database) -> RequestView:
    found = requests(db)
    assert len(found) == 1, [(r.sku, r.warehouse, r.status) for r in found]
    return found[0]


def count_requests(db: Database) -> int:
    with db.reader() as session:
        return int(
            session.scalar(sa.select(sa.func.count()).select_from(table_of(ReplenishmentRequest)))
            or 0
        )


def assert_no_violations(db: Database) -> None:
    with db.reader() as session:
        assert {name: v for name, v in run_checks(session).items() if v} == {}
