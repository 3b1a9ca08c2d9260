"""Pure customer rules: emails, account terms, default addresses, event names."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordersmith.customers.events import CustomerAddressAdded, CustomerCreated
from ordersmith.customers.models import AccountType, AddressKind
from ordersmith.customers.services import (
    AddressInput,
    choose_defaults,
    email_address,
    prepare_customer,
)
from ordersmith.errors import ValidationFailed


def _prepare(**overrides: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "default_currency": "EUR",
        "name": "Ada",
        "email": "ada@example.com",
        "account_type": "cash",
    }
    return prepare_customer(**{**fields, **overrides}).values  # type: ignore[arg-type]


@given(st.emails().filter(lambda e: len(e) <= 254))
def test_ordinary_email_addresses_are_accepted_and_stored_lower_case(email: str) -> None:
    assert email_address(email) == email.lower()


@pytest.mark.parametrize(
    "email",
    ["ada", "@example.com", "ada@", "ada@example", "ada@.com", "ada@example..com",
     "ada @example.com", "ada@example.com.", "a@b@example.com"],
)  # fmt: skip
def test_malformed_email_addresses_are_refused(email: str) -> None:
    with pytest.raises(ValueError, match="not a valid email"):
        email_address(email)


def test_a_cash_customer_pays_on_order_and_has_no_credit_limit() -> None:
    # when
    values = _prepare(account_type="cash")
    # then
    assert values["payment_terms_days"] == 0
    assert values["credit_limit"] is None


def test_a_cash_customer_with_terms_or_a_credit_limit_is_refused() -> None:
    # when
    with pytest.raises(ValidationFailed) as caught:
        _prepare(account_type="cash", payment_terms_days=14, credit_limit="500")
    # then
    assert {f.field for f in caught.value.fields} == {"payment_terms_days", "credit_limit"}


def test_an_account_customer_gets_thirty_days_unless_told_otherwise() -> None:
    # when
    default = _prepare(account_type="account")
    custom = _prepare(account_type="account", payment_terms_days=60, credit_limit="2500.00")
    # then
    assert (default["payment_terms_days"], default["credit_limit"]) == (30, None)
    assert (custom["payment_terms_days"], custom["credit_limit"]) == (60, Decimal("2500.00"))


def test_preparing_a_customer_reports_every_problem_at_once() -> None:
    # given
    bad_address = AddressInput(kind="home", line1="", city="Berlin", country="Germany")
    # when
    with pytest.raises(ValidationFailed) as caught:
        _prepare(
            name="", email="nope", account_type="credit", currency="€", addresses=[bad_address]
        )
    # then
    assert {f.field for f in caught.value.fields} == {
        "name",
        "email",
        "account_type",
        "currency",
        "addresses.0.kind",
        "addresses.0.line1",
        "addresses.0.country",
    }


def test_preparing_a_customer_normalises_group_email_and_country() -> None:
    # when
    new = prepare_customer(
        default_currency="EUR",
        name=" Ada ",
        email="Ada@Example.COM",
        account_type=AccountType.CASH,
        customer_group="Wholesale",
        addresses=[AddressInput(kind="billing", line1="1 Road", city="Paris", country="fr")],
    )
    # then
    assert new.values["name"] == "Ada"
    assert new.values["email"] == "ada@example.com"
    assert new.values["customer_group"] == "wholesale"
    assert new.addresses[0]["country"] == "FR"
    assert new.addresses[0]["is_default"] is True


requests = st.lists(st.tuples(st.sampled_from(list(AddressKind)), st.booleans()), max_size=8)


@given(requests)
def test_exactly_one_address_of_each_kind_is_the_default(
    addresses: list[tuple[AddressKind, bool]],
) -> None:
    # when
    defaults = choose_defaults([k for k, _ in addresses], [w for _, w in addresses])
    # then
    for kind in {k for k, _ in addresses}:
        of_kind = [i for i, (k, _) in enumerate(addresses) if k == kind]
        chosen = [i for i in of_kind if defaults[i]]
        wanted = [i for i in of_kind if addresses[i][1]]
        assert len(chosen) == 1
        assert chosen[0] == (wanted[-1] if wanted else of_kind[0])


def test_customer_events_are_named_in_the_past_tense_under_their_aggregate() -> None:
    assert CustomerCreated.event_type() == "customer.created"
    assert CustomerAddressAdded.event_type() == "customer.address_added"
