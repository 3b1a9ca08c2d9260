"""Carriers: booking a shipment, its tracking number, tracking link and labels.

Carriers are outside services, so they sit behind the ``Carrier`` Protocol. Two
implementations work without any network:

- ``LocalCourier`` (own fleet, a local courier): makes its own tracking numbers and
  draws its own labels.
- ``GenericCarrier``: any real carrier whose labels are made on the carrier's own site.
  Staff type in the tracking number they got there; we print a matching label of our
  own and link to the carrier's tracking page through a URL template.

Booking and drawing the labels are two calls: ``book`` (in the unit of work that stores
the tracking number) and ``labels`` (after its commit: drawing a label takes tens of
milliseconds of CPU, which no write transaction should wait for; ADR 0036).

An adapter for a carrier's API implements the same Protocol and passes the same
contract test (tests/unit/adapters/test_carrier_contract.py). ``build_carrier`` turns a
stored carrier's configuration into its implementation. See ADR 0009.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol
from urllib.parse import quote, urlsplit

from ordersmith import clock
from ordersmith.documents import Party, ShippingLabel, shipping_label_pdf
from ordersmith.errors import ConfigurationError, FieldError, ValidationFailed
from ordersmith.ids import new_id

CarrierKind = Literal["local_courier", "generic"]
PLACEHOLDER = "{tracking_number}"
MAX_TRACKING_NUMBER = 40
MAX_TEMPLATE = 500
_TRACKING_NUMBER = re.compile(r"[A-Za-z0-9-]{1,40}", re.ASCII)
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CHECK_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True, slots=True)
class CarrierConfig:
    """A stored carrier, as the carrier-management service hands it over."""

    code: str
    name: str
    kind: CarrierKind
    tracking_url_template: str = ""


@dataclass(frozen=True, slots=True)
class Parcel:
    """One package to book: integer grams and millimetres, all greater than zero."""

    weight_grams: int
    length_mm: int
    width_mm: int
    height_mm: int


@dataclass(frozen=True, slots=True)
class BookingRequest:
    shipment_number: str
    service_level: str
    sender: Party
    recipient: Party
    packages: tuple[Parcel, ...]
    tracking_number: str | None = None
    """Typed in by staff for a generic carrier; for the local courier, given only to
    print a booked shipment's labels again under its number."""


@dataclass(frozen=True, slots=True)
class Booking:
    tracking_number: str
    tracking_url: str
    """Empty when the carrier has no tracking page."""
    booked_at: datetime
    """When the carrier booked it: the date its labels print."""


class Carrier(Protocol):
    @property
    def code(self) -> str: ...

    @property
    def name(self) -> str: ...

    def book(self, request: BookingRequest) -> Booking:
        """Book the shipment: its tracking number and tracking link. Draws no label.

        Raises ``ValidationFailed`` for a request the carrier refuses.
        """
        ...

    def labels(self, request: BookingRequest, booking: Booking) -> bytes:
        """The labels of ``booking`` (made from ``request``): one 100 x 150 mm page per
        package, in package order. Books nothing and reads nothing of ours, so callers
        run it outside any transaction; the same request and booking give the same
        labels (a reprint). Raises ``ValueError`` for a request typed with another
        tracking number than the booking's.
        """
        ...

    def tracking_url(self, tracking_number: str) -> str:
        """The public tracking page of a tracking number ("" when there is none)."""
        ...


@dataclass(frozen=True, slots=True)
class LocalCourier:
    """Own fleet or a local courier: we are the carrier, so we number and label.

    Tracking numbers look like ``OWN-0J5K8ZQ3X4Y5Z6A7B8P``: up to four letters or
    digits of the carrier code, a dash, 18 Crockford base-32 characters (90 bits of a
    UUIDv7: its millisecond, its in-process counter and 30 random bits, so no two
    bookings share one without any coordinator), and a Luhn mod 36 check character.
    """

    code: str
    name: str
    tracking_url_template: str = ""

    def __post_init__(self) -> None:
        validate_tracking_url_template(self.tracking_url_template)

    def book(self, request: BookingRequest) -> Booking:
        check_booking_request(request)
        if request.tracking_number is None:
            tracking_number = new_tracking_number(self.code)
        else:
            tracking_number = validate_tracking_number(request.tracking_number)
        return Booking(tracking_number, self.tracking_url(tracking_number), clock.now())

    def labels(self, request: BookingRequest, booking: Booking) -> bytes:
        return draw_labels(self.name, request, booking)

    def tracking_url(self, tracking_number: str) -> str:
        return fill_tracking_url(self.tracking_url_template, tracking_number)


@dataclass(frozen=True, slots=True)
class GenericCarrier:
    """A carrier whose labels are made on its own site: staff type the tracking number
    they got, which must be 1-40 letters, digits or dashes."""

    code: str
    name: str
    tracking_url_template: str = ""

    def __post_init__(self) -> None:
        validate_tracking_url_template(self.tracking_url_template)

    def book(self, request: BookingRequest) -> Booking:
        if request.tracking_number is None or not request.tracking_number.strip():
            raise ValidationFailed(
                f"{self.name} makes its labels on its own site: enter the tracking number",
                code="tracking_number_required",
                fields=[FieldError("tracking_number", "is required")],
            )
        tracking_number = validate_tracking_number(request.tracking_number)
        check_booking_request(request)
        return Booking(tracking_number, self.tracking_url(tracking_number), clock.now())

    def labels(self, request: BookingRequest, booking: Booking) -> bytes:
        return draw_labels(self.name, request, booking)

    def tracking_url(self, tracking_number: str) -> str:
        return fill_tracking_url(self.tracking_url_template, tracking_number)


def build_carrier(config: CarrierConfig) -> Carrier:
    """The implementation for a stored carrier. Raises ``ValidationFailed``
    (invalid_tracking_url_template) for a template that was never validated."""
    if config.kind == "local_courier":
        return LocalCourier(config.code, config.name, config.tracking_url_template)
    if config.kind == "generic":
        return GenericCarrier(config.code, config.name, config.tracking_url_template)
    raise ConfigurationError(
        f"carrier {config.code!r} has an unknown kind {config.kind!r}",
        code="unknown_carrier_kind",
    )


def validate_tracking_number(value: str) -> str:
    """The tracking number without surrounding spaces: 1-40 ASCII letters, digits or
    dashes. Raises ``ValidationFailed`` (invalid_tracking_number) otherwise."""
    clean = value.strip()
    if not _TRACKING_NUMBER.fullmatch(clean):
        raise ValidationFailed(
            "a tracking number is 1-40 letters, digits or dashes",
            code="invalid_tracking_number",
            fields=[FieldError("tracking_number", "use 1-40 letters, digits or '-'")],
        )
    return clean


def validate_tracking_url_template(template: str) -> str:
    """The template without surrounding spaces, or "" for none (no tracking link).

    A template is an http(s) URL of at most 500 characters, without spaces or control
    characters, holding ``{tracking_number}`` exactly once, outside the host name, and
    no other braces. Raises ``ValidationFailed`` (invalid_tracking_url_template).
    """
    clean = template.strip()
    if not clean:
        return ""
    problem = _template_problem(clean)
    if problem:
        raise ValidationFailed(
            f"tracking URL template {problem}",
            code="invalid_tracking_url_template",
            fields=[FieldError("tracking_url_template", problem)],
        )
    return clean


def _template_problem(template: str) -> str:
    if len(template) > MAX_TEMPLATE:
        return f"must be at most {MAX_TEMPLATE} characters"
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in template):
        return "must not contain spaces or control characters"
    if template.count(PLACEHOLDER) != 1:
        return f"must contain {PLACEHOLDER} exactly once"
    if "{" in template.replace(PLACEHOLDER, "") or "}" in template.replace(PLACEHOLDER, ""):
        return f"must not contain braces other than {PLACEHOLDER}"
    try:
        parts = urlsplit(template)
        sample = urlsplit(template.replace(PLACEHOLDER, "X"))
        sample.port  # noqa: B018 (raises ValueError for a bad port)
    except ValueError:
        return "is not a valid URL"
    if sample.scheme.lower() not in ("http", "https") or not sample.hostname:
        return "must be an http:// or https:// URL"
    if PLACEHOLDER in parts.netloc:
        return f"must not put {PLACEHOLDER} in the host name"
    return ""


def fill_tracking_url(template: str, tracking_number: str) -> str:
    """The template with the tracking number (URL-quoted) in place, or "" without one."""
    if not template:
        return ""
    return template.replace(PLACEHOLDER, quote(tracking_number, safe=""))


def new_tracking_number(carrier_code: str) -> str:
    """A new local tracking number for the carrier (see ``LocalCourier``)."""
    prefix = "".join(c for c in carrier_code.upper() if c.isascii() and c.isalnum())[:4] or "LC"
    value = new_id().int
    millis, counter, random30 = value >> 80, (value >> 64) & 0xFFF, (value >> 32) & (2**30 - 1)
    bits = (millis << 42) | (counter << 30) | random30
    body = "".join(_CROCKFORD[(bits >> shift) & 31] for shift in range(85, -1, -5))
    return f"{prefix}-{body}{check_character(prefix + body)}"


def check_character(payload: str) -> str:
    """The Luhn mod 36 check character of the letters and digits in ``payload``: it
    catches every single mistyped character and most swaps of neighbours."""
    factor, total = 2, 0
    for char in reversed(_check_codes(payload)):
        addend = factor * char
        total += addend // 36 + addend % 36
        factor = 3 - factor
    return _CHECK_ALPHABET[(36 - total % 36) % 36]


def has_valid_check_character(tracking_number: str) -> bool:
    """True when the last letter or digit is the check character of the ones before
    (dashes are ignored), as in every number ``new_tracking_number`` makes."""
    codes = _check_codes(tracking_number)
    if len(codes) < 2 or len(codes) != sum(c != "-" for c in tracking_number):
        return False
    factor, total = 1, 0
    for char in reversed(codes):
        addend = factor * char
        total += addend // 36 + addend % 36
        factor = 3 - factor
    return total % 36 == 0


def _check_codes(text: str) -> list[int]:
    return [_CHECK_ALPHABET.index(c) for c in text.upper() if c in _CHECK_ALPHABET]


def check_booking_request(request: BookingRequest) -> None:
    """Raises ``ValidationFailed`` naming every field a label cannot be printed from."""
    errors = []
    if not request.shipment_number.strip():
        errors.append(FieldError("shipment_number", "is required"))
    if not request.recipient.name.strip():
        errors.append(FieldError("recipient.name", "is required"))
    if not request.packages:
        errors.append(FieldError("packages", "at least one package is required"))
    for index, parcel in enumerate(request.packages):
        for name in ("weight_grams", "length_mm", "width_mm", "height_mm"):
            value = getattr(parcel, name)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                errors.append(FieldError(f"packages[{index}].{name}", "must be above zero"))
    if errors:
        raise ValidationFailed("the shipment cannot be booked as it is", fields=errors)


def draw_labels(carrier_name: str, request: BookingRequest, booking: Booking) -> bytes:
    """Our own drawing of a booking's labels (both built-in carriers use it)."""
    typed = request.tracking_number
    if typed is not None and typed.strip() != booking.tracking_number:
        raise ValueError(
            f"the request names tracking number {typed!r}, not the booked "
            f"{booking.tracking_number!r}"
        )
    check_booking_request(request)
    count = len(request.packages)
    labels = [
        ShippingLabel(
            carrier_name=carrier_name,
            service_level=request.service_level,
            tracking_number=booking.tracking_number,
            shipment_number=request.shipment_number,
            sender=request.sender,
            recipient=request.recipient,
            package_no=number,
            package_count=count,
            weight_grams=parcel.weight_grams,
            created_at=booking.booked_at,
        )
        for number, parcel in enumerate(request.packages, 1)
    ]
    return shipping_label_pdf(labels)
