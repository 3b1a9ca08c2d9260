"""What callers ask of the returns use cases, and the checks that need no database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ordersmith.returns.models import AT_WAREHOUSE, Disposition, ReturnReason
from ordersmith.validation import FieldChecks, one_of, optional, quantity, text

MAX_LINES = 500
COMMENT = text(2_000, required=False, multiline=True)
REASON = text(500, required=False, multiline=True)
"""A person's why (a rejection, a cancellation, a window override, a line's note)."""
REQUIRED_REASON = text(500, multiline=True)
CODE = text(40)
"""A warehouse, supplier or carrier code as typed (looked up as it is stored)."""


@dataclass(frozen=True, slots=True)
class ReturnLineInput:
    """Units of one order line asked back (``line_no`` is the order line's number)."""

    line_no: int
    quantity: int
    reason: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class ReceivedLineInput:
    line_no: int
    quantity: int
    """Units that arrived (0 to the units asked back)."""


@dataclass(frozen=True, slots=True)
class DispositionInput:
    """What becomes of received units of one line. ``quantity`` None: all received
    units of the line (when it is the line's only disposition). ``warehouse`` (restock,
    refurbish, scrap): a warehouse code, default the return's warehouse; ``supplier``
    (return to supplier): a supplier code, default the product's preferred supplier."""

    line_no: int
    disposition: str
    quantity: int | None = None
    warehouse: str | None = None
    supplier: str | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class ExchangeLineInput:
    sku: str
    quantity: int


def _line_no(checks: FieldChecks, field: str, value: object) -> int | None:
    return checks.run(field, quantity, value)


def check_request_lines(checks: FieldChecks, lines: Sequence[ReturnLineInput]) -> None:
    if not lines:
        checks.fail("lines", "name at least one order line to return")
    if len(lines) > MAX_LINES:
        checks.fail("lines", f"at most {MAX_LINES} lines")
    seen: set[int] = set()
    for i, line in enumerate(lines):
        line_no = _line_no(checks, f"lines.{i}.line_no", line.line_no)
        if line_no is not None and line_no in seen:
            checks.fail(f"lines.{i}.line_no", "appears twice: put all its units on one line")
        seen.add(line_no or 0)
        checks.run(f"lines.{i}.quantity", quantity, line.quantity)
        checks.run(f"lines.{i}.reason", one_of(ReturnReason), line.reason)
        checks.run(f"lines.{i}.note", REASON, line.note)


def check_received_lines(checks: FieldChecks, lines: Sequence[ReceivedLineInput]) -> None:
    if len(lines) > MAX_LINES:
        checks.fail("lines", f"at most {MAX_LINES} lines")
    seen: set[int] = set()
    for i, line in enumerate(lines):
        line_no = _line_no(checks, f"lines.{i}.line_no", line.line_no)
        if line_no is not None and line_no in seen:
            checks.fail(f"lines.{i}.line_no", "appears twice")
        seen.add(line_no or 0)
        checks.run(f"lines.{i}.quantity", lambda v: quantity(v, minimum=0), line.quantity)


def check_dispositions(checks: FieldChecks, items: Sequence[DispositionInput]) -> None:
    if len(items) > MAX_LINES:
        checks.fail("dispositions", f"at most {MAX_LINES} dispositions")
    for i, item in enumerate(items):
        field = f"dispositions.{i}"
        _line_no(checks, f"{field}.line_no", item.line_no)
        kind = checks.run(f"{field}.disposition", one_of(Disposition), item.disposition)
        checks.run(f"{field}.quantity", optional(quantity), item.quantity)
        checks.run(f"{field}.warehouse", optional(CODE), item.warehouse)
        checks.run(f"{field}.supplier", optional(CODE), item.supplier)
        checks.run(f"{field}.note", REASON, item.note)
        if kind in AT_WAREHOUSE and item.supplier:
            checks.fail(f"{field}.supplier", "only for return_to_supplier")
        if kind is Disposition.RETURN_TO_SUPPLIER and item.warehouse:
            checks.fail(f"{field}.warehouse", "not for return_to_supplier: nothing goes on hand")


def check_exchange_lines(checks: FieldChecks, lines: Sequence[ExchangeLineInput] | None) -> None:
    if lines is None:
        return
    if not lines:
        checks.fail("exchange_lines", "name at least one line, or leave them out")
    if len(lines) > MAX_LINES:
        checks.fail("exchange_lines", f"at most {MAX_LINES} lines")
    for i, line in enumerate(lines):
        checks.run(f"exchange_lines.{i}.sku", text(64), line.sku)
        checks.run(f"exchange_lines.{i}.quantity", quantity, line.quantity)
