"""Customer services and queries against SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from ordersmith.customers.errors import CustomerNotFound
from ordersmith.customers.models import AccountType
from ordersmith.customers.queries import (
    find_customer,
    get_customer,
    list_customers,
    numbers_by_email,
)
from ordersmith.customers.services import create_customers, prepare_customer, update_customer
from ordersmith.errors import ValidationFailed
from ordersmith.uow import Database
from tests.factories.customers import make_customer


def _events(db: Database) -> list[str]:
    with db.reader() as session:
        query = sa.text("SELECT event_type FROM outbox_events ORDER BY created_at, id")
        return list(session.execute(query).scalars())


def _count(db: Database) -> int:
    with db.reader() as session:
        return int(session.execute(sa.text("SELECT count(*) FROM customers")).scalar_one())


def test_new_customers_get_the_next_numbers(db: Database) -> None:
    # when
    with db.unit_of_work(actor="test") as uow:
        first = make_customer(uow)
    with db.unit_of_work(actor="test") as uow:
        second = make_customer(uow)
    # then
    assert (first.number, second.number) == ("CUST-000001", "CUST-000002")
    assert _events(db) == ["customer.created", "customer.created"]


def test_a_cash_customer_pays_on_order_in_the_default_currency(db: Database) -> None:
    # when
    with db.unit_of_work(actor="test") as uow:
        made = make_customer(uow, account_type="cash", email="Ann@Example.com")
    # then
    with db.reader() as session:
        customer = get_customer(session, made.id)
    assert customer == made
    assert (customer.account_type, customer.payment_terms_days) == (AccountType.CASH, 0)
    assert (customer.credit_limit, customer.currency) == (None, db.settings.default_currency)
    assert (customer.customer_group, customer.email) == ("retail", "ann@example.com")


def test_an_account_customer_has_thirty_days_and_an_optional_credit_limit(db: Database) -> None:
    # when
    with db.unit_of_work(actor="test") as uow:
        plain = make_customer(uow, account_type="account")
    with db.unit_of_work(actor="test") as uow:
        limited = make_customer(uow, account_type="account", credit_limit="2500.50")
    # then
    assert (plain.payment_terms_days, plain.credit_limit) == (30, None)
    assert limited.credit_limit == Decimal("2500.50")


def test_an_invalid_customer_is_refused_before_a_number_is_taken(db: Database) -> None:
    # when
    with pytest.raises(ValidationFailed), db.unit_of_work(actor="test") as uow:
        make_customer(uow, account_type="cash", credit_limit="100")
    with db.unit_of_work(actor="test") as uow:
        made = make_customer(uow)
    # then
    assert made.number == "CUST-000001"
    assert _count(db) == 1


def test_a_customer_is_found_by_id_or_by_number_in_any_case(db: Database) -> None:
    # given
    with db.unit_of_work(actor="test") as uow:
        made = make_customer(uow)
    # when / then
    with db.reader() as session:
        assert get_customer(session, str(made.id)) == made
        assert get_customer(session, "cust-000001") == made
        assert find_customer(session, "CUST-999999") is None
        with pytest.raises(CustomerNotFound) as caught:
            get_customer(session, "nobody")
    assert caught.value.code == "customer_not_found"


def test_moving_a_customer_to_cash_clears_terms_and_credit_limit(db: Database) -> None:
    # given
    with db.unit_of_work(actor="test") as uow:
        made = make_customer(
            uow, account_type="account", payment_terms_days=60, credit_limit="1000"
        )
    # when
    with db.unit_of_work(actor="test") as uow:
        cash = update_customer(uow, customer=made.number, account_type="cash")
    # then
    assert (cash.account_type, cash.payment_terms_days, cash.credit_limit) == (
        AccountType.CASH,
        0,
        None,
    )
    assert _events(db)[-1] == "customer.updated"


def test_moving_a_customer_to_account_gives_thirty_days_unless_told(db: Database) -> None:
    # given
    with db.unit_of_work(actor="test") as uow:
        a = make_customer(uow)
    with db.unit_of_work(actor="test") as uow:
        b = make_customer(uow)
    # when
    with db.unit_of_work(actor="test") as uow:
        default = update_customer(uow, customer=a.id, account_type="account")
        custom = update_customer(
            uow, customer=b.id, account_type="account", payment_terms_days=14, credit_limit="50"
        )
    # then
    assert (default.payment_terms_days, default.credit_limit) == (30, None)
    assert (custom.payment_terms_days, custom.credit_limit) == (14, Decimal("50"))


def test_a_cash_customer_cannot_be_given_a_credit_limit(db: Database) -> None:
    # given
    with db.unit_of_work(actor="test") as uow:
        made = make_customer(uow)
    # when
    with pytest.raises(ValidationFailed) as caught, db.unit_of_work(actor="test") as uow:
        update_customer(uow, customer=made.id, credit_limit="100", name="")
    # then
    assert {f.field for f in caught.value.fields} == {"credit_limit", "name"}
    with db.reader() as session:
        assert get_customer(session, made.id) == made


def test_updating_a_customer_changes_only_the_given_fields(db: Database) -> None:
    # given
    with db.unit_of_work(actor="test") as uow:
        made = make_customer(uow, company="Acme", phone="+49 30 1234")
    # when
    with db.unit_of_work(actor="test") as uow:
        changed = update_customer(uow, customer=made.id, email="NEW@example.com")
    # then
    assert changed.email == "new@example.com"
    assert (changed.company, changed.phone, changed.number) == ("Acme", "+49 30 1234", made.number)


def test_the_number_of_a_customer_never_changes(db: Database) -> None:
    # given
    with db.unit_of_work(actor="test") as uow:
        made = make_customer(uow)
    # when / then
    with pytest.raises(ValidationFailed), db.unit_of_work(actor="test") as uow:
        update_customer(uow, customer=made.id, **{"number": "CUST-000099"})  # type: ignore[arg-type]
    with db.reader() as session:
        assert get_customer(session, made.id).number == made.number


def test_an_unknown_customer_cannot_be_updated(db: Database) -> None:
    with pytest.raises(CustomerNotFound), db.unit_of_work(actor="test") as uow:
        update_customer(uow, customer="CUST-000404", name="Nobody")


def test_a_batch_of_customers_is_numbered_in_order_in_one_unit_of_work(db: Database) -> None:
    # given
    batch = [
        prepare_customer(
            default_currency="EUR", name=f"C{i}", email=f"c{i}@example.com", account_type="cash"
        )
        for i in range(3)
    ]
    # when
    with db.unit_of_work(actor="test") as uow:
        made = create_customers(uow, customers=batch)
    # then
    assert [c.number for c in made] == ["CUST-000001", "CUST-000002", "CUST-000003"]
    with db.reader() as session:
        assert numbers_by_email(session, ["c1@example.com", "x@example.com"]) == {
            "c1@example.com": "CUST-000002"
        }


def test_customers_are_listed_newest_first_page_by_page(db: Database) -> None:
    # given
    for _ in range(5):
        with db.unit_of_work(actor="test") as uow:
            make_customer(uow)
    # when
    pages: list[list[str]] = []
    with db.reader() as session:
        after = None
        while True:
            items, more = list_customers(session, after=after, limit=2)
            pages.append([c.number[-1] for c in items])
            if not more:
                break
            after = (items[-1].created_at, items[-1].id)
    # then
    assert pages == [["5", "4"], ["3", "2"], ["1"]]


def test_customers_are_listed_by_number(db: Database) -> None:
    # given
    with db.unit_of_work(actor="test") as uow:
        create_customers(
            uow,
            customers=[
                prepare_customer(
                    default_currency="EUR", name=n, email=f"{n}@example.com", account_type="cash"
                )
                for n in ("a", "b", "c")
            ],
        )
    # when
    with db.reader() as session:
        first, more = list_customers(session, order="number", limit=2)
        rest, _ = list_customers(session, order="number", after_number=first[-1].number)
    # then
    assert [c.name for c in first] == ["a", "b"]
    assert more
    assert [c.name for c in rest] == ["c"]


def test_the_customer_list_filters_by_text_type_and_group(db: Database) -> None:
    # given
    with db.unit_of_work(actor="test") as uow:
        make_customer(uow, name="Ann Smith", email="ann@shop.example")
    with db.unit_of_work(actor="test") as uow:
        make_customer(uow, name="Bob", company="Smithy Ltd", account_type="account")
    with db.unit_of_work(actor="test") as uow:
        make_customer(uow, name="Cy", customer_group="wholesale", account_type="account")
    # when
    with db.reader() as session:
        smiths = [c.name for c in list_customers(session, q="SMITH")[0]]
        by_email = [c.name for c in list_customers(session, q="shop.example")[0]]
        by_number = [c.name for c in list_customers(session, q="cust-000003")[0]]
        accounts = [c.name for c in list_customers(session, account_type=AccountType.ACCOUNT)[0]]
        wholesale = [c.name for c in list_customers(session, customer_group="Wholesale")[0]]
    # then
    assert smiths == ["Bob", "Ann Smith"]
    assert by_email == ["Ann Smith"]
    assert by_number == ["Cy"]
    assert accounts == ["Cy", "Bob"]
    assert wholesale == ["Cy"]
