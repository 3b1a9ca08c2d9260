"""Input rules of billing's use cases (pure: clean value or ValueError / field errors)."""

from __future__ import annotations

import re
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from ordersmith import clock
from ordersmith.money import minor_units
from ordersmith.validation import FieldChecks, parse_amount

MAX_REFERENCE = 120
_LAST4 = re.compile(r"[0-9]{4}")


def money_amount(value: object, currency: str | None) -> Decimal:
    """A positive amount with at most the currency's decimals (ValueError otherwise)."""
    amount = parse_amount(value)
    if amount <= 0:
        raise ValueError("must be more than zero")
    if currency is not None:
        places = minor_units(currency)
        if amount != amount.quantize(Decimal(1).scaleb(-places)):
            raise ValueError(f"has more than {places} decimals for {currency}")
    return amount


def card_last4(value: object) -> str:
    if value is None or value == "":
        return ""
    if not isinstance(value, str) or not _LAST4.fullmatch(value):
        raise ValueError("must be exactly the last 4 digits of the card, or empty")
    return value


def received_on(value: object) -> date:
    if value is None:
        return clock.today()
    if not isinstance(value, date):
        raise ValueError("must be a date")
    if value > clock.today():
        raise ValueError("cannot be in the future")
    return value


def allocation_requests(
    checks: FieldChecks, allocate_to: Any, currency: str | None
) -> list[tuple[uuid.UUID, Decimal]] | None:
    if allocate_to is None:
        return None
    if not isinstance(allocate_to, list | tuple):
        checks.fail("allocate_to", "must be a list of (invoice id, amount)")
        return None
    out: list[tuple[uuid.UUID, Decimal]] = []
    for i, item in enumerate(allocate_to):
        if not (isinstance(item, list | tuple) and len(item) == 2):
            checks.fail(f"allocate_to.{i}", "must be (invoice id, amount)")
            continue
        invoice_id, value = item
        if not isinstance(invoice_id, uuid.UUID):
            checks.fail(f"allocate_to.{i}.invoice_id", "must be an invoice id")
        elif invoice_id in {seen for seen, _a in out}:
            checks.fail(f"allocate_to.{i}.invoice_id", "is listed twice")
        part = checks.run(f"allocate_to.{i}.amount", lambda v: money_amount(v, currency), value)
        if isinstance(invoice_id, uuid.UUID) and part is not None:
            out.append((invoice_id, part))
    return out
