"""Shared input rules for the areas' use cases (catalog, customers, inventory, orders).

Each check is pure: it returns the clean value or raises ``ValueError(message)``.
``FieldChecks`` runs checks field by field and collects their messages into one
``ValidationFailed`` that lists every problem at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from ordersmith.errors import FieldError, ValidationFailed
from ordersmith.money import is_valid_currency, parse_decimal

T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)
Amount = Decimal | str | int
MAX_AMOUNT = Decimal("999999999999.9999")  # fits NUMERIC(19, 4) and SQLite's scaled BIGINT
MAX_QUANTITY = 2**31 - 1  # INTEGER columns
_CONTROL = re.compile("[\x00-\x1f\x7f]")
_CONTROL_BUT_LINE_BREAKS_AND_TABS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_GROUP = re.compile(r"[a-z0-9][a-z0-9._-]*")


class FieldChecks:
    """Collects field errors so that one ValidationFailed lists every problem."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def fail(self, field: str, message: str) -> None:
        self.errors.append(FieldError(field, message))

    def run(self, field: str, check: Callable[[Any], T], value: Any) -> T | None:
        try:
            return check(value)
        except ValueError as exc:
            self.fail(field, str(exc))
            return None

    def raise_if_any(self, detail: str) -> None:
        if self.errors:
            raise ValidationFailed(detail, fields=list(self.errors))


def parse_amount(value: object) -> Decimal:
    """A storable amount: a decimal string, int or Decimal from 0 to MAX_AMOUNT with
    at most 4 decimals (never rounded, never a float)."""
    if isinstance(value, float):
        raise ValueError('send amounts as decimal strings such as "12.50", not floats')
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise ValueError('must be a decimal string such as "12.50"')
    try:
        amount = parse_decimal(value.strip() if isinstance(value, str) else value)
    except ValueError:
        raise ValueError(f"{value!r} is not a decimal number") from None
    if amount < 0:
        raise ValueError("must not be negative")
    if amount > MAX_AMOUNT:
        raise ValueError(f"must be at most {MAX_AMOUNT}")
    scaled = amount.scaleb(4)
    if scaled != scaled.to_integral_value():
        raise ValueError("has more than 4 decimals")
    return amount + 0  # drops a negative zero's sign


def tax_rate(value: object) -> Decimal:
    rate = parse_amount(value)
    if rate >= 1:
        raise ValueError("is a fraction from 0 to below 1 (0.2000 for 20 %)")
    return rate


def text(
    max_length: int, *, required: bool = True, multiline: bool = False
) -> Callable[[Any], str]:
    """A check for a stripped text of at most ``max_length`` characters."""

    def check(value: Any) -> str:
        if value is None:
            if required:
                raise ValueError("is required")
            return ""
        if not isinstance(value, str):
            raise ValueError("must be text")
        clean = value.strip()
        if required and not clean:
            raise ValueError("must not be empty")
        if len(clean) > max_length:
            raise ValueError(f"must be at most {max_length} characters")
        return no_control_characters(clean, multiline=multiline)

    return check


def no_control_characters(value: str, *, multiline: bool = False) -> str:
    """``value`` unchanged, unless it holds a control character (NUL, ESC, DEL...; a
    multi-line text may hold line breaks and tabs)."""
    pattern = _CONTROL_BUT_LINE_BREAKS_AND_TABS if multiline else _CONTROL
    if pattern.search(value) is not None:
        raise ValueError("must not contain control characters")
    return value


def matchable(*texts: str | None) -> bool:
    """False when a text cannot be stored, so matches nothing: it holds a NUL character,
    which PostgreSQL refuses even as a query parameter. Look-ups answer "not found" or an
    empty list for such a text instead of sending it to the database."""
    return all(value is None or "\x00" not in value for value in texts)


def identifier(max_length: int) -> Callable[[Any], str]:
    """A check for an identifier without spaces (SKUs, barcodes)."""
    base = text(max_length)

    def check(value: Any) -> str:
        clean = base(value)
        if any(c.isspace() for c in clean):
            raise ValueError("must not contain spaces")
        return clean

    return check


def price_list_code(value: Any) -> str:
    clean = text(40)(value)
    if not _CODE.fullmatch(clean):
        raise ValueError("use letters, digits, '.', '_' or '-', starting with a letter or digit")
    return clean


def group_code(value: Any) -> str:
    """A customer group: lower-case letters, digits, '.', '_' or '-' (stored lower-case)."""
    clean = text(40)(value).lower()
    if not _GROUP.fullmatch(clean):
        raise ValueError("use letters, digits, '.', '_' or '-', starting with a letter or digit")
    return clean


def currency_code(value: Any) -> str:
    if isinstance(value, str) and is_valid_currency(value.strip().upper()):
        return value.strip().upper()
    raise ValueError("must be a three-letter ISO 4217 code such as EUR")


def country_code(value: Any) -> str:
    """An ISO 3166-1 alpha-2 code such as DE (stored upper-case)."""
    clean = text(2)(value).upper()
    if len(clean) != 2 or not (clean.isascii() and clean.isalpha()):
        raise ValueError("must be a two-letter ISO 3166 country code such as DE")
    return clean


ADDRESS_FIELDS: dict[str, Callable[[Any], str]] = {
    "name": text(200, required=False),
    "line1": text(200),
    "line2": text(200, required=False),
    "city": text(120),
    "region": text(120, required=False),
    "postcode": text(20, required=False),
    "country": country_code,
}
"""The fields of a postal address (as stored in JSON on orders and warehouses)."""


def check_address(checks: FieldChecks, prefix: str, address: Mapping[str, Any]) -> dict[str, str]:
    """Check an address given as a mapping; problems are named ``<prefix>.<field>``.

    Returns the clean address with every field (absent optional fields as "")."""
    for key in address:
        if key not in ADDRESS_FIELDS:
            checks.fail(f"{prefix}.{key}", "unknown field")
    clean: dict[str, str] = {}
    for name, check in ADDRESS_FIELDS.items():
        value = checks.run(f"{prefix}.{name}", check, address.get(name))
        clean[name] = value or ""
    return clean


def quantity(value: Any, *, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("must be a whole number")
    if not minimum <= value <= MAX_QUANTITY:
        raise ValueError(f"must be from {minimum} to {MAX_QUANTITY}")
    return value


def whole_number(text: str, *, maximum: int = MAX_QUANTITY) -> int | None:
    """``text`` (spaces around it aside) as a whole number written in ASCII digits, from 0
    to ``maximum``; None for anything else. Not ``str.isdigit``: "²" is a digit to it
    (and int() refuses it), "١٢" is one to both, and neither is a number a user typed."""
    value = text.strip()
    if not value or len(value) > 19 or not value.isascii() or not value.isdigit():
        return None
    number = int(value)
    return number if number <= maximum else None


def optional(check: Callable[[Any], T]) -> Callable[[Any], T | None]:
    """``check``, except that None and "" mean no value (None)."""
    return lambda value: None if value is None or value == "" else check(value)


def one_of(enum: type[E]) -> Callable[[Any], E]:
    """A check for a value of a StrEnum, naming the allowed values when it fails."""

    def check(value: Any) -> E:
        try:
            return enum(value)
        except ValueError:
            raise ValueError(f"must be one of {', '.join(m.value for m in enum)}") from None

    return check


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value
