"""Everything the portal reads or changes is scoped to the signed-in customer: another
customer's order, invoice, return, case or address is not found (404, like an unknown
one), and the portal's permissions refuse staff-only work."""

from __future__ import annotations

import pytest

from ordersmith.billing.queries import get_invoice, list_invoices
from ordersmith.customers.addresses import set_default_address, update_address
from ordersmith.customers.errors import AddressNotFound
from ordersmith.customers.queries import list_addresses
from ordersmith.customers.services import AddressInput
from ordersmith.errors import Forbidden, NotFound, ValidationFailed
from ordersmith.orders.services import cancel_order
from ordersmith.portal.queries import customer_order, my_orders
from ordersmith.portal.reorder import place_reorder, preview_reorder
from ordersmith.portal.services import invite_account
from ordersmith.portal.sessions import PORTAL_PERMISSIONS
from ordersmith.uow import UnitOfWork
from tests.factories.fulfillment import make_courier
from tests.factories.inventory import stock_up
from tests.factories.returns import delivered_order
from tests.integration.conftest import Shop


@pytest.fixture
def shop(shop: Shop) -> Shop:
    make_courier(shop.db)
    stock_up(shop.db, {("MAIN", "A-1"): 10, ("MAIN", "B-2"): 10})
    return shop


def _portal(shop: Shop) -> UnitOfWork:
    return shop.db.unit_of_work(actor="portal:ann@example.com", permissions=PORTAL_PERMISSIONS)


def test_another_customers_order_and_invoice_are_not_found_for_the_portal(shop: Shop) -> None:
    # given Bob's delivered order, invoiced at dispatch (he has an account)
    bobs = delivered_order(shop.db, shop.trade.id, ("A-1", 2))
    with shop.db.reader() as session:
        (invoice,) = list_invoices(session, customer_id=shop.trade.id)
    # when Ann's portal asks for them by number
    # then they are not found, as an unknown number would be; Bob sees his own
    with shop.db.reader() as session:
        with pytest.raises(NotFound) as order_error:
            customer_order(session, shop.cash.id, bobs.number)
        with pytest.raises(NotFound) as invoice_error:
            get_invoice(session, invoice.number, customer_id=shop.cash.id)
        bobs_page = customer_order(session, shop.trade.id, bobs.number)
        assert my_orders(session, shop.cash.id, limit=10) == []
    assert order_error.value.status == invoice_error.value.status == 404
    assert [i.number for i in bobs_page.invoices] == [invoice.number]
    with pytest.raises(NotFound), _portal(shop) as uow:
        preview_reorder(uow, customer_id=shop.cash.id, order=bobs.number)


def test_another_customers_address_is_not_found_and_nothing_changes(shop: Shop) -> None:
    # given Ann's shipping address
    with shop.db.reader() as session:
        (anns,) = list_addresses(session, shop.cash.id)
    # when Bob's portal tries to edit it or make it his default
    change = AddressInput(kind="shipping", line1="9 Elsewhere", city="Paris", country="FR")
    with pytest.raises(AddressNotFound), _portal(shop) as uow:
        update_address(uow, customer=shop.trade.id, address_id=anns.id, address=change)
    with pytest.raises(AddressNotFound), _portal(shop) as uow:
        set_default_address(uow, customer=shop.trade.id, address_id=anns.id)
    # then Ann's address is as it was
    with shop.db.reader() as session:
        assert list_addresses(session, shop.cash.id) == [anns]


def test_the_portal_may_not_do_staff_work(shop: Shop) -> None:
    # given Ann's placed order
    order = delivered_order(shop.db, shop.cash.id, ("B-2", 1))
    # when her portal tries to cancel it or to invite someone
    # then both are refused by the services themselves
    with pytest.raises(Forbidden), _portal(shop) as uow:
        cancel_order(uow, order_id=order.id)
    assert "orders:manage" not in PORTAL_PERMISSIONS
    nobody = shop.db.unit_of_work(actor="test", permissions=frozenset())
    with pytest.raises(Forbidden), nobody as uow:
        invite_account(uow, customer=shop.cash.number)


def test_reorder_places_the_same_lines_at_todays_price_to_the_default_address(
    shop: Shop,
) -> None:
    # given Ann's delivered order of 2 anvils
    order = delivered_order(shop.db, shop.cash.id, ("A-1", 2))
    # when she orders it again from the portal
    with _portal(shop) as uow:
        placed = place_reorder(uow, customer_id=shop.cash.id, order=order.number)
    # then a new web order of the same lines goes to her default shipping address
    assert placed.number != order.number
    assert placed.channel == "web"
    assert [(line.sku, line.quantity) for line in placed.lines] == [("A-1", 2)]
    assert placed.shipping_address["city"] == "Berlin"


def test_reordering_when_nothing_is_available_is_refused(shop: Shop) -> None:
    # given Ann's order of 10 bolts, and no bolts left in stock
    order = delivered_order(shop.db, shop.cash.id, ("B-2", 10))
    # when she orders it again
    # then it is refused with a code and nothing is placed
    with pytest.raises(ValidationFailed) as refused, _portal(shop) as uow:
        place_reorder(uow, customer_id=shop.cash.id, order=order.number)
    assert refused.value.code == "nothing_to_reorder"
    with _portal(shop) as uow:
        preview = preview_reorder(uow, customer_id=shop.cash.id, order=order.number)
    assert preview.quote is None
    assert [(u.sku, u.why) for u in preview.unavailable] == [("B-2", "out of stock")]
