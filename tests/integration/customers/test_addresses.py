"""Customer addresses and their defaults against SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from ordersmith.customers.errors import CustomerNotFound
from ordersmith.customers.models import AddressKind
from ordersmith.customers.queries import CustomerView, default_address, list_addresses
from ordersmith.customers.services import add_address
from ordersmith.errors import ValidationFailed
from ordersmith.uow import Database
from tests.factories.customers import make_address, make_customer


@pytest.fixture
def customer(db: Database) -> CustomerView:
    with db.unit_of_work(actor="test") as uow:
        return make_customer(uow)


def _defaults(db: Database, customer: CustomerView) -> list[tuple[str, str]]:
    with db.reader() as session:
        return [
            (a.kind.value, a.line1) for a in list_addresses(session, customer.id) if a.is_default
        ]


def test_the_first_address_of_a_kind_becomes_its_default(
    db: Database, customer: CustomerView
) -> None:
    # when
    with db.unit_of_work(actor="test") as uow:
        shipping = add_address(uow, customer=customer.id, address=make_address(line1="Dock 1"))
        billing = add_address(
            uow, customer=customer.number, address=make_address(kind="billing", line1="Office")
        )
        second = add_address(uow, customer=customer.id, address=make_address(line1="Dock 2"))
    # then
    assert shipping.is_default
    assert billing.is_default
    assert not second.is_default
    assert sorted(_defaults(db, customer)) == [("billing", "Office"), ("shipping", "Dock 1")]


def test_a_new_default_replaces_the_old_one(db: Database, customer: CustomerView) -> None:
    # given
    with db.unit_of_work(actor="test") as uow:
        add_address(uow, customer=customer.id, address=make_address(line1="Old dock"))
    # when
    with db.unit_of_work(actor="test") as uow:
        add_address(
            uow, customer=customer.id, address=make_address(line1="New dock", is_default=True)
        )
    # then
    assert _defaults(db, customer) == [("shipping", "New dock")]
    with db.reader() as session:
        found = default_address(session, customer.id, AddressKind.SHIPPING)
    assert found is not None
    assert found.line1 == "New dock"


def test_there_is_no_default_address_of_a_kind_the_customer_has_none_of(
    db: Database, customer: CustomerView
) -> None:
    # given
    with db.unit_of_work(actor="test") as uow:
        add_address(uow, customer=customer.id, address=make_address(kind="shipping"))
    # when
    with db.reader() as session:
        billing = default_address(session, customer.id, AddressKind.BILLING)
    # then
    assert billing is None


def test_a_new_customer_with_several_addresses_has_one_default_per_kind(db: Database) -> None:
    # when
    with db.unit_of_work(actor="test") as uow:
        made = make_customer(
            uow,
            addresses=[
                make_address(line1="Dock 1"),
                make_address(line1="Dock 2", is_default=True),
                make_address(kind="billing", line1="Office"),
                make_address(line1="Dock 3"),
            ],
        )
    # then
    assert sorted(_defaults(db, made)) == [("billing", "Office"), ("shipping", "Dock 2")]
    with db.reader() as session:
        listed = [(a.kind.value, a.line1) for a in list_addresses(session, made.id)]
        shipping = [a.line1 for a in list_addresses(session, made.id, kind=AddressKind.SHIPPING)]
    assert listed[0] == ("billing", "Office")
    assert listed[1] == ("shipping", "Dock 2")
    assert shipping == ["Dock 2", "Dock 1", "Dock 3"]


def test_an_invalid_address_is_refused_and_not_stored(db: Database, customer: CustomerView) -> None:
    # when
    with pytest.raises(ValidationFailed) as caught, db.unit_of_work(actor="test") as uow:
        add_address(
            uow, customer=customer.id, address=make_address(kind="office", city="", country="DEU")
        )
    # then
    assert {f.field for f in caught.value.fields} == {"kind", "city", "country"}
    with db.reader() as session:
        assert list_addresses(session, customer.id) == []


def test_an_address_cannot_be_added_to_an_unknown_customer(db: Database) -> None:
    with pytest.raises(CustomerNotFound), db.unit_of_work(actor="test") as uow:
        add_address(uow, customer="CUST-000404", address=make_address())


def test_an_address_snapshot_copies_what_an_order_keeps(
    db: Database, customer: CustomerView
) -> None:
    # given
    with db.unit_of_work(actor="test") as uow:
        address = add_address(uow, customer=customer.id, address=make_address(country="de"))
    # when
    snapshot = address.snapshot()
    # then
    assert snapshot == {
        "name": "Goods in",
        "line1": "1 Example Street",
        "line2": "",
        "city": "Berlin",
        "region": "",
        "postcode": "10115",
        "country": "DE",
    }
