"""Product services and queries against SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from ordersmith.catalog.errors import BarcodeAlreadyExists, ProductNotFound, SkuAlreadyExists
from ordersmith.catalog.models import Product
from ordersmith.catalog.queries import (
    find_product,
    get_product,
    get_products_by_sku,
    list_products,
)
from ordersmith.catalog.services import create_product, update_product, upsert_product
from ordersmith.catalog.status import ProductStatus
from ordersmith.errors import InvalidTransition, ValidationFailed
from ordersmith.uow import Database
from ordersmith.validation import MAX_AMOUNT
from tests.factories.catalog import make_product


def _events(db: Database) -> list[str]:
    with db.reader() as session:
        query = sa.text("SELECT event_type FROM outbox_events ORDER BY created_at, id")
        return list(session.execute(query).scalars())


def _count(db: Database) -> int:
    with db.reader() as session:
        return int(session.execute(sa.text("SELECT count(*) FROM products")).scalar_one())


def test_a_new_product_is_active_stocked_and_priced_in_the_default_currency(db: Database) -> None:
    # when
    with db.unit_of_work(actor="test") as uow:
        made = make_product(uow, sku="A-1", price="12.50")
    # then
    with db.reader() as session:
        product = get_product(session, "A-1")
    assert product == made
    assert product.status is ProductStatus.ACTIVE
    assert product.orderable
    assert (product.price, product.currency) == (Decimal("12.50"), db.settings.default_currency)
    assert (product.unit, product.tax_rate, product.stocked) == ("each", Decimal(0), True)
    assert _events(db) == ["product.created"]


def test_amounts_come_back_exactly_as_stored_up_to_four_decimals(db: Database) -> None:
    # given
    with db.unit_of_work(actor="test") as uow:
        make_product(uow, sku="BIG", price=MAX_AMOUNT, tax_rate="0.0725", weight_kg="0.0001")
    # when
    with db.reader() as session:
        product = get_product(session, "BIG")
    # then
    assert product.price == MAX_AMOUNT
    assert product.tax_rate == Decimal("0.0725")
    assert product.weight_kg == Decimal("0.0001")


def test_a_product_is_found_by_sku_and_by_id(db: Database) -> None:
    # given
    with db.unit_of_work(actor="test") as uow:
        made = make_product(uow)
    # when
    with db.reader() as session:
        by_sku, by_id, by_text_id = (
            get_product(session, made.sku),
            get_product(session, made.id),
            get_product(session, str(made.id)),
        )
        missing = find_product(session, "NOPE")
    # then
    assert by_sku == by_id == by_text_id == made
    assert missing is None


def test_an_unknown_product_is_not_found(db: Database) -> None:
    with db.reader() as session, pytest.raises(ProductNotFound) as caught:
        get_product(session, "NOPE")
    assert caught.value.code == "product_not_found"


def test_a_second_product_with_the_same_sku_is_refused_and_changes_nothing(db: Database) -> None:
    # given
    with db.unit_of_work(actor="test") as uow:
        make_product(uow, sku="A-1", name="First")
    # when
    with pytest.raises(SkuAlreadyExists), db.unit_of_work(actor="test") as uow:
        make_product(uow, sku="A-1", name="Second")
    # then
    with db.reader() as session:
        assert get_product(session, "A-1").name == "First"
    assert _count(db) == 1


def test_a_barcode_belongs_to_one_product_only(db: Database) -> None:
    # given
    with db.unit_of_work(actor="test") as uow:
        make_product(uow, sku="A-1", barcode="4006381333931")
        make_product(uow, sku="B-2")
    # when / then
    with pytest.raises(BarcodeAlreadyExists), db.unit_of_work(actor="test") as uow:
        make_product(uow, sku="C-3", barcode="4006381333931")
    with pytest.raises(BarcodeAlreadyExists), db.unit_of_work(actor="test") as uow:
        update_product(uow, product="B-2", barcode="4006381333931")
    with db.unit_of_work(actor="test") as uow:
        kept = update_product(uow, product="A-1", barcode="4006381333931")
    assert kept.barcode == "4006381333931"
    assert _count(db) == 2


def test_invalid_input_is_refused_before_anything_is_stored(db: Database) -> None:
    # when
    with pytest.raises(ValidationFailed) as caught, db.unit_of_work(actor="test") as uow:
        make_product(uow, price="1.00001", currency="EURO", tax_rate="1.2")
    # then
    assert {f.field for f in caught.value.fields} == {"price", "currency", "tax_rate"}
    assert _count(db) == 0
    assert _events(db) == []


def test_updating_a_product_changes_only_the_given_fields_and_records_it(db: Database) -> None:
    # given
    with db.unit_of_work(actor="test") as uow:
        made = make_product(uow, sku="A-1", name="Anvil", category="tools")
    # when
    with db.unit_of_work(actor="test") as uow:
        changed = update_product(uow, product="A-1", price="11.00", weight_kg="2.5")
    # then
    assert changed.price == Decimal("11.00")
    assert changed.weight_kg == Decimal("2.5")
    assert (changed.name, changed.category, changed.sku) == ("Anvil", "tools", "A-1")
    assert changed.updated_at > made.updated_at
    assert _events(db) == ["product.created", "product.updated"]


def test_an_update_that_changes_nothing_records_nothing(db: Database) -> None:
    # given
    with db.unit_of_work(actor="test") as uow:
        made = make_product(uow, price="10.00")
    # when
    with db.unit_of_work(actor="test") as uow:
        same = update_product(uow, product=made.sku, price="10", name=made.name)
    # then
    assert same == made
    assert _events(db) == ["product.created"]


def test_a_discontinued_product_cannot_go_back_to_draft(db: Database) -> None:
    # given
    with db.unit_of_work(actor="test") as uow:
        make_product(uow, sku="A-1", name="Anvil", status="discontinued")
    # when
    with pytest.raises(InvalidTransition), db.unit_of_work(actor="test") as uow:
        update_product(uow, product="A-1", status="draft", name="Renamed")
    # then
    with db.reader() as session:
        product = get_product(session, "A-1")
    assert (product.status, product.name) == (ProductStatus.DISCONTINUED, "Anvil")


def test_a_draft_product_is_listed_and_later_discontinued(db: Database) -> None:
    # given
    with db.unit_of_work(actor="test") as uow:
        made = make_product(uow, status=ProductStatus.DRAFT)
    # when
    with db.unit_of_work(actor="test") as uow:
        listed = update_product(uow, product=made.id, status="active")
    with db.unit_of_work(actor="test") as uow:
        ended = update_product(uow, product=made.id, status="discontinued")
    # then
    assert not made.orderable
    assert listed.orderable
    assert not ended.orderable
    assert _events(db).count("product.status_changed") == 2


def test_the_sku_of_a_product_never_changes(db: Database) -> None:
    # given
    with db.unit_of_work(actor="test") as uow:
        make_product(uow, sku="A-1")
    # when
    with pytest.raises(ValidationFailed) as caught, db.unit_of_work(actor="test") as uow:
        update_product(uow, product="A-1", **{"sku": "B-2"})  # type: ignore[arg-type]
    # then
    assert caught.value.fields[0].field == "sku"
    with db.reader() as session:
        assert find_product(session, "A-1") is not None


def test_upsert_creates_a_new_sku_and_updates_an_existing_one(db: Database) -> None:
    # given
    with db.unit_of_work(actor="test") as uow:
        make_product(uow, sku="A-1", price="10.00")
    # when
    with db.unit_of_work(actor="test") as uow:
        updated, created_a = upsert_product(uow, sku="A-1", name="Anvil", price="9.50")
        added, created_b = upsert_product(uow, sku="B-2", name="Bolt", price="0.35")
    # then
    assert (created_a, updated.price, updated.name) == (False, Decimal("9.50"), "Anvil")
    assert (created_b, added.price) == (True, Decimal("0.35"))


def test_products_are_listed_by_sku_one_page_after_another(db: Database) -> None:
    # given
    with db.unit_of_work(actor="test") as uow:
        for sku in ["C-3", "A-1", "E-5", "B-2", "D-4"]:
            make_product(uow, sku=sku)
    # when
    pages: list[list[str]] = []
    after = None
    with db.reader() as session:
        while True:
            items, more = list_products(session, after=after, limit=2)
            pages.append([p.sku for p in items])
            if not more:
                break
            after = items[-1].sku
    # then
    assert pages == [["A-1", "B-2"], ["C-3", "D-4"], ["E-5"]]


def test_the_product_list_filters_by_text_status_and_category(db: Database) -> None:
    # given
    with db.unit_of_work(actor="test") as uow:
        make_product(uow, sku="HAM-1", name="Claw hammer", category="tools")
        make_product(uow, sku="NAIL-1", name="Nails 50%", category="fixings")
        make_product(uow, sku="HAM-2", name="Sledge", category="tools", status="discontinued")
    # when
    with db.reader() as session:
        by_text = [p.sku for p in list_products(session, q="ham")[0]]
        by_name = [p.sku for p in list_products(session, q="CLAW")[0]]
        by_percent = [p.sku for p in list_products(session, q="%")[0]]
        active_tools = list_products(session, status=ProductStatus.ACTIVE, category="tools")[0]
    # then
    assert by_text == ["HAM-1", "HAM-2"]
    assert by_name == ["HAM-1"]
    assert by_percent == ["NAIL-1"]
    assert [p.sku for p in active_tools] == ["HAM-1"]


def test_products_are_fetched_by_sku_in_bulk(db: Database) -> None:
    # given
    with db.unit_of_work(actor="test") as uow:
        a, b = make_product(uow, sku="A-1"), make_product(uow, sku="B-2")
    # when
    with db.reader() as session:
        found = get_products_by_sku(session, ["A-1", "B-2", "NOPE"])
    # then
    assert found == {"A-1": a, "B-2": b}


def _add_a_product_then_fail(db: Database) -> None:
    with db.unit_of_work(actor="test") as uow:
        make_product(uow)
        raise RuntimeError("the caller failed after the product was added")


def test_a_rolled_back_unit_of_work_leaves_no_product_and_no_event(db: Database) -> None:
    # when
    with pytest.raises(RuntimeError):
        _add_a_product_then_fail(db)
    # then
    assert _count(db) == 0
    assert _events(db) == []


def test_two_simultaneous_creations_of_one_sku_give_one_product_and_one_conflict(
    db: Database,
) -> None:
    if db.settings.is_sqlite:
        pytest.skip("SQLite has one writer at a time: the second sees the first SKU early")
    # given: both transactions have checked the SKU is free before either inserts it
    both_checked = threading.Barrier(2, timeout=10)

    def wait_for_the_other(session: Session, _context: Any, _instances: Any) -> None:
        if any(isinstance(obj, Product) for obj in session.new):
            both_checked.wait()

    outcomes: list[str] = []

    def create(name: str) -> None:
        try:
            with db.unit_of_work(actor=name) as uow:
                create_product(uow, sku="RACE-1", name=name, price="1.00")
            outcomes.append("created")
        except SkuAlreadyExists:
            outcomes.append("sku_exists")

    # when
    event.listen(Session, "before_flush", wait_for_the_other)
    try:
        threads = [threading.Thread(target=create, args=(n,)) for n in ("first", "second")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        event.remove(Session, "before_flush", wait_for_the_other)
    # then
    assert sorted(outcomes) == ["created", "sku_exists"]
    assert _count(db) == 1
    assert _events(db) == ["product.created"]


def test_an_upsert_with_an_unstorable_sku_is_refused_before_any_lookup(db: Database) -> None:
    with pytest.raises(ValidationFailed) as caught, db.unit_of_work(actor="test") as uow:
        upsert_product(uow, sku="A\x00", name="Anvil", price="1")
    assert [f.field for f in caught.value.fields] == ["sku"]
