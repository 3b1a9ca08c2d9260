"""What a caller asks for when changing an order, the checks that need no database, and
the re-pricing rule (pure).

Re-pricing (ADR 0020): a line keeps the unit price, tax rate and price source it was
sold at whatever its new quantity; its discount (an amount) is scaled to the new
quantity. A line added by a change is priced like a placement today: the customer's
price list or the list price (``ordersmith.catalog.pricing``). Shipping is unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from ordersmith.errors import FieldError, ValidationFailed
from ordersmith.money import quantize
from ordersmith.orders.errors import OrderVersionConflict
from ordersmith.orders.requests import MAX_LINES, MAX_QUANTITY, LineRequest
from ordersmith.orders.totals import LineAmounts, line_amounts
from ordersmith.validation import FieldChecks, check_address, text

MAX_REASON = 2_000
MAX_NOTES = 10_000
_REASON = text(MAX_REASON, multiline=True)
_NOTES = text(MAX_NOTES, required=False, multiline=True)
_SKU = text(64)


class ChangeKind(StrEnum):
    LINES = "lines"  # quantities, added or cancelled lines
    ADDRESS = "address"
    DELIVERY_DATE = "delivery_date"
    NOTES = "notes"
    SPLIT = "split"  # lines moved to a new order
    SPLIT_FROM = "split_from"  # the new order of a split
    MERGE = "merge"  # another order's lines taken in
    MERGED_INTO = "merged_into"  # this order's lines went to another (cancelled)


AFTER_PICKING = frozenset({ChangeKind.ADDRESS, ChangeKind.NOTES})
"""What may still change once any unit of the order is on a started pick list."""


@dataclass(frozen=True, slots=True)
class ChangeOrder:
    """One atomic change set. Omitted parts (None / empty) stay as they are."""

    reason: str
    quantities: Mapping[int, int] | Sequence[tuple[int, int]] = field(default_factory=dict)
    """line_no -> new quantity; as given (pairs), so a line named twice is refused."""
    add_lines: Sequence[LineRequest] = ()
    cancel_lines: Sequence[int] = ()  # line numbers
    shipping_address: dict[str, str] | None = None
    requested_delivery_date: date | None = None
    notes: str | None = None
    expected_version: int | None = None

    @property
    def kinds(self) -> list[ChangeKind]:
        kinds = []
        if self.quantities or self.add_lines or self.cancel_lines:
            kinds.append(ChangeKind.LINES)
        if self.shipping_address is not None:
            kinds.append(ChangeKind.ADDRESS)
        if self.requested_delivery_date is not None:
            kinds.append(ChangeKind.DELIVERY_DATE)
        if self.notes is not None:
            kinds.append(ChangeKind.NOTES)
        return kinds


def clean_reason(reason: str) -> str:
    try:
        return _REASON(reason)
    except ValueError as exc:
        raise ValidationFailed(
            f"reason {exc}: say why, the customer sees it",
            fields=[FieldError("reason", str(exc))],
        ) from exc


def validate_change(request: ChangeOrder) -> ChangeOrder:
    """Shape rules; the request with a clean reason, notes and address."""
    checks = FieldChecks()
    reason = checks.run("reason", _REASON, request.reason) or ""
    if not request.kinds:
        checks.fail("changes", "nothing to change")
    quantities = _by_line(checks, request.quantities)
    for line_no, quantity in quantities.items():
        if line_no < 1:
            checks.fail(f"quantities.{line_no}", "no such line number")
        if not 1 <= quantity <= MAX_QUANTITY:
            checks.fail(
                f"quantities.{line_no}", f"between 1 and {MAX_QUANTITY} (cancel a line instead)"
            )
        if line_no in request.cancel_lines:
            checks.fail(f"quantities.{line_no}", "the line is also cancelled")
    if len(request.add_lines) > MAX_LINES:
        checks.fail("add_lines", f"at most {MAX_LINES} lines")
    for i, line in enumerate(request.add_lines):
        checks.run(f"add_lines.{i}.sku", _SKU, line.sku)
        if not 1 <= line.quantity <= MAX_QUANTITY:
            checks.fail(f"add_lines.{i}.quantity", f"between 1 and {MAX_QUANTITY}")
        if line.discount < 0:
            checks.fail(f"add_lines.{i}.discount", "cannot be negative")
    for line_no in request.cancel_lines:
        if line_no < 1:
            checks.fail("cancel_lines", f"no line {line_no}")
    address = request.shipping_address
    if address is not None:
        address = check_address(checks, "shipping_address", address)
    notes = request.notes
    if notes is not None:
        notes = checks.run("notes", _NOTES, notes)
    if request.expected_version is not None and request.expected_version < 1:
        checks.fail("expected_version", "at least 1")
    checks.raise_if_any("the change is not valid")
    return ChangeOrder(
        reason=reason,
        quantities=quantities,
        add_lines=list(request.add_lines),
        cancel_lines=sorted(set(request.cancel_lines)),
        shipping_address=address,
        requested_delivery_date=request.requested_delivery_date,
        notes=notes,
        expected_version=request.expected_version,
    )


def _by_line(
    checks: FieldChecks, given: Mapping[int, int] | Sequence[tuple[int, int]]
) -> dict[int, int]:
    """The new quantities by line number; a line named twice is an error (which of the
    two was meant?), not the last one silently winning."""
    pairs = list(given.items()) if isinstance(given, Mapping) else list(given)
    found: dict[int, int] = {}
    for i, (line_no, quantity) in enumerate(pairs):
        if line_no in found:
            checks.fail(f"quantities.{i}.line_no", f"line {line_no} is named twice")
        found.setdefault(line_no, quantity)
    return found


def check_version(number: str, current: int, expected: int | None) -> None:
    if expected is not None and expected != current:
        raise OrderVersionConflict(
            f"order {number} is at version {current}, not {expected}: "
            "reload it and apply the change again",
            extra={"current_version": current, "expected_version": expected},
        )


def rescale(line: Mapping[str, Any], quantity: int, currency: str) -> LineAmounts:
    """A kept line's amounts at its new quantity: same unit price and tax rate, the
    discount scaled in proportion (rounded to the currency's minor unit)."""
    old = int(line["quantity"])
    discount = Decimal(line["discount"])
    if old and quantity != old:
        discount = quantize(discount * quantity / old, currency)
    return line_amounts(
        quantity, Decimal(line["unit_price"]), discount, Decimal(line["tax_rate"]), currency
    )


def snapshot(order: Mapping[str, Any], lines: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The parts of an order a change may touch, as JSON (before/after of a change)."""
    return {
        "status": str(order["status"]),
        "shipping_address": dict(order["shipping_address"] or {}),
        "requested_delivery_date": (
            order["requested_delivery_date"].isoformat()
            if order["requested_delivery_date"]
            else None
        ),
        "notes": order["notes"],
        "total": str(order["total"]),
        "lines": [
            {
                "line_no": line["line_no"],
                "sku": line["sku"],
                "quantity": int(line["quantity"]),
                "unit_price": str(line["unit_price"]),
                "net_amount": str(line["net_amount"]),
            }
            for line in lines
        ],
    }
