"""Payment providers: taking a card payment, capturing it and refunding it.

Card payments go through an outside service (a payment gateway, or a card terminal on
the counter), so they sit behind the ``PaymentProvider`` Protocol:

- ``authorise(amount, currency, card_token, reference)``: reserve the money on the
  card; returns the provider's reference for the payment, the card's last 4 digits and
  ``authorised`` or ``declined``.
- ``capture(provider_reference, amount)``: take the authorised money.
- ``refund(provider_reference, amount)``: pay (part of) a captured payment back.

The built-in implementation is ``ManualProvider``: the card terminal is outside the
system. Staff take the card on the terminal and type what its receipt shows: the
terminal's reference and the card's last 4 digits (the ``card_token`` of a manual
payment). It validates them and returns them; capture and refund report what was done
on the terminal. ``SandboxProvider`` behaves like a gateway's sandbox (test tokens,
declines, captures and refunds bounded by what was authorised), in memory.

**Ordersmith never sees a card number.** Anything that looks like a primary account
number (PAN) -- 12 to 19 digits, possibly grouped with spaces or dashes, that pass the
Luhn check -- in a card token or a reference is refused with ``card_number_refused``,
and the digits are never echoed in the error. An adapter for a real gateway takes the
gateway's single-use card token (made by the gateway's own payment form), implements the
same Protocol and passes the same contract test
(tests/unit/adapters/test_payment_provider_contract.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal, Protocol

from ordersmith.errors import FieldError, OmsError, ValidationFailed
from ordersmith.ids import new_id
from ordersmith.money import ZERO, is_valid_currency, minor_units
from ordersmith.validation import parse_amount

AuthorisationStatus = Literal["authorised", "declined"]
MAX_REFERENCE = 120
"""What ``payments.provider_reference`` and ``payments.reference`` hold."""
MANUAL = "manual"

# 12-19 digits, each maybe followed by one space or dash: "4111 1111 1111 1111" (then Luhn)
_PAN = re.compile(r"(?<![0-9])(?:[0-9][ -]?){11,18}[0-9](?![0-9])", re.ASCII)
_LAST4 = re.compile(r"[0-9]{4}", re.ASCII)
_SANDBOX_TOKEN = re.compile(r"tok_[0-9]{4}", re.ASCII)


class CardNumberRefused(ValidationFailed):
    """A card number was typed where only a reference or the last 4 digits belong."""

    code = "card_number_refused"
    title = "Card numbers are not accepted"


class PaymentDeclined(OmsError):
    """The provider declined the card (nothing was taken)."""

    code = "payment_declined"
    status = 402
    title = "Payment declined"


@dataclass(frozen=True, slots=True)
class Authorisation:
    provider_reference: str
    """The provider's id of this payment (1-120 characters); capture and refund by it."""
    last4: str
    """The card's last 4 digits, or "" if the provider does not say."""
    status: AuthorisationStatus
    message: str = ""
    """Why a card was declined, as the provider says it (never card data)."""


@dataclass(frozen=True, slots=True)
class Capture:
    provider_reference: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class RefundResult:
    provider_reference: str
    """The payment's reference at the provider."""
    refund_reference: str
    """The provider's id of this refund (the payment's reference if it has none)."""
    amount: Decimal


class PaymentProvider(Protocol):
    @property
    def name(self) -> str:
        """Stored on the payment as ``provider`` (1-40 characters)."""
        ...

    def authorise(
        self, amount: Decimal, currency: str, card_token: str, reference: str
    ) -> Authorisation:
        """Reserve ``amount`` on the card. A declined card is an Authorisation with
        status ``declined``; bad input raises ValidationFailed (CardNumberRefused for
        anything that looks like a card number)."""
        ...

    def capture(self, provider_reference: str, amount: Decimal) -> Capture:
        """Take (part of) the authorised money."""
        ...

    def refund(self, provider_reference: str, amount: Decimal) -> RefundResult:
        """Pay back (part of) a captured payment."""
        ...


def looks_like_card_number(value: str) -> bool:
    """True when ``value`` holds 12-19 digits in a row (spaces or dashes between them
    allowed) that pass the Luhn check, as every primary account number does. The check
    keeps ids that merely have long digit runs (a UUID's groups, a gateway's
    reference) from being mistaken for card numbers nine times in ten."""
    return any(_luhn_valid(re.sub(r"[ -]", "", m.group())) for m in _PAN.finditer(value))


def _luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def refuse_card_numbers(fields: Mapping[str, str | None]) -> None:
    """Raise CardNumberRefused naming every field that holds something that looks like a
    card number (the value itself is never repeated)."""
    bad = [name for name, value in fields.items() if value and looks_like_card_number(value)]
    if bad:
        raise CardNumberRefused(
            "a card number must never be typed into Ordersmith: give the terminal's or "
            "the provider's reference and at most the card's last 4 digits",
            fields=[FieldError(name, "looks like a card number") for name in bad],
        )


def check_amount(amount: object, currency: str) -> Decimal:
    """A positive amount with at most the currency's decimals; ValidationFailed otherwise."""
    problems: list[FieldError] = []
    if not (isinstance(currency, str) and is_valid_currency(currency)):
        problems.append(FieldError("currency", "must be a three-letter ISO 4217 code"))
    try:
        value = parse_amount(amount)
        if value <= 0:
            raise ValueError("must be more than zero")
        if not problems:
            places = minor_units(currency)
            if value != value.quantize(Decimal(1).scaleb(-places)):
                raise ValueError(f"has more than {places} decimals for {currency}")
    except ValueError as exc:
        problems.append(FieldError("amount", str(exc)))
    if problems:
        raise ValidationFailed("the card payment is not valid", fields=problems)
    return value


def check_reference(value: object, field: str = "reference", *, typed: bool = True) -> str:
    """A provider or terminal reference: 1-120 characters without control characters;
    a reference staff ``typed`` may not hold a card number. (A provider's own id may be
    all digits: some gateways' payment references are 16 digits.)"""
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed(
            "the card payment is not valid", fields=[FieldError(field, "is required")]
        )
    clean = value.strip()
    if typed:
        refuse_card_numbers({field: clean})
    if len(clean) > MAX_REFERENCE or any(ord(c) < 32 or ord(c) == 127 for c in clean):
        raise ValidationFailed(
            "the card payment is not valid",
            fields=[FieldError(field, f"1-{MAX_REFERENCE} characters without control characters")],
        )
    return clean


def check_last4(value: object, field: str = "card_token") -> str:
    """Exactly the card's last 4 digits (a whole card number is CardNumberRefused)."""
    text = value.strip() if isinstance(value, str) else ""
    refuse_card_numbers({field: text})
    if not _LAST4.fullmatch(text):
        raise ValidationFailed(
            "the card payment is not valid",
            fields=[FieldError(field, "type the last 4 digits of the card, e.g. 4242")],
        )
    return text


@dataclass(frozen=True, slots=True)
class ManualProvider:
    """The card terminal is outside the system: staff type the terminal's reference
    (``reference``) and the card's last 4 digits (``card_token``), and that is what is
    recorded. Capture and refund happen on the terminal; here they are checked and
    reported back."""

    name: str = MANUAL

    def authorise(
        self, amount: Decimal, currency: str, card_token: str, reference: str
    ) -> Authorisation:
        # card data first: a card number is refused whatever else is wrong
        last4 = check_last4(card_token)
        terminal_reference = check_reference(reference)
        check_amount(amount, currency)
        return Authorisation(terminal_reference, last4, "authorised")

    def capture(self, provider_reference: str, amount: Decimal) -> Capture:
        reference = check_reference(provider_reference, "provider_reference")
        return Capture(reference, _positive(amount))

    def refund(self, provider_reference: str, amount: Decimal) -> RefundResult:
        reference = check_reference(provider_reference, "provider_reference")
        return RefundResult(reference, reference, _positive(amount))


def _positive(amount: object) -> Decimal:
    try:
        value = parse_amount(amount)
        if value <= 0:
            raise ValueError("must be more than zero")
    except ValueError as exc:
        raise ValidationFailed(
            "the card payment is not valid", fields=[FieldError("amount", str(exc))]
        ) from None
    return value


@dataclass
class SandboxProvider:
    """A gateway's sandbox, in memory: what a real gateway's adapter does, without the
    network (demos and tests). Card tokens work like a gateway's test tokens:
    ``tok_<last4>`` (e.g. ``tok_4242``) is authorised, ``tok_declined`` is declined.
    It remembers what it authorised, captured and refunded, and refuses to capture more
    than was authorised or refund more than was captured, as a gateway does."""

    name: str = "sandbox"
    authorised: dict[str, Decimal] = field(default_factory=dict)
    captured: dict[str, Decimal] = field(default_factory=dict)
    refunded: dict[str, Decimal] = field(default_factory=dict)

    def authorise(
        self, amount: Decimal, currency: str, card_token: str, reference: str
    ) -> Authorisation:
        refuse_card_numbers({"card_token": card_token, "reference": reference})
        value = check_amount(amount, currency)
        check_reference(reference)
        reference_id = f"sbx_{new_id().hex}"
        if card_token == "tok_declined":
            return Authorisation(reference_id, "", "declined", "insufficient funds")
        if not _SANDBOX_TOKEN.fullmatch(card_token):
            raise ValidationFailed(
                "the card payment is not valid",
                fields=[FieldError("card_token", "use tok_<last 4 digits> or tok_declined")],
            )
        self.authorised[reference_id] = value
        return Authorisation(reference_id, card_token.removeprefix("tok_"), "authorised")

    def capture(self, provider_reference: str, amount: Decimal) -> Capture:
        value = _positive(amount)
        if value + self.captured.get(provider_reference, ZERO) > self.authorised.get(
            provider_reference, ZERO
        ):
            raise _refused("provider_reference", "captures more than was authorised")
        self.captured[provider_reference] = self.captured.get(provider_reference, ZERO) + value
        return Capture(provider_reference, value)

    def refund(self, provider_reference: str, amount: Decimal) -> RefundResult:
        value = _positive(amount)
        done = self.refunded.get(provider_reference, ZERO)
        if value + done > self.captured.get(provider_reference, ZERO):
            raise _refused("amount", "refunds more than was captured")
        self.refunded[provider_reference] = done + value
        return RefundResult(provider_reference, f"sbx_re_{new_id().hex}", value)


def _refused(field_name: str, message: str) -> ValidationFailed:
    return ValidationFailed(
        f"the provider refused: {message}", fields=[FieldError(field_name, message)]
    )
