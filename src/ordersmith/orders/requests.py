"""What a caller asks for when placing an order, and the checks that need no database."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from ordersmith.config import BackorderPolicy, ShipPolicy
from ordersmith.money import ZERO
from ordersmith.orders.models import Channel
from ordersmith.validation import FieldChecks, check_address, text

MAX_LINES = 500
MAX_QUANTITY = 1_000_000
ADDRESS_FIELDS = ("name", "line1", "line2", "city", "region", "postcode", "country")
_SKU = text(64)
_EXTERNAL_REF = text(120)
_NOTES = text(10_000, required=False, multiline=True)


@dataclass(frozen=True, slots=True)
class LineRequest:
    sku: str
    quantity: int
    discount: Decimal = ZERO
    warehouse: str | None = None  # reserve from this warehouse only


@dataclass(frozen=True, slots=True)
class PlaceOrder:
    customer_id: uuid.UUID
    channel: Channel
    lines: Sequence[LineRequest]
    external_ref: str | None = None
    billing_address: dict[str, str] | None = None
    shipping_address: dict[str, str] | None = None
    backorder_policy: BackorderPolicy | None = None
    ship_policy: ShipPolicy | None = None
    requested_delivery_date: date | None = None
    notes: str = ""
    shipping_amount: Decimal = ZERO
    draft: bool = False
    details: dict[str, Any] = field(default_factory=dict)


def validate(request: PlaceOrder) -> None:
    """Shape rules that need no database; raise ValidationFailed listing every problem.

    Every text is checked with the shared rules (``ordersmith.validation``): no control
    characters (a NUL cannot even be stored on PostgreSQL), bounded lengths."""
    checks = FieldChecks()
    if not request.lines:
        checks.fail("lines", "an order needs at least one line")
    if len(request.lines) > MAX_LINES:
        checks.fail("lines", f"at most {MAX_LINES} lines")
    for i, line in enumerate(request.lines):
        checks.run(f"lines.{i}.sku", _SKU, line.sku)
        if not 1 <= line.quantity <= MAX_QUANTITY:
            checks.fail(f"lines.{i}.quantity", f"between 1 and {MAX_QUANTITY}")
        if line.discount < 0:
            checks.fail(f"lines.{i}.discount", "cannot be negative")
    if request.external_ref is not None:
        checks.run("external_ref", _EXTERNAL_REF, request.external_ref)
    if request.shipping_amount < 0:
        checks.fail("shipping_amount", "cannot be negative")
    checks.run("notes", _NOTES, request.notes)
    for name in ("billing_address", "shipping_address"):
        address = getattr(request, name)
        if address is not None:
            check_address(checks, name, address)
    checks.raise_if_any("the order is not valid")


def sku_quantities(lines: Sequence[LineRequest]) -> dict[str, int]:
    """Each SKU's total quantity over ``lines``."""
    quantities: dict[str, int] = {}
    for line in lines:
        quantities[line.sku] = quantities.get(line.sku, 0) + line.quantity
    return quantities


def lines_fingerprint(lines: Sequence[LineRequest]) -> str:
    """Same SKUs and quantities in any line order give the same fingerprint."""
    totals: dict[str, int] = {}
    for line in lines:
        totals[line.sku] = totals.get(line.sku, 0) + line.quantity
    canonical = ";".join(f"{sku}:{qty}" for sku, qty in sorted(totals.items()))
    return hashlib.sha256(canonical.encode()).hexdigest()
