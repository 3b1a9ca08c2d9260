"""The back office's customer search (number, name start, e-mail, phone digits) and tier
filter, and the permission checks of the services its pages call."""

from __future__ import annotations

import pytest

from ordersmith.auth.permissions import Permission
from ordersmith.customers.contacts import add_contact
from ordersmith.customers.merge import merge_customers, unmerge_customer
from ordersmith.customers.queries import list_customers
from ordersmith.customers.services import create_customer
from ordersmith.errors import Forbidden
from tests.factories.customers import make_tier, merge, recalc
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place
from tests.integration.conftest import Shop


def _customer(shop: Shop, name: str, email: str, **values: str):
    with shop.db.unit_of_work(actor="test") as uow:
        return create_customer(uow, name=name, email=email, account_type="cash", **values)


def _found(shop: Shop, **kw) -> list[str]:
    with shop.db.reader() as session:
        rows, _more = list_customers(session, **kw)
    return [c.number for c in rows]


def test_the_search_matches_a_number_a_name_start_an_email_and_a_phone(shop: Shop) -> None:
    # given
    zoe = _customer(shop, "Zoe Quill", "zoe@example.com", phone="+49 (30) 987-654")
    zack = _customer(shop, "Zack Quill", "zack@example.com", company="Quill Works")
    # when / then: the number in any case, the e-mail in any case
    assert _found(shop, search=zoe.number.lower()) == [zoe.number]
    assert _found(shop, search="ZACK@Example.com") == [zack.number]
    # a name's start as typed or lower case; newest first
    assert _found(shop, search="z") == [zack.number, zoe.number]
    assert _found(shop, search="Zoe Q") == [zoe.number]
    # a phone written another way
    assert _found(shop, search="4930 987654") == [zoe.number]
    # no substring of a name, a company or a phone: that would scan every customer
    assert _found(shop, search="Quill") == []
    assert _found(shop, search="987") == []
    # text that cannot be stored matches nothing
    assert _found(shop, search="zo\x00e") == []


def test_the_search_and_the_tier_filter_leave_out_merged_customers_and_page(
    shop: Shop,
) -> None:
    # given: three Yaras; two ordered and reach the tier; one is merged into another
    yaras = [_customer(shop, f"Yara {n}", f"yara{n}@example.com") for n in range(3)]
    stock_up(shop.db, {("MAIN", "A-1"): 10})
    for c in yaras[1:]:
        place(shop.db, order_request(c.id, ("A-1", 1)))
    with shop.db.unit_of_work(actor="test") as uow:
        make_tier(uow, "silver", rank=10, min_orders=1)
    recalc(shop.db)
    # when: a page of one, then the next
    with shop.db.reader() as session:
        first, more = list_customers(session, search="yara", limit=2)
        rest, more_after = list_customers(
            session, search="yara", after=(first[-1].created_at, first[-1].id), limit=2
        )
    # then
    assert [c.number for c in first] == [yaras[2].number, yaras[1].number]
    assert more is True
    assert [c.number for c in rest] == [yaras[0].number]
    assert more_after is False
    assert _found(shop, search="yara", tier="silver") == [yaras[2].number, yaras[1].number]
    # when: one silver Yara is merged into the other
    merge(shop.db, yaras[1].id, yaras[2].id)
    # then
    assert _found(shop, search="yara", tier="silver") == [yaras[1].number]
    assert _found(shop, search=yaras[2].number) == []


def test_contacts_and_merges_need_their_permissions_in_the_service(shop: Shop) -> None:
    # given: a person who may read and write customers but not merge them
    a = _customer(shop, "Vic One", "vic@example.com")
    b = _customer(shop, "Vic Two", "vic@example.com")
    reader = frozenset({Permission.CUSTOMERS_READ})
    writer = reader | {Permission.CUSTOMERS_WRITE}
    # when / then: a contact needs customers:write
    with pytest.raises(Forbidden), shop.db.unit_of_work(actor="u", permissions=reader) as uow:
        add_contact(uow, customer=a.number, name="Nobody")
    with shop.db.unit_of_work(actor="u", permissions=writer) as uow:
        add_contact(uow, customer=a.number, name="Somebody")
    # a merge and its undo need customers:merge
    with pytest.raises(Forbidden), shop.db.unit_of_work(actor="u", permissions=writer) as uow:
        merge_customers(uow, survivor_id=a.id, duplicate_id=b.id, reason="same")
    done = merge(shop.db, a.id, b.id)
    with pytest.raises(Forbidden), shop.db.unit_of_work(actor="u", permissions=writer) as uow:
        unmerge_customer(uow, merge_id=done.id, reason="not the same")
    with shop.db.unit_of_work(actor="u", permissions=writer | {Permission.CUSTOMERS_MERGE}) as uow:
        assert unmerge_customer(uow, merge_id=done.id, reason="not the same").undone_at
