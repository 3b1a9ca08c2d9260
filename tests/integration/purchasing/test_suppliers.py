"""Suppliers and the products they supply: codes, checks, preferred suppliers, currency."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ordersmith import clock
from ordersmith.catalog.errors import ProductNotFound
from ordersmith.db import table_of
from ordersmith.errors import ValidationFailed
from ordersmith.ids import new_id
from ordersmith.purchasing.errors import (
    SupplierCurrencyLocked,
    SupplierExists,
    SupplierNotFound,
    SupplierProductExists,
    SupplierProductNotFound,
)
from ordersmith.purchasing.models import SupplierProduct
from ordersmith.purchasing.queries import get_supplier, list_suppliers, supplier_products
from ordersmith.purchasing.suppliers import update_supplier, update_supplier_product
from tests.factories.purchasing import make_supplier, supply
from tests.integration.notifications.conftest import outbox

D = Decimal


def _preferred(db, product_id) -> list[str]:
    with db.reader() as session:
        return [
            p.supplier for p in supplier_products(session, product_ids=[product_id]) if p.preferred
        ]


def test_a_supplier_is_stored_with_an_upper_case_code_and_found_by_any_case(buyer):
    # given
    made = make_supplier(buyer.db, code="  bolt-co ", name="Bolt Co", phone="+49 40 123")
    # when
    with buyer.db.reader() as session:
        found = get_supplier(session, "BOLT-co")
        by_id = get_supplier(session, str(made.id))
    # then
    assert (found.code, found.name, found.phone, found.active) == (
        "BOLT-CO",
        "Bolt Co",
        "+49 40 123",
        True,
    )
    assert by_id == found
    assert [e.payload["code"] for e in outbox(buyer.db, "supplier.created")][-1] == "BOLT-CO"


def test_a_supplier_code_is_taken_once(buyer):
    # when / then
    with pytest.raises(SupplierExists) as refused:
        make_supplier(buyer.db, code="acme")
    assert refused.value.code == "supplier_exists"


def test_every_problem_with_a_new_supplier_is_listed_at_once(buyer):
    # when
    with pytest.raises(ValidationFailed) as refused:
        make_supplier(
            buyer.db,
            code="no spaces",
            name="",
            email="not-an-address",
            currency="euro",
            payment_terms_days=400,
            address={"line1": "x", "city": "y", "country": "Germany"},
        )
    # then
    assert sorted(f.field for f in refused.value.fields) == [
        "address.country",
        "code",
        "currency",
        "email",
        "name",
        "payment_terms_days",
    ]


def test_suppliers_are_listed_by_code_and_searched(buyer):
    # given
    make_supplier(buyer.db, code="ZED", name="Zed Parts")
    make_supplier(buyer.db, code="BOLTS", name="Bolts Direct")
    with buyer.db.unit_of_work(actor="test") as uow:
        update_supplier(uow, supplier="ZED", active=False)
    # when
    with buyer.db.reader() as session:
        first, more = list_suppliers(session, limit=2)
        rest, _ = list_suppliers(session, after=first[-1].code)
        active, _ = list_suppliers(session, active=True)
        found, _ = list_suppliers(session, q="parts")
    # then
    assert ([s.code for s in first], more) == (["ACME", "BOLTS"], True)
    assert [s.code for s in rest] == ["ZED"]
    assert [s.code for s in active] == ["ACME", "BOLTS"]
    assert [s.code for s in found] == ["ZED"]


def test_a_supplier_product_is_the_suppliers_sku_cost_lead_time_and_order_rules(buyer):
    # when
    with buyer.db.reader() as session:
        [anvil, bolt] = supplier_products(session, supplier_id=buyer.acme.id)
    # then
    assert (anvil.sku, anvil.supplier_sku, anvil.unit_cost, anvil.currency) == (
        "A-1",
        "ACME-ANV-1",
        D("6.00"),
        "EUR",
    )
    assert (bolt.lead_time_days, bolt.min_order_quantity, bolt.pack_multiple) == (14, 100, 50)


def test_a_product_is_supplied_once_per_supplier_and_must_exist(buyer):
    # when / then
    with pytest.raises(SupplierProductExists):
        supply(buyer.db, buyer.acme, "A-1", "5.00", 3)
    with pytest.raises(ProductNotFound):
        supply(buyer.db, buyer.acme, "NOPE", "5.00", 3)
    with pytest.raises(ValidationFailed) as refused:
        supply(buyer.db, buyer.acme, "SVC", "0.1", -1, pack_multiple=0)
    assert sorted(f.field for f in refused.value.fields) == ["lead_time_days", "pack_multiple"]


def test_making_a_supplier_preferred_unprefers_the_one_before(buyer):
    # given
    anvil = supply(
        buyer.db, make_supplier(buyer.db, code="FIRST"), "A-1", "6.50", 5, preferred=True
    )
    second = make_supplier(buyer.db, code="SECOND")
    supply(buyer.db, second, "A-1", "6.20", 9)
    assert _preferred(buyer.db, anvil.product_id) == ["FIRST"]
    # when
    with buyer.db.unit_of_work(actor="test") as uow:
        changed = update_supplier_product(
            uow, supplier="second", sku="A-1", preferred=True, unit_cost="6.10"
        )
    supply(buyer.db, make_supplier(buyer.db, code="THIRD"), "B-2", "0.2", 1, preferred=True)
    # then
    assert (changed.preferred, changed.unit_cost) == (True, D("6.10"))
    assert _preferred(buyer.db, anvil.product_id) == ["SECOND"]
    assert _preferred(buyer.db, changed.product_id) == ["SECOND"]


def test_the_database_keeps_at_most_one_preferred_supplier_per_product(buyer):
    # given OTHER is the preferred supplier of bolts
    bolt = supply(buyer.db, make_supplier(buyer.db, code="OTHER"), "B-2", "0.2", 1, preferred=True)
    table = table_of(SupplierProduct)
    other = make_supplier(buyer.db, code="RACER")
    now = clock.now()
    row = {
        "id": new_id(),
        "supplier_id": other.id,
        "product_id": bolt.product_id,
        "supplier_sku": "",
        "unit_cost": D("1"),
        "lead_time_days": 1,
        "min_order_quantity": 1,
        "pack_multiple": 1,
        "preferred": True,
        "created_at": now,
        "updated_at": now,
    }
    # when a writer skipping the service inserts a second preferred row
    with pytest.raises(IntegrityError), buyer.db.unit_of_work(actor="test") as uow:
        uow.session.execute(sa.insert(table).values(**row))
    # then a non-preferred one is fine
    with buyer.db.unit_of_work(actor="test") as uow:
        uow.session.execute(sa.insert(table).values(**{**row, "preferred": False}))
    assert _preferred(buyer.db, bolt.product_id) == ["OTHER"]


def test_a_suppliers_currency_is_fixed_once_it_quotes_costs(buyer):
    # given
    fresh = make_supplier(buyer.db, currency="EUR")
    # when
    with buyer.db.unit_of_work(actor="test") as uow:
        changed = update_supplier(uow, supplier=fresh.id, currency="usd", email="", notes="new")
    with pytest.raises(SupplierCurrencyLocked), buyer.db.unit_of_work(actor="test") as uow:
        update_supplier(uow, supplier="ACME", currency="USD")
    # then
    assert (changed.currency, changed.email, changed.notes) == ("USD", "", "new")
    [event] = [e for e in outbox(buyer.db, "supplier.updated") if e.payload["code"] == fresh.code]
    assert event.payload["changes"] == ["currency", "email", "notes"]


def test_unknown_suppliers_and_products_are_not_found(buyer):
    # when / then
    with buyer.db.reader() as session, pytest.raises(SupplierNotFound):
        get_supplier(session, "nobody\x00")
    with pytest.raises(SupplierProductNotFound), buyer.db.unit_of_work(actor="t") as uow:
        update_supplier_product(uow, supplier="ACME", sku="SVC", unit_cost="1")
