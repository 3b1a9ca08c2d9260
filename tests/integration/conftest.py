"""A small shop for order tests: two warehouses, three products, two customers."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ordersmith.catalog.services import create_product
from ordersmith.customers.queries import CustomerView
from ordersmith.customers.services import AddressInput, create_customer
from ordersmith.uow import Database
from tests.factories.inventory import make_warehouse


@dataclass
class Shop:
    db: Database
    cash: CustomerView
    trade: CustomerView


@pytest.fixture
def shop(db: Database) -> Shop:
    return make_shop(db)


def make_shop(db: Database) -> Shop:
    """MAIN (priority 10) and EAST (20); A-1, B-2 and an unstocked service; Ann (cash,
    shipping to Berlin) and Bob (trade account, wholesale group)."""
    with db.unit_of_work(actor="test") as uow:
        cash = create_customer(
            uow,
            name="Ann Cash",
            email="ann@example.com",
            account_type="cash",
            addresses=[
                AddressInput(kind="shipping", line1="1 Main St", city="Berlin", country="DE")
            ],
        )
    with db.unit_of_work(actor="test") as uow:
        trade = create_customer(
            uow,
            name="Bob Trade",
            email="bob@example.com",
            account_type="account",
            customer_group="wholesale",
        )
    with db.unit_of_work(actor="test") as uow:
        make_warehouse(uow, code="MAIN", priority=10)
        make_warehouse(uow, code="EAST", priority=20)
        create_product(uow, sku="A-1", name="Anvil", price="12.50", tax_rate="0.2")
        create_product(uow, sku="B-2", name="Bolt", price="0.35", tax_rate="0.2")
        create_product(uow, sku="SVC", name="Assembly service", price="30.00", stocked=False)
    return Shop(db, cash, trade)
