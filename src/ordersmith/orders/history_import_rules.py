"""What a historical order import must satisfy before anything is written.

The limits of one call, the rules that need no database (``shape_errors``), and the
references that must exist (``reference_errors``). Problems are collected, not raised
one by one: ``raise_if`` refuses the whole call with up to ``MAX_ERRORS`` of them.
"""

from __future__ import annotations

import uuid
from collections.abc import Container, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from ordersmith import clock
from ordersmith.errors import FieldError, ValidationFailed
from ordersmith.money import is_valid_currency
from ordersmith.orders.models import Channel
from ordersmith.orders.status import OrderStatus
from ordersmith.validation import MAX_AMOUNT

if TYPE_CHECKING:
    from ordersmith.orders.history_import import HistoricalLine, HistoricalOrder

MAX_ORDERS = 5_000  # per call: callers split bigger imports into several transactions
MAX_LINES = 500
MAX_QUANTITY = 1_000_000
MAX_ERRORS = 50  # field errors listed in one ValidationFailed
_FINAL = (OrderStatus.COMPLETED, OrderStatus.CANCELLED)
_CHANNELS = tuple(c.value for c in Channel)


def raise_if(errors: list[FieldError]) -> None:
    if errors:
        raise ValidationFailed(
            f"{len(errors)} problem(s) in the historical orders; nothing was imported",
            fields=errors[:MAX_ERRORS],
        )


def shape_errors(orders: Sequence[HistoricalOrder]) -> list[FieldError]:
    """Rules that need no database."""
    errors: list[FieldError] = []
    if len(orders) > MAX_ORDERS:
        return [FieldError("orders", f"at most {MAX_ORDERS} orders per call")]
    now = clock.now()
    for i, o in enumerate(orders):
        at = f"orders.{i}"
        if o.status not in _FINAL:
            errors.append(FieldError(f"{at}.status", "must be completed or cancelled"))
        if o.channel not in _CHANNELS:
            errors.append(FieldError(f"{at}.channel", f"one of {', '.join(_CHANNELS)}"))
        ref = o.external_ref if isinstance(o.external_ref, str) else ""
        if not 1 <= len(ref) <= 120 or ref != ref.strip():
            errors.append(FieldError(f"{at}.external_ref", "1 to 120 characters, no outer spaces"))
        if o.created_at.tzinfo is None:
            errors.append(FieldError(f"{at}.created_at", "must be timezone-aware"))
        elif o.created_at > now:
            errors.append(FieldError(f"{at}.created_at", "must be in the past"))
        if o.currency is not None and not is_valid_currency(o.currency):
            errors.append(FieldError(f"{at}.currency", "ISO 4217 code, e.g. EUR"))
        if not _storable(o.shipping_amount):
            errors.append(FieldError(f"{at}.shipping_amount", "0 or more, at most 4 decimals"))
        if not 1 <= len(o.lines) <= MAX_LINES:
            errors.append(FieldError(f"{at}.lines", f"1 to {MAX_LINES} lines"))
        for n, line in enumerate(o.lines):
            errors.extend(_line_errors(f"{at}.lines.{n}", line))
    return errors


def _line_errors(at: str, line: HistoricalLine) -> list[FieldError]:
    errors = []
    if not 1 <= line.quantity <= MAX_QUANTITY:
        errors.append(FieldError(f"{at}.quantity", f"between 1 and {MAX_QUANTITY}"))
    for name in ("unit_price", "discount"):
        if not _storable(getattr(line, name)):
            errors.append(FieldError(f"{at}.{name}", "0 or more, at most 4 decimals"))
    if line.tax_rate is not None and not (_storable(line.tax_rate) and line.tax_rate < 1):
        errors.append(FieldError(f"{at}.tax_rate", "a fraction from 0 to below 1"))
    if not errors and line.quantity * line.unit_price > MAX_AMOUNT:
        errors.append(FieldError(f"{at}.unit_price", f"the line amount exceeds {MAX_AMOUNT}"))
    elif not errors and line.discount > line.quantity * line.unit_price:
        errors.append(FieldError(f"{at}.discount", "cannot exceed the line amount"))
    if not 1 <= len(line.price_source) <= 60:
        errors.append(FieldError(f"{at}.price_source", "1 to 60 characters"))
    return errors


def _storable(amount: Decimal) -> bool:
    """A non-negative Decimal with at most 4 decimals (the Fixed(4) columns)."""
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount < 0:
        return False
    scaled = amount.scaleb(4)
    return scaled == scaled.to_integral_value() and amount <= MAX_AMOUNT


def reference_errors(
    orders: Sequence[HistoricalOrder],
    skus: Container[str],
    customer_ids: Container[uuid.UUID],
) -> list[FieldError]:
    """Customers and SKUs that are not on file."""
    errors = []
    for i, o in enumerate(orders):
        if o.customer_id not in customer_ids:
            errors.append(FieldError(f"orders.{i}.customer_id", "unknown customer"))
        for n, line in enumerate(o.lines):
            if line.sku not in skus:
                errors.append(FieldError(f"orders.{i}.lines.{n}.sku", "unknown SKU"))
    return errors
