"""Price list services and queries against SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from ordersmith.catalog.errors import (
    PriceListCodeExists,
    PriceListItemNotFound,
    PriceListNotFound,
)
from ordersmith.catalog.price_lists import (
    PriceItemInput,
    remove_price_list_item,
    replace_price_list_items,
    set_price_list_item,
)
from ordersmith.catalog.queries import get_price_list, list_price_lists
from ordersmith.errors import ValidationFailed
from ordersmith.uow import Database
from tests.factories.catalog import make_price_list, make_product


@pytest.fixture
def shop(db: Database) -> Database:
    with db.unit_of_work(actor="test") as uow:
        make_product(uow, sku="A-1", price="12.50")
        make_product(uow, sku="B-2", price="0.35")
    return db


def _item_rows(db: Database) -> int:
    with db.reader() as session:
        return int(session.execute(sa.text("SELECT count(*) FROM price_list_items")).scalar_one())


def test_a_price_list_is_created_with_its_quantity_breaks(shop: Database) -> None:
    # when
    with shop.unit_of_work(actor="test") as uow:
        made = make_price_list(
            uow,
            code="WHOLESALE",
            customer_group="Wholesale",
            valid_from=date(2026, 1, 1),
            valid_to=date(2026, 12, 31),
            priority=5,
            items=[
                PriceItemInput("A-1", "10.00"),
                PriceItemInput("A-1", "9.00", min_quantity=10),
                PriceItemInput("B-2", "0.3"),
            ],
        )
    # then
    with shop.reader() as session:
        stored = get_price_list(session, "WHOLESALE")
    assert stored == made
    assert (stored.customer_group, stored.currency, stored.priority) == ("wholesale", "EUR", 5)
    assert [(i.sku, i.min_quantity, i.price) for i in stored.items] == [
        ("A-1", 1, Decimal("10.00")),
        ("A-1", 10, Decimal("9.00")),
        ("B-2", 1, Decimal("0.3")),
    ]


def test_a_price_list_with_bad_items_is_refused_naming_each_item(shop: Database) -> None:
    # when
    with pytest.raises(ValidationFailed) as caught, shop.unit_of_work(actor="test") as uow:
        make_price_list(
            uow,
            items=[
                PriceItemInput("A-1", "10.00"),
                PriceItemInput("NOPE", "1.00"),
                PriceItemInput("A-1", "9.00"),
                PriceItemInput("B-2", "-1", min_quantity=0),
            ],
        )
    # then
    assert [f.field for f in caught.value.fields] == [
        "items.3.price",
        "items.3.min_quantity",
        "items.1.sku",
        "items.2.min_quantity",
    ]
    with shop.reader() as session:
        assert list_price_lists(session) == ([], False)


def test_a_price_list_cannot_end_before_it_starts(shop: Database) -> None:
    with pytest.raises(ValidationFailed) as caught, shop.unit_of_work(actor="test") as uow:
        make_price_list(uow, valid_from=date(2026, 2, 1), valid_to=date(2026, 1, 31))
    assert [f.field for f in caught.value.fields] == ["valid_to"]


def test_a_second_price_list_with_the_same_code_is_refused(shop: Database) -> None:
    # given
    with shop.unit_of_work(actor="test") as uow:
        make_price_list(uow, code="WHOLESALE")
    # when / then
    with pytest.raises(PriceListCodeExists), shop.unit_of_work(actor="test") as uow:
        make_price_list(uow, code="WHOLESALE", items=[PriceItemInput("A-1", "1")])
    assert _item_rows(shop) == 0


def test_replacing_the_items_of_a_price_list_replaces_all_of_them(shop: Database) -> None:
    # given
    with shop.unit_of_work(actor="test") as uow:
        made = make_price_list(uow, items=[PriceItemInput("A-1", "10.00")])
    # when
    with shop.unit_of_work(actor="test") as uow:
        replaced = replace_price_list_items(
            uow,
            price_list=made.id,
            items=[PriceItemInput("B-2", "0.30"), PriceItemInput("B-2", "0.25", 100)],
        )
    # then
    assert [(i.sku, i.min_quantity) for i in replaced.items] == [("B-2", 1), ("B-2", 100)]
    assert _item_rows(shop) == 2


def test_replacing_items_with_a_bad_item_keeps_the_old_ones(shop: Database) -> None:
    # given
    with shop.unit_of_work(actor="test") as uow:
        made = make_price_list(uow, items=[PriceItemInput("A-1", "10.00")])
    # when
    with pytest.raises(ValidationFailed), shop.unit_of_work(actor="test") as uow:
        replace_price_list_items(uow, price_list=made.code, items=[PriceItemInput("NOPE", "1")])
    # then
    with shop.reader() as session:
        assert get_price_list(session, made.code).items == made.items


def test_removing_an_item_leaves_the_others(shop: Database) -> None:
    # given
    with shop.unit_of_work(actor="test") as uow:
        made = make_price_list(
            uow, items=[PriceItemInput("A-1", "10.00"), PriceItemInput("A-1", "9.00", 10)]
        )
    # when
    with shop.unit_of_work(actor="test") as uow:
        left = remove_price_list_item(uow, price_list=made.code, sku="A-1", min_quantity=10)
    # then
    assert [(i.sku, i.min_quantity) for i in left.items] == [("A-1", 1)]
    with pytest.raises(PriceListItemNotFound), shop.unit_of_work(actor="test") as uow:
        remove_price_list_item(uow, price_list=made.code, sku="A-1", min_quantity=10)
    with pytest.raises(PriceListItemNotFound), shop.unit_of_work(actor="test") as uow:
        remove_price_list_item(uow, price_list=made.code, sku="NOPE")


def test_setting_a_price_adds_it_or_changes_that_one_and_leaves_the_others(
    shop: Database,
) -> None:
    # given: A-1 at 11 from 1 unit and at 10 from 10 units
    with shop.unit_of_work(actor="test") as uow:
        made = make_price_list(
            uow, items=[PriceItemInput("A-1", "11"), PriceItemInput("A-1", "10", 10)]
        )
    # when: B-2 gets a price, then A-1 from 10 units a new one
    with shop.unit_of_work(actor="test") as uow:
        _, added_replaced = set_price_list_item(
            uow, price_list=made.code, item=PriceItemInput("B-2", "0.30")
        )
    with shop.unit_of_work(actor="test") as uow:
        after, changed_replaced = set_price_list_item(
            uow, price_list=made.id, item=PriceItemInput("A-1", "9.50", 10)
        )
    # then
    assert (added_replaced, changed_replaced) == (False, True)
    assert sorted((i.sku, i.min_quantity, i.price) for i in after.items) == [
        ("A-1", 1, Decimal("11")),
        ("A-1", 10, Decimal("9.50")),
        ("B-2", 1, Decimal("0.30")),
    ]


def test_a_price_that_cannot_be_set_is_refused_naming_the_field_and_changes_nothing(
    shop: Database,
) -> None:
    # given
    with shop.unit_of_work(actor="test") as uow:
        made = make_price_list(uow, items=[PriceItemInput("A-1", "11")])
    # when
    with pytest.raises(ValidationFailed) as refused, shop.unit_of_work(actor="test") as uow:
        set_price_list_item(uow, price_list=made.code, item=PriceItemInput("A-1", "-1"))
    with pytest.raises(ValidationFailed) as unknown, shop.unit_of_work(actor="test") as uow:
        set_price_list_item(uow, price_list=made.code, item=PriceItemInput("NOPE", "1"))
    # then
    assert [f.field for f in refused.value.fields] == ["price"]
    assert [f.field for f in unknown.value.fields] == ["sku"]
    with shop.reader() as session:
        assert [i.price for i in get_price_list(session, made.code).items] == [Decimal("11")]


def test_price_lists_are_listed_by_code_with_their_item_counts(shop: Database) -> None:
    # given
    with shop.unit_of_work(actor="test") as uow:
        make_price_list(uow, code="B", items=[PriceItemInput("A-1", "1")])
        make_price_list(uow, code="A", customer_group="retail", currency="USD")
        make_price_list(uow, code="C")
    # when
    with shop.reader() as session:
        first, more = list_price_lists(session, limit=2)
        rest, last = list_price_lists(session, after=first[-1].code, limit=2)
        usd = list_price_lists(session, currency="USD")[0]
        wholesale = list_price_lists(session, customer_group="wholesale")[0]
    # then
    assert [(p.code, p.item_count) for p in first] == [("A", 0), ("B", 1)]
    assert more
    assert [p.code for p in rest] == ["C"]
    assert not last
    assert [p.code for p in usd] == ["A"]
    assert [p.code for p in wholesale] == ["B", "C"]


def test_a_price_list_is_found_by_code_or_id_and_otherwise_not_found(shop: Database) -> None:
    # given
    with shop.unit_of_work(actor="test") as uow:
        made = make_price_list(uow)
    # when / then
    with shop.reader() as session:
        assert get_price_list(session, made.code) == get_price_list(session, str(made.id)) == made
        with pytest.raises(PriceListNotFound):
            get_price_list(session, "NOPE")
    with pytest.raises(PriceListNotFound), shop.unit_of_work(actor="test") as uow:
        replace_price_list_items(uow, price_list="NOPE", items=[])
