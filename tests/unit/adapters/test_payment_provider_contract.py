"""The payment-provider contract: every PaymentProvider passes the same assertions.

A new implementation (a gateway's adapter, or its test double) is added to
IMPLEMENTATIONS with a card token and a reference that it accepts; the rest of the file
is the behaviour of the built-in ManualProvider and SandboxProvider.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordersmith.adapters.payments import (
    CardNumberRefused,
    ManualProvider,
    PaymentProvider,
    SandboxProvider,
    looks_like_card_number,
    refuse_card_numbers,
)
from ordersmith.errors import ValidationFailed

D = Decimal
CARD_NUMBERS = [
    "4111111111111111",  # Visa, 16
    "4111 1111 1111 1111",
    "4111-1111-1111-1111",
    "378282246310005",  # Amex, 15
    "3782 822463 10005",
    "6759649826438453",  # Maestro
    "501800000009",  # 12 digits
    "6304000000000000000",  # 19 digits
]


@dataclass(frozen=True)
class Implementation:
    make: Callable[[], PaymentProvider]
    card_token: str
    """A token this provider accepts for a card it authorises."""
    reference: str


IMPLEMENTATIONS = {
    "manual": Implementation(ManualProvider, card_token="4242", reference="TERM-7 TX 000451"),
    "sandbox": Implementation(SandboxProvider, card_token="tok_4242", reference="SO-2026-000001"),
}


@pytest.fixture(params=list(IMPLEMENTATIONS))
def impl(request: pytest.FixtureRequest) -> Implementation:
    return IMPLEMENTATIONS[request.param]


# -- the contract ------------------------------------------------------------------------


def test_an_authorised_card_gives_a_reference_that_fits_the_payments_table_and_its_last4(impl):
    # given
    provider = impl.make()
    # when
    auth = provider.authorise(D("25.00"), "EUR", impl.card_token, impl.reference)
    # then
    assert auth.status == "authorised"
    assert 1 <= len(auth.provider_reference) <= 120
    assert auth.last4 == "" or (len(auth.last4) == 4 and auth.last4.isdigit())
    assert 1 <= len(provider.name) <= 40


def test_the_authorised_amount_is_captured_and_can_be_refunded_in_parts(impl):
    # given
    provider = impl.make()
    auth = provider.authorise(D("25.00"), "EUR", impl.card_token, impl.reference)
    # when
    capture = provider.capture(auth.provider_reference, D("25.00"))
    first = provider.refund(capture.provider_reference, D("10.00"))
    second = provider.refund(capture.provider_reference, D("15.00"))
    # then
    assert (capture.provider_reference, capture.amount) == (auth.provider_reference, D("25.00"))
    assert (first.provider_reference, first.amount) == (auth.provider_reference, D("10.00"))
    assert second.amount == D("15.00")
    assert 1 <= len(first.refund_reference) <= 120


@pytest.mark.parametrize("number", CARD_NUMBERS)
def test_a_card_number_given_as_the_card_token_is_refused_and_never_repeated(impl, number):
    # given
    provider = impl.make()
    # when
    with pytest.raises(CardNumberRefused) as caught:
        provider.authorise(D("25.00"), "EUR", number, impl.reference)
    # then
    error = caught.value
    assert error.code == "card_number_refused"
    assert error.status == 422
    said = error.detail + " ".join(f"{f.field} {f.message}" for f in error.fields)
    assert number not in said
    assert number.replace(" ", "").replace("-", "")[-8:] not in said


@pytest.mark.parametrize("number", CARD_NUMBERS[:3])
def test_a_card_number_hidden_in_a_reference_is_refused(impl, number):
    # when / then
    with pytest.raises(CardNumberRefused):
        impl.make().authorise(D("25.00"), "EUR", impl.card_token, f"card {number} ok")


@pytest.mark.parametrize(
    ("amount", "currency", "field"),
    [
        (D("0"), "EUR", "amount"),
        (D("-5.00"), "EUR", "amount"),
        (D("10.001"), "EUR", "amount"),  # EUR has 2 decimals
        (D("10.5"), "JPY", "amount"),  # JPY has none
        (D("1E+30"), "EUR", "amount"),
        (D("10.00"), "euro", "currency"),
        ("ten", "EUR", "amount"),
    ],
)
def test_an_amount_the_currency_cannot_hold_is_refused_with_the_field_named(
    impl, amount, currency, field
):
    # when
    with pytest.raises(ValidationFailed) as caught:
        impl.make().authorise(amount, currency, impl.card_token, impl.reference)
    # then
    assert caught.value.code == "validation_error"
    assert field in [f.field for f in caught.value.fields]


def test_three_decimals_are_fine_for_a_three_decimal_currency(impl):
    # when
    auth = impl.make().authorise(D("10.125"), "BHD", impl.card_token, impl.reference)
    # then
    assert auth.status == "authorised"


# -- ManualProvider ------------------------------------------------------------------------


def test_the_manual_provider_returns_what_staff_typed_from_the_terminal():
    # when
    auth = ManualProvider().authorise(D("12.50"), "EUR", " 4242 ", "  TX-889  ")
    # then
    assert (auth.provider_reference, auth.last4, auth.status) == ("TX-889", "4242", "authorised")
    assert ManualProvider().name == "manual"


@pytest.mark.parametrize("token", ["", "42", "42424", "abcd", "4242 4242"])
def test_the_manual_provider_wants_exactly_the_last_4_digits(token):
    # when
    with pytest.raises(ValidationFailed) as caught:
        ManualProvider().authorise(D("12.50"), "EUR", token, "TX-1")
    # then
    assert caught.value.code == "validation_error"
    assert [f.field for f in caught.value.fields] == ["card_token"]


@pytest.mark.parametrize("reference", ["", "   ", "x" * 121, "tab\there"])
def test_the_manual_provider_wants_a_terminal_reference(reference):
    # when
    with pytest.raises(ValidationFailed) as caught:
        ManualProvider().authorise(D("12.50"), "EUR", "4242", reference)
    # then
    assert [f.field for f in caught.value.fields] == ["reference"]


def test_references_with_short_digit_runs_are_not_card_numbers():
    # 11 digits in a row, dates and terminal ids are fine
    for value in ["TX 12345678901", "2026-11-28", "T7/000451/889", "AUTH 123456"]:
        assert not looks_like_card_number(value), value
    refuse_card_numbers({"reference": "TX 12345678901", "other": None})


def _with_luhn_check_digit(payload: str) -> str:
    """``payload`` and the digit that makes it pass the Luhn check."""
    for check in "0123456789":
        total = 0
        for position, char in enumerate(reversed(payload + check)):
            digit = int(char) * (2 if position % 2 else 1)
            total += digit - 9 if digit > 9 else digit
        if total % 10 == 0:
            return payload + check
    raise AssertionError("one of ten digits always fits")


@given(st.text(alphabet="0123456789", min_size=11, max_size=18))
def test_every_run_of_12_to_19_digits_passing_luhn_looks_like_a_card_number(payload):
    assert looks_like_card_number(f"ref {_with_luhn_check_digit(payload)} end")


@pytest.mark.parametrize(
    "value",
    [
        "0190000a-0000-7000-8000-000000000001",  # a UUID with long digit groups
        "order 01900000-0000-7000-8000-000000000000",
        "8815658961765250",  # a gateway's 16-digit reference
        "1000000000000000",
    ],
)
def test_digit_runs_that_fail_the_luhn_check_are_not_card_numbers(value):
    assert not looks_like_card_number(value)


def test_refuse_card_numbers_names_every_field_that_holds_one():
    # when
    with pytest.raises(CardNumberRefused) as caught:
        refuse_card_numbers(
            {
                "reference": "4111111111111111",
                "provider_reference": "ok",
                "note": "5500 0000 0000 0004",
            }
        )
    # then
    assert [f.field for f in caught.value.fields] == ["reference", "note"]


# -- SandboxProvider -----------------------------------------------------------------------


def test_the_sandbox_declines_its_declined_token_and_takes_nothing():
    # given
    sandbox = SandboxProvider()
    # when
    auth = sandbox.authorise(D("12.50"), "EUR", "tok_declined", "SO-1")
    # then
    assert (auth.status, auth.message) == ("declined", "insufficient funds")
    assert sandbox.authorised == {}


def test_the_sandbox_captures_no_more_than_it_authorised_and_refunds_no_more_than_it_took():
    # given
    sandbox = SandboxProvider()
    auth = sandbox.authorise(D("12.50"), "EUR", "tok_1881", "SO-1")
    # when / then
    with pytest.raises(ValidationFailed):
        sandbox.capture(auth.provider_reference, D("12.51"))
    sandbox.capture(auth.provider_reference, D("12.50"))
    sandbox.refund(auth.provider_reference, D("12.00"))
    with pytest.raises(ValidationFailed):
        sandbox.refund(auth.provider_reference, D("0.51"))
    with pytest.raises(ValidationFailed):
        sandbox.capture("sbx_unknown", D("1.00"))
    assert (auth.last4, sandbox.refunded[auth.provider_reference]) == ("1881", D("12.00"))
