"""What a caller asks for when placing an order, and the checks that need no database."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from ordersmith.config import BackorderPolicy
from ordersmith.errors import FieldError, ValidationFailed
from ordersmith.money import ZERO
from ordersmith.orders.models import Channel

MAX_LINES = 500
MAX_QUANTITY = 1_000_000
ADDRESS_FIELDS = ("name", "line1", "line2", "city", "region", "postcode", "country")


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
    requested_delivery_date: date | None = None
    notes: str = ""
    shipping_amount: Decimal = ZERO
    draft: bool = False
    details: dict[str, Any] = field(default_factory=dict)


def validate(request: PlaceOrder) -> None:
    """Shape rules that need no database; raise ValidationFailed listing every problem."""
    errors: list[FieldError] = []
    if not request.lines:
        errors.append(FieldError("lines", "an order needs at least one line"))
    if len(request.lines) > MAX_LINES:
        errors.append(FieldError("lines", f"at most {MAX_LINES} lines"))
    for i, line in enumerate(request.lines):
        if not line.sku.strip():
            errors.append(FieldError(f"lines.{i}.sku", "required"))
        if not 1 <= line.quantity <= MAX_QUANTITY:
            errors.append(FieldError(f"lines.{i}.quantity", f"between 1 and {MAX_QUANTITY}"))
        if line.discount < 0:
            errors.append(FieldError(f"lines.{i}.discount", "cannot be negative"))
    if request.external_ref is not None and not 1 <= len(request.external_ref) <= 120:
        errors.append(FieldError("external_ref", "1 to 120 characters"))
    if request.shipping_amount < 0:
        errors.append(FieldError("shipping_amount", "cannot be negative"))
    if len(request.notes) > 10_000:
        errors.append(FieldError("notes", "at most 10000 characters"))
    for name in ("billing_address", "shipping_address"):
        address = getattr(request, name)
        if address is not None:
            errors.extend(_address_errors(name, address))
    if errors:
        raise ValidationFailed("the order is not valid", fields=errors)


def _address_errors(name: str, address: dict[str, str]) -> list[FieldError]:
    errors = [
        FieldError(f"{name}.{k}", "unknown field") for k in address if k not in ADDRESS_FIELDS
    ]
    for required in ("line1", "city", "country"):
        if not str(address.get(required, "")).strip():
            errors.append(FieldError(f"{name}.{required}", "required"))
    country = str(address.get("country", ""))
    if country and not (len(country) == 2 and country.isalpha()):
        errors.append(FieldError(f"{name}.country", "ISO 3166 alpha-2 code, e.g. DE"))
    return errors


def lines_fingerprint(lines: Sequence[LineRequest]) -> str:
    """Same SKUs and quantities in any line order give the same fingerprint."""
    totals: dict[str, int] = {}
    for line in lines:
        totals[line.sku] = totals.get(line.sku, 0) + line.quantity
    canonical = ";".join(f"{sku}:{qty}" for sku, qty in sorted(totals.items()))
    return hashlib.sha256(canonical.encode()).hexdigest()
