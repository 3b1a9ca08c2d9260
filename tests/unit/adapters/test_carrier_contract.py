"""The carrier contract: every Carrier implementation passes the same assertions.

A new implementation (a carrier's API adapter) is added to IMPLEMENTATIONS; the rest of
the file is the implementation-specific behaviour of the two built-in ones.
"""

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordersmith.adapters.carriers import (
    BookingRequest,
    Carrier,
    CarrierConfig,
    GenericCarrier,
    LocalCourier,
    Parcel,
    build_carrier,
    check_character,
    has_valid_check_character,
    new_tracking_number,
    validate_tracking_number,
)
from ordersmith.documents import Party
from ordersmith.errors import ConfigurationError, ValidationFailed
from tests.unit.documents.samples import SELLER, page_sizes_mm, pdf_pages

RECIPIENT = Party("Grace Hopper", ("7 Compiler Street", "Arlington VA 22201", "US"))
IMPLEMENTATIONS = {
    "local_courier": CarrierConfig(
        "OWN", "Own fleet", "local_courier", "https://track.example.com/own/{tracking_number}"
    ),
    "generic": CarrierConfig(
        "PARCELCO", "ParcelCo", "generic", "https://parcelco.example/track?id={tracking_number}"
    ),
}


@pytest.fixture(params=list(IMPLEMENTATIONS))
def carrier(request: pytest.FixtureRequest) -> Carrier:
    return build_carrier(IMPLEMENTATIONS[request.param])


def a_request(carrier: Carrier, *, parcels: int = 1, **changes: object) -> BookingRequest:
    """A booking as staff make it: for a generic carrier they type the number they got."""
    typed = None if isinstance(carrier, LocalCourier) else f"1Z{uuid.uuid4().hex[:16].upper()}"
    fields: dict[str, object] = {
        "shipment_number": "SH-2026-000042",
        "service_level": "standard",
        "sender": SELLER,
        "recipient": RECIPIENT,
        "packages": tuple(Parcel(1000 + n, 400, 300, 200) for n in range(parcels)),
        "tracking_number": typed,
    }
    return BookingRequest(**{**fields, **changes})  # type: ignore[arg-type]


# -- the contract ------------------------------------------------------------------------


def test_booking_returns_a_tracking_number_that_fits_the_shipments_table(carrier):
    # when
    booking = carrier.book(a_request(carrier))
    # then
    assert booking.tracking_number
    assert validate_tracking_number(booking.tracking_number) == booking.tracking_number
    assert len(booking.tracking_number) <= 40


def test_two_bookings_never_share_a_tracking_number(carrier):
    # when
    first = carrier.book(a_request(carrier))
    second = carrier.book(a_request(carrier))
    # then
    assert first.tracking_number != second.tracking_number


def test_the_tracking_url_holds_the_tracking_number(carrier):
    # when
    booking = carrier.book(a_request(carrier))
    # then
    assert booking.tracking_number in booking.tracking_url
    assert booking.tracking_url == carrier.tracking_url(booking.tracking_number)
    assert booking.tracking_url.startswith("https://")


def test_the_label_reads_back_with_tracking_number_recipient_and_carrier(carrier):
    # given
    request = a_request(carrier)
    booking = carrier.book(request)
    # when
    pdf = carrier.labels(request, booking)
    # then
    (page,) = pdf_pages(pdf)
    assert booking.tracking_number in page
    assert "Grace Hopper" in page
    assert "7 Compiler Street" in page
    assert carrier.name in page
    assert "SH-2026-000042" in page


def test_the_label_has_one_100_by_150_mm_page_per_package(carrier):
    # given
    request = a_request(carrier, parcels=3)
    booking = carrier.book(request)
    # when
    pdf = carrier.labels(request, booking)
    # then
    pages = pdf_pages(pdf)
    assert page_sizes_mm(pdf) == [(100, 150)] * 3
    for number, page in enumerate(pages, 1):
        assert f"{number} / 3" in page
        assert booking.tracking_number in page
        assert f"1.00{number - 1} kg" in page


def test_the_same_booking_draws_the_same_labels_again(carrier):
    # given: a booking, its labels drawn once
    request = a_request(carrier, parcels=2)
    booking = carrier.book(request)
    first = carrier.labels(request, booking)
    # when: drawn again later (a reprint), from the same request and booking
    again = carrier.labels(request, booking)
    # then
    assert pdf_pages(again) == pdf_pages(first)


def test_drawing_labels_refuses_a_request_without_its_booked_number(carrier):
    # given
    request = a_request(carrier)
    booking = carrier.book(request)
    other = a_request(carrier, tracking_number="NOT-THE-BOOKED-ONE")
    # when / then
    with pytest.raises(ValueError, match="booked"):
        carrier.labels(other, booking)


def test_a_booking_without_packages_is_refused(carrier):
    # when / then
    with pytest.raises(ValidationFailed) as caught:
        carrier.book(a_request(carrier, parcels=0))
    assert [f.field for f in caught.value.fields] == ["packages"]


def test_a_package_without_weight_or_size_is_refused_with_the_fields_named(carrier):
    # given
    request = a_request(carrier, packages=(Parcel(0, 400, -1, 200),), recipient=Party(" ", ()))
    # when / then
    with pytest.raises(ValidationFailed) as caught:
        carrier.book(request)
    assert {f.field for f in caught.value.fields} == {
        "recipient.name",
        "packages[0].weight_grams",
        "packages[0].width_mm",
    }


def test_without_a_url_template_there_is_no_tracking_link():
    for config in IMPLEMENTATIONS.values():
        # given
        carrier = build_carrier(CarrierConfig(config.code, config.name, config.kind))
        # when
        booking = carrier.book(a_request(carrier))
        # then
        assert booking.tracking_url == ""
        assert carrier.tracking_url("ABC123") == ""


# -- the local courier -------------------------------------------------------------------


def test_local_tracking_numbers_carry_the_carrier_code_and_a_check_character():
    # given
    courier = LocalCourier("own-fleet", "Own fleet")
    # when
    number = courier.book(a_request(courier)).tracking_number
    # then
    prefix, body = number.split("-")
    assert prefix == "OWNF"
    assert len(body) == 19
    assert has_valid_check_character(number)
    assert number[-1] == check_character(number[:-1])


def test_local_tracking_numbers_are_unique_and_valid_across_many_bookings():
    # when
    numbers = [new_tracking_number("OWN") for _ in range(5000)]
    # then
    assert len(set(numbers)) == len(numbers)
    assert all(has_valid_check_character(n) for n in numbers)
    assert all(validate_tracking_number(n) == n for n in numbers)


def test_a_carrier_code_without_letters_or_digits_gets_the_lc_prefix():
    assert new_tracking_number("__").startswith("LC-")


@given(st.integers(min_value=0, max_value=18), st.integers(min_value=1, max_value=35))
def test_one_mistyped_character_breaks_the_check(position, shift):
    # given: OWN-<18 characters><check>
    number = new_tracking_number("OWN")
    index = 4 + position
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    other = alphabet[(alphabet.index(number[index]) + shift) % 36]
    # when
    typo = number[:index] + other + number[index + 1 :]
    # then
    assert not has_valid_check_character(typo)


def test_the_check_character_follows_luhn_mod_36():
    # given: "A1": values 10, 1 -> doubled from the right: 1*2=2, 10*1=10 -> 12; check 24
    # then
    assert check_character("A1") == "O"
    assert has_valid_check_character("A1O")
    assert not has_valid_check_character("A1P")
    assert not has_valid_check_character("A1O!")


def test_a_local_booking_can_reprint_its_labels_under_the_same_number():
    # given
    courier = LocalCourier("OWN", "Own fleet")
    first = courier.book(a_request(courier))
    # when
    request = a_request(courier, tracking_number=first.tracking_number)
    again = courier.book(request)
    # then
    assert again.tracking_number == first.tracking_number
    assert first.tracking_number in pdf_pages(courier.labels(request, again))[0]


# -- the generic carrier -----------------------------------------------------------------


@pytest.mark.parametrize("missing", [None, "", "   "])
def test_a_generic_carrier_needs_the_tracking_number_staff_got(missing):
    # given
    carrier = GenericCarrier("PARCELCO", "ParcelCo")
    # when / then
    with pytest.raises(ValidationFailed) as caught:
        carrier.book(a_request(carrier, tracking_number=missing))
    assert caught.value.code == "tracking_number_required"
    assert caught.value.fields[0].field == "tracking_number"


@pytest.mark.parametrize(
    "bad",
    ["1Z 999", "1Z\t999", "ABC\x00", "ÄBC123", "A" * 41, "<script>", "1Z/../x", "a+b"],
)
def test_a_generic_carrier_refuses_a_malformed_tracking_number(bad):
    # given
    carrier = GenericCarrier("PARCELCO", "ParcelCo")
    # when / then
    with pytest.raises(ValidationFailed) as caught:
        carrier.book(a_request(carrier, tracking_number=bad))
    assert caught.value.code == "invalid_tracking_number"


def test_a_generic_carrier_keeps_the_typed_number_without_surrounding_spaces():
    # given
    carrier = build_carrier(IMPLEMENTATIONS["generic"])
    # when
    booking = carrier.book(a_request(carrier, tracking_number="  JD-0140-0000-1234  "))
    # then
    assert booking.tracking_number == "JD-0140-0000-1234"
    assert booking.tracking_url == "https://parcelco.example/track?id=JD-0140-0000-1234"
    assert validate_tracking_number("A" * 40) == "A" * 40


# -- building carriers -------------------------------------------------------------------


def test_build_carrier_picks_the_implementation_by_kind():
    # then
    assert isinstance(build_carrier(IMPLEMENTATIONS["local_courier"]), LocalCourier)
    assert isinstance(build_carrier(IMPLEMENTATIONS["generic"]), GenericCarrier)


def test_build_carrier_refuses_an_unknown_kind_and_a_bad_template():
    # when / then
    with pytest.raises(ConfigurationError) as caught:
        build_carrier(CarrierConfig("X", "X", "pigeon"))  # type: ignore[arg-type]
    assert caught.value.code == "unknown_carrier_kind"
    with pytest.raises(ValidationFailed) as caught_template:
        build_carrier(CarrierConfig("X", "X", "generic", "https://x.example/track"))
    assert caught_template.value.code == "invalid_tracking_url_template"
