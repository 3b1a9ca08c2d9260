"""Duplicate detection by each rule, and the customer 360 in a bounded number of statements."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from ordersmith.customers.contacts import add_contact
from ordersmith.customers.duplicates import find_duplicates
from ordersmith.customers.overview import customer_overview
from ordersmith.customers.services import create_customer
from tests.factories.customers import make_address, make_tier, merge, recalc
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place
from tests.integration.conftest import Shop

D = Decimal


def _customer(shop: Shop, name: str, email: str, phone: str = "", postcode: str = ""):
    addresses = [make_address(postcode=postcode)] if postcode else []
    with shop.db.unit_of_work(actor="test") as uow:
        return create_customer(
            uow, name=name, email=email, phone=phone, account_type="cash", addresses=addresses
        )


def test_duplicates_are_found_by_email_phone_and_name_with_postcode(shop: Shop) -> None:
    # given pairs sharing an email (any case), a phone written two ways, a name and postcode
    other = _customer(shop, "Ann Other", "ANN@example.com")  # the shop's Ann: ann@example.com
    a = _customer(shop, "Carl", "carl@example.com", phone="+49 (30) 123-45")
    b = _customer(shop, "Karl", "karl@example.com", phone="4930 12345")
    c = _customer(shop, "Dora O'Neil", "dora@example.com", postcode="10115")
    d = _customer(shop, "dora oneil", "d.oneil@example.com", postcode="10 115")
    _customer(shop, "Dora O'Neil", "dora2@example.com", postcode="20095")  # elsewhere
    # when
    with shop.db.reader() as session:
        groups, more = find_duplicates(session)
    # then
    found = {(g.rule, g.key): {m.number for m in g.customers} for g in groups}
    assert found == {
        ("email", "ann@example.com"): {shop.cash.number, other.number},
        ("phone", "493012345"): {a.number, b.number},
        ("name_postcode", "doraoneil|10115"): {c.number, d.number},
    }
    assert not more


def test_duplicates_page_by_rule_and_key_and_leave_merged_customers_out(shop: Shop) -> None:
    # given two email pairs
    _customer(shop, "Ann Other", "ann@example.com")
    dup = _customer(shop, "Bob Other", "bob@example.com")
    # when
    with shop.db.reader() as session:
        first, more = find_duplicates(session, rule="email", limit=1)
        second, _ = find_duplicates(session, rule="email", after=("email", first[0].key), limit=1)
    # then
    assert [g.key for g in first + second] == ["ann@example.com", "bob@example.com"]
    assert more
    # and once merged the pair is gone
    merge(shop.db, shop.trade.id, dup.id)
    with shop.db.reader() as session:
        left, _ = find_duplicates(session, rule="email")
    assert [g.key for g in left] == ["ann@example.com"]


def test_the_overview_shows_tier_orders_and_lifetime_value_in_few_statements(shop: Shop) -> None:
    # given Ann with 2 orders (30.00 each incl. tax), silver, one contact
    stock_up(shop.db, {("MAIN", "A-1"): 10})
    for _ in range(2):
        place(shop.db, order_request(shop.cash.id, ("A-1", 2)))
    with shop.db.unit_of_work(actor="test") as uow:
        make_tier(uow, "silver", rank=1, min_orders=2)
        add_contact(uow, customer=shop.cash.id, name="Ann", role="owner")
    recalc(shop.db)
    statements: list[str] = []
    sa.event.listen(shop.db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    # when
    with shop.db.reader() as session:
        view = customer_overview(session, shop.cash.number)
    # then
    assert view.tier is not None
    assert (view.tier.tier.code, view.tier.orders) == ("silver", 2)
    assert (view.orders.count, view.orders.open, view.orders.lifetime_value) == (2, 2, D("60.00"))
    assert view.orders.spend_last_12_months == D("60.00")
    assert [c.name for c in view.contacts] == ["Ann"]
    assert [h.action for h in view.history][:2] == ["tier_changed", "contact_added"]
    assert len(statements) <= 25


def test_placing_an_order_for_a_tiered_customer_takes_no_extra_statement(shop: Shop) -> None:
    # given Ann silver with a tier price list, and one order placed to warm up
    stock_up(shop.db, {("MAIN", "A-1"): 10})
    with shop.db.unit_of_work(actor="test") as uow:
        make_tier(uow, "silver", rank=1, min_orders=1)
    place(shop.db, order_request(shop.cash.id, ("A-1", 1)))
    recalc(shop.db)
    place(shop.db, order_request(shop.trade.id, ("A-1", 1)))
    statements: list[str] = []
    sa.event.listen(shop.db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    # when
    place(shop.db, order_request(shop.cash.id, ("A-1", 1)))
    # then (ADR 0006: at most 13 per order, whatever the customer's tier)
    assert len([s for s in statements if not s.lstrip().upper().startswith("BEGIN")]) <= 13
