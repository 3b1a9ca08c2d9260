"""Input rules of purchasing's use cases (pure: the clean value or ValueError / field errors)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ordersmith.customers.services import email_address
from ordersmith.validation import (
    Amount,
    FieldChecks,
    optional,
    parse_amount,
    quantity,
    text,
)

MAX_LINES = 500
MAX_TERMS_DAYS = 365
MAX_LEAD_TIME_DAYS = 730
MAX_DAYS_AHEAD = 3_660
"""An expected date at most ten years ahead (a typo, not a plan)."""
_CODE = re.compile(r"[A-Z0-9_-]+")  # ASCII only

NAME = text(200)
CONTACT_NAME = text(200, required=False)
PHONE = text(40, required=False)
NOTES = text(10_000, required=False, multiline=True)
SUPPLIER_SKU = text(64, required=False)
REASON = text(500, required=True)
OPTIONAL_REASON = text(500, required=False)
DELIVERY_NOTE = text(64, required=False)
RECEIPT_NOTE = text(500, required=False)


def supplier_code(value: Any) -> str:
    code = text(20)(value).upper()
    if not _CODE.fullmatch(code):
        raise ValueError("use letters A-Z, digits, '-' or '_'")
    return code


def optional_email(value: Any) -> str:
    """An email address (stored lower-case), or empty for none."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    return email_address(value)


def whole_days(maximum: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
            raise ValueError(f"must be a whole number of days from 0 to {maximum}")
        return value

    return check


def unit_cost(value: Any) -> Decimal:
    """A cost per unit: a decimal string from 0 with at most 4 decimals (never a float)."""
    return parse_amount(value)


def expected_date(value: Any, *, today: date) -> date:
    if not isinstance(value, date):
        raise ValueError("must be a date (YYYY-MM-DD)")
    if (value - today).days > MAX_DAYS_AHEAD:
        raise ValueError(f"must be at most {MAX_DAYS_AHEAD} days ahead")
    return value


@dataclass(frozen=True, slots=True)
class LineInput:
    """A purchase order line as asked for: unit cost and expected date default to the
    supplier product's cost and to today + its lead time."""

    sku: str
    quantity: int
    unit_cost: Amount | None = None
    expected_date: date | None = None


@dataclass(frozen=True, slots=True)
class CheckedLine:
    sku: str
    quantity: int
    unit_cost: Decimal | None
    expected_date: date | None


def check_lines(
    checks: FieldChecks, lines: Sequence[LineInput], *, today: date
) -> list[CheckedLine]:
    """The lines with clean values; problems are recorded as ``lines.<i>.<field>``."""
    if not lines:
        checks.fail("lines", "a purchase order needs at least one line")
    if len(lines) > MAX_LINES:
        checks.fail("lines", f"at most {MAX_LINES} lines")
        return []
    out = []
    for i, line in enumerate(lines):
        sku = checks.run(f"lines.{i}.sku", text(64), line.sku)
        qty = checks.run(f"lines.{i}.quantity", quantity, line.quantity)
        cost = checks.run(f"lines.{i}.unit_cost", optional(unit_cost), line.unit_cost)
        day = checks.run(
            f"lines.{i}.expected_date",
            optional(lambda v: expected_date(v, today=today)),
            line.expected_date,
        )
        if sku is not None and qty is not None:
            out.append(CheckedLine(sku, qty, cost, day))
    return out


@dataclass(frozen=True, slots=True)
class ReceiptLineInput:
    """Units of one purchase order line (by its ``line_no``) received now."""

    line_no: int
    quantity: int
    unit_cost: Amount | None = None
    """What the supplier invoiced per unit, when known."""


def check_receipt_lines(
    checks: FieldChecks, lines: Sequence[ReceiptLineInput]
) -> list[tuple[int, int, Decimal | None]]:
    """(line_no, quantity, invoiced unit cost) per line; each line_no at most once."""
    if not lines:
        checks.fail("lines", "name at least one line, or leave lines out to receive all")
    if len(lines) > MAX_LINES:
        checks.fail("lines", f"at most {MAX_LINES} lines")
        return []
    out: list[tuple[int, int, Decimal | None]] = []
    seen: set[int] = set()
    for i, line in enumerate(lines):
        line_no = checks.run(f"lines.{i}.line_no", quantity, line.line_no)
        qty = checks.run(f"lines.{i}.quantity", quantity, line.quantity)
        cost = checks.run(f"lines.{i}.unit_cost", optional(unit_cost), line.unit_cost)
        if line_no is not None and line_no in seen:
            checks.fail(f"lines.{i}.line_no", "is listed twice")
        elif line_no is not None and qty is not None:
            seen.add(line_no)
            out.append((line_no, qty, cost))
    return out
