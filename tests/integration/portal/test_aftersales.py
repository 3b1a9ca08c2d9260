"""The portal's after-sales reads, scoped to the signed-in customer: my returns (newest
first, keyset pages), a return with where to send its parcel (the return label's
recipient), and another customer's return not found (404, like an unknown one)."""

from __future__ import annotations

import pytest

from ordersmith.errors import NotFound
from ordersmith.portal.queries import customer_return, my_returns
from ordersmith.returns.models import RequestedBy
from tests.factories.fulfillment import make_courier
from tests.factories.inventory import make_warehouse, stock_up
from tests.factories.returns import ask, authorise, delivered_order
from tests.integration.conftest import Shop


@pytest.fixture
def shop(shop: Shop) -> Shop:
    make_courier(shop.db)
    stock_up(shop.db, {("MAIN", "A-1"): 20, ("MAIN", "B-2"): 20})
    return shop


def test_my_returns_are_the_customers_own_newest_first_in_keyset_pages(shop: Shop) -> None:
    # given three returns of Ann's and one of Bob's
    anns = [
        ask(shop.db, delivered_order(shop.db, shop.cash.id, ("A-1", n)), (1, 1, "damaged"))
        for n in (1, 2, 3)
    ]
    bobs = ask(shop.db, delivered_order(shop.db, shop.trade.id, ("B-2", 1)), (1, 1, "late"))
    # when her portal reads her returns two at a time
    with shop.db.reader() as session:
        first = my_returns(session, shop.cash.id, limit=2)
        last = first[-1]
        rest = my_returns(session, shop.cash.id, limit=2, before=(last.created_at, last.id))
    # then she sees her three, newest first, and never Bob's
    numbers = [r.number for r in first + rest]
    assert numbers == [r.number for r in reversed(anns)]
    assert bobs.number not in numbers


def test_another_customers_return_is_not_found_like_an_unknown_one(shop: Shop) -> None:
    # given Bob's return
    bobs = ask(
        shop.db,
        delivered_order(shop.db, shop.trade.id, ("A-1", 1)),
        (1, 1, "damaged"),
        requested_by=RequestedBy.CUSTOMER,
        customer_id=shop.trade.id,
    )
    # when Ann's portal and then Bob's ask for it, and Ann's for an unknown number
    with shop.db.reader() as session:
        with pytest.raises(NotFound) as theirs:
            customer_return(session, shop.db.settings, shop.cash.id, bobs.number)
        with pytest.raises(NotFound) as unknown:
            customer_return(session, shop.db.settings, shop.cash.id, "RMA-1999-999999")
        own = customer_return(session, shop.db.settings, shop.trade.id, bobs.number.lower())
    # then Ann gets the same 404 for both; Bob gets his return with its line
    assert theirs.value.code == unknown.value.code == "return_not_found"
    assert theirs.value.status == 404
    assert own.rma.number == bobs.number
    assert [(line.sku, line.quantity) for line in own.rma.lines] == [("A-1", 1)]


def test_the_parcel_goes_back_to_the_returns_warehouse_or_else_to_the_company(
    shop: Shop,
) -> None:
    # given two returns of Ann's: one authorised to MAIN (no address), one to a
    # returns centre with an address
    with shop.db.unit_of_work(actor="test") as uow:
        make_warehouse(uow, code="RET", name="Returns centre", city="Hamburg", postcode="20095")
    to_main, to_centre = (
        authorise(
            shop.db,
            ask(shop.db, delivered_order(shop.db, shop.cash.id, ("A-1", n)), (1, 1, "damaged")),
            warehouse=code,
        )
        for n, code in ((1, "MAIN"), (2, "RET"))
    )
    # when her portal reads each of them
    with shop.db.reader() as session:
        main = customer_return(session, shop.db.settings, shop.cash.id, to_main.number)
        centre = customer_return(session, shop.db.settings, shop.cash.id, to_centre.number)
    # then the first parcel goes to the company's address, the second to the returns
    # centre's, under the company's name
    settings = shop.db.settings
    assert main.send_to.name == settings.company_name
    assert list(main.send_to.address_lines) == settings.company_address.splitlines()
    assert centre.send_to.name == f"{settings.company_name} — Returns centre"
    assert centre.send_to.address_lines == ("1 Dock Rd", "20095 Hamburg", "DE")
