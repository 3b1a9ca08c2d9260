"""A supplier's scorecard, computed from its purchase orders' history (ADR 0016).

Each number says what it is computed from; each is ``None`` while there is nothing to
compute it from (a new supplier has no rate, not a rate of 0 %).

- **On-time delivery rate** = receipt lines received on or before their PO line's
  expected date / all receipt lines (each delivery of a line counts once; days are UTC).
- **Fill rate** = units received / units ordered, over the lines of purchase orders
  whose deliveries are over (``received`` or ``closed``, short-closed ones included: that
  is what they are for); a line's over-receipt counts only up to what it ordered.
- **Lead time**, actual: days from the PO's ``sent_at`` to each receipt (UTC dates), per
  receipt line; its median and 90th percentile (nearest rank), against the median of
  the lead times the supplier quoted for those lines (copied onto the line when ordered).
- **Price variance** = what was paid - what was quoted, over the units received: paid is
  the unit cost the supplier invoiced on the receipt, else the PO line's unit cost;
  quoted is the supplier product's cost when the line was made (``quoted_unit_cost``).
  Positive: the supplier charged more than quoted. Its rate is relative to the quoted
  value. In the supplier's currency.

Ratios are Decimals with four places (0.8333), rounded half up; never floats.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.db import table_of
from ordersmith.money import ZERO
from ordersmith.purchasing.models import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseReceipt,
    PurchaseReceiptLine,
)
from ordersmith.purchasing.queries import get_supplier
from ordersmith.purchasing.status import FINISHED_STATUSES

RATE_PLACES = Decimal("0.0001")
_PO, _POL = table_of(PurchaseOrder), table_of(PurchaseOrderLine)
_R, _RL = table_of(PurchaseReceipt), table_of(PurchaseReceiptLine)


@dataclass(frozen=True, slots=True)
class Scorecard:
    supplier_id: uuid.UUID
    supplier: str
    currency: str
    purchase_orders_sent: int
    receipt_lines: int
    on_time_receipt_lines: int
    on_time_rate: Decimal | None
    ordered_quantity: int
    """Units ordered on received or closed purchase orders."""
    received_quantity: int
    """Of those, units received (each line at most what it ordered)."""
    fill_rate: Decimal | None
    lead_time_median_days: Decimal | None
    lead_time_p90_days: int | None
    quoted_lead_time_median_days: Decimal | None
    quoted_value: Decimal
    paid_value: Decimal
    price_variance: Decimal
    price_variance_rate: Decimal | None


def rate(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """``part / whole`` with four places, or None when ``whole`` is 0."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def median(values: Sequence[int]) -> Decimal | None:
    """The middle value (the mean of the two middle ones for an even count), exact."""
    if not values:
        return None
    ordered, mid = sorted(values), len(values) // 2
    if len(ordered) % 2:
        return Decimal(ordered[mid])
    return (Decimal(ordered[mid - 1]) + Decimal(ordered[mid])) / 2


def percentile_90(values: Sequence[int]) -> int | None:
    """The nearest-rank 90th percentile: the ⌈0.9·n⌉-th smallest value."""
    if not values:
        return None
    return sorted(values)[(9 * len(values) + 9) // 10 - 1]


def supplier_scorecard(session: Session, supplier: str | uuid.UUID) -> Scorecard:
    """The scorecard of the supplier with this id or code (SupplierNotFound otherwise)."""
    found = get_supplier(session, supplier)
    receipts = session.execute(
        sa.select(
            _R.c.received_at,
            _PO.c.sent_at,
            _POL.c.expected_date,
            _POL.c.quoted_lead_time_days,
            _RL.c.quantity,
            sa.func.coalesce(_RL.c.invoiced_unit_cost, _POL.c.unit_cost),
            _POL.c.quoted_unit_cost,
        )
        .join(_R, _R.c.id == _RL.c.receipt_id)
        .join(_POL, _POL.c.id == _RL.c.purchase_order_line_id)
        .join(_PO, _PO.c.id == _POL.c.purchase_order_id)
        .where(_PO.c.supplier_id == found.id)
    ).all()
    on_time, lead_times, quoted_times = 0, [], []
    quoted_value = paid_value = ZERO
    for received_at, sent_at, expected, quoted_days, quantity, paid, quoted in receipts:
        received_on = received_at.date()
        on_time += received_on <= expected
        if sent_at is not None:
            lead_times.append((received_on - sent_at.date()).days)
            quoted_times.append(quoted_days)
        quoted_value += quoted * quantity
        paid_value += paid * quantity
    ordered, received = _fill(session, found.id)
    sent = session.scalar(
        sa.select(sa.func.count())
        .select_from(_PO)
        .where(_PO.c.supplier_id == found.id, _PO.c.sent_at.is_not(None))
    )
    variance = paid_value - quoted_value
    return Scorecard(
        supplier_id=found.id,
        supplier=found.code,
        currency=found.currency,
        purchase_orders_sent=int(sent or 0),
        receipt_lines=len(receipts),
        on_time_receipt_lines=on_time,
        on_time_rate=rate(on_time, len(receipts)),
        ordered_quantity=ordered,
        received_quantity=received,
        fill_rate=rate(received, ordered),
        lead_time_median_days=median(lead_times),
        lead_time_p90_days=percentile_90(lead_times),
        quoted_lead_time_median_days=median(quoted_times),
        quoted_value=quoted_value,
        paid_value=paid_value,
        price_variance=variance,
        price_variance_rate=rate(variance, quoted_value),
    )


def _fill(session: Session, supplier_id: uuid.UUID) -> tuple[int, int]:
    """(units ordered, units received capped per line) on finished purchase orders."""
    capped = sa.case(
        (_POL.c.received_quantity > _POL.c.quantity, _POL.c.quantity),
        else_=_POL.c.received_quantity,
    )
    ordered, received = session.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(_POL.c.quantity), 0),
            sa.func.coalesce(sa.func.sum(capped), 0),
        )
        .join(_PO, _PO.c.id == _POL.c.purchase_order_id)
        .where(
            _PO.c.supplier_id == supplier_id,
            _PO.c.status.in_([s.value for s in FINISHED_STATUSES]),
        )
    ).one()
    return int(ordered), int(received)
