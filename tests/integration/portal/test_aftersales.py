"""The portal's after-sales reads, scoped to the signed-in customer: my returns (newest
first, keyset pages), a return with where to send its parcel (the return label's
recipient), a case without its internal notes, and another customer's return or case
not found (404, like an unknown one)."""

from __future__ import annotations

import pytest

from ordersmith.customer_service.errors import CaseClosed
from ordersmith.customer_service.models import Party
from ordersmith.customer_service.notes import add_note
from ordersmith.customer_service.views import CaseView
from ordersmith.errors import NotFound
from ordersmith.portal.queries import customer_case, customer_return, my_returns
from ordersmith.portal.sessions import PORTAL_PERMISSIONS
from ordersmith.returns.models import RequestedBy
from tests.factories.cases import close, make_case, note, resolve
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


def test_a_case_read_for_the_portal_has_no_internal_notes_and_is_the_customers_own(
    shop: Shop,
) -> None:
    # given Ann's case with her message, an internal note and an answer to her
    case = make_case(
        shop.db, shop.cash.id, opened_by=Party.CUSTOMER, description="Where is my parcel?"
    )
    note(shop.db, case, "courier lost it")
    note(shop.db, case, "It is on its way again.", "customer")
    # when her portal and Bob's read it
    with shop.db.reader() as session:
        hers = customer_case(session, shop.cash.id, case.number)
        with pytest.raises(NotFound) as bobs:
            customer_case(session, shop.trade.id, case.number)
    # then she sees her message and the answer only; Bob's portal does not find it
    assert [(n.author_kind, n.body) for n in hers.notes] == [
        ("customer", "Where is my parcel?"),
        ("staff", "It is on its way again."),
    ]
    assert hers.note_count == 2
    assert bobs.value.code == "case_not_found"


def _reply(shop: Shop, case: CaseView, body: str) -> CaseView:
    """Ann's reply as the portal sends it: her note, in a unit of work with the portal's
    permissions."""
    portal = shop.db.unit_of_work(actor="portal:ann@example.com", permissions=PORTAL_PERMISSIONS)
    with portal as uow:
        return add_note(
            uow, case_id=case.id, body=body, visibility="customer", author_kind=Party.CUSTOMER
        )


def test_a_portal_reply_reopens_a_resolved_case_and_a_closed_case_refuses_it(
    shop: Shop,
) -> None:
    # given two resolved cases of Ann's, one of them then closed
    reopened, closed = (
        resolve(shop.db, make_case(shop.db, shop.cash.id, subject=subject))
        for subject in ("Reopened", "Closed")
    )
    close(shop.db, closed)
    # when she replies to each from the portal
    answered = _reply(shop, reopened, "Not solved.")
    with pytest.raises(CaseClosed):
        _reply(shop, closed, "Thanks.")
    # then the first is open again with her reply; the closed one took nothing
    assert answered.status == "open"
    assert answered.notes[-1].author == "portal:ann@example.com"
    with shop.db.reader() as session:
        assert customer_case(session, shop.cash.id, closed.number).notes == ()
