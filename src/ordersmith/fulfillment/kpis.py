"""Fulfilment KPIs: perfect order, fill rates, cycle times, on-time dispatch.

Pure functions over ``OrderFacts``, one row per order that the query layer gathers.
Rates are ``Decimal`` quantized to 0.0001 with ROUND_HALF_UP (``ratio``), and ``None``
when nothing was measured. docs/kpis.md has a worked example.

Dates. ``promised_date`` (delivery) and ``promised_dispatch_date`` are calendar dates;
a timestamp's date is taken in the time zone it carries, so pass timestamps converted
to the business's zone (``astimezone``): a parcel delivered at 00:30 local time on the
day after the promise is late, whatever the UTC date says.

Perfect order (``perfect_order_report``). Only DELIVERED orders enter (``delivered_at``
set: every unit delivered, or nothing left to send). An order is perfect when it passes
all four components; each failure leaves a machine reason code:

- complete: one shipment with exactly the ordered units, no backorder, no short pick.
  Reasons ``split_shipment`` (more than one shipment), ``short_shipped`` /
  ``over_shipped`` (units shipped differ from units ordered), ``backordered``,
  ``short_picked``, ``wrong_item`` (a return for a wrong item was authorised).
- on_time: delivered on or before ``promised_date``. Reason ``late_by_<n>_day(s)``
  (``late_by_1_day``, ``late_by_3_days``). An order with no promised date cannot be late
  and counts as on time; ``PerfectOrderReport.no_promise`` counts these, because many of
  them make the on-time figure say little. It is not a reason (it is no failure).
- damage_free: no damage reported. Reason ``damaged``.
- correct_documentation: no document missing and none corrected. Reasons
  ``missing_<document>`` (``missing_packing_slip``) and ``document_corrected``.

The rate is the share of delivered orders that pass all four, counted order by order,
not the product of the component rates (which assumes failures are independent).

Fill rates (``fill_rate``), over DISPATCHED orders (at least one shipment left):

- order fill rate: share of orders whose first shipment held every ordered unit;
- unit fill rate: units in first shipments (at most the ordered units of each order)
  divided by units ordered.

Both measure what left at the first attempt: units sent later from a backorder do not
fill. A backorder resolved before anything shipped still counts as filled here; the
perfect-order ``complete`` component is where that shows.

Cycle times (``cycle_times``): placed → first dispatch, over dispatched orders, and
placed → delivered, over delivered orders; each as count, median and 90th percentile by
the nearest-rank method (the value at rank ``ceil(p/100 · n)`` of the sorted list, so
the median of an even count is the lower middle value, and no value is invented).

On-time dispatch (``on_time_dispatch_rate``): among orders with a promised dispatch date
that have fully dispatched (``fully_dispatched_at``: the last unit left), the share whose
last unit left on or before that date. An order half sent on time is not dispatched on
time. With ``as_of``, orders still not fully dispatched after their promised dispatch
date (``promised_dispatch_date < as_of``) count as late already, so that a backlog does
not flatter the rate.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from decimal import Decimal

from ordersmith.errors import FieldError, ValidationFailed

COMPLETE = "complete"
ON_TIME = "on_time"
DAMAGE_FREE = "damage_free"
CORRECT_DOCUMENTATION = "correct_documentation"
ON_TIME_DISPATCH = "on_time_dispatch"
COMPONENTS = (COMPLETE, ON_TIME, DAMAGE_FREE, CORRECT_DOCUMENTATION)

_COUNTS = ("ordered_units", "shipment_count", "shipped_units", "first_shipment_units")


@dataclass(frozen=True, slots=True)
class OrderFacts:
    """What happened to one order, as far as the KPIs need it.

    ``dispatched_at``: the first shipment left; ``fully_dispatched_at``: the last unit
    left (equal to ``dispatched_at`` for a single shipment; None while units remain);
    ``delivered_at``: the last shipment was delivered (None until then).
    ``shipped_units`` counts every shipment so far, ``first_shipment_units`` the first.
    ``backordered``/``short_picked``: it happened at any time to any line.
    All timestamps must be timezone-aware.
    """

    order_id: uuid.UUID
    number: str
    placed_at: datetime
    ordered_units: int
    promised_date: date | None = None
    promised_dispatch_date: date | None = None
    dispatched_at: datetime | None = None
    fully_dispatched_at: datetime | None = None
    delivered_at: datetime | None = None
    shipment_count: int = 0
    shipped_units: int = 0
    first_shipment_units: int = 0
    backordered: bool = False
    short_picked: bool = False
    damage_reported: bool = False
    documents_missing: tuple[str, ...] = ()
    document_corrections: int = 0
    wrong_item: bool = False

    def __post_init__(self) -> None:
        problems = [
            FieldError(name, "must be timezone-aware")
            for name in _TIMESTAMPS
            if (value := getattr(self, name)) is not None and value.utcoffset() is None
        ]
        problems += [
            FieldError(name, "must not be negative")
            for name in (*_COUNTS, "document_corrections")
            if getattr(self, name) < 0
        ]
        if (self.dispatched_at is None) != (self.shipment_count == 0):
            problems.append(FieldError("shipment_count", "is 0 exactly when nothing dispatched"))
        if self.dispatched_at is None:
            problems += [
                FieldError(name, "needs dispatched_at")
                for name in ("shipped_units", "fully_dispatched_at", "delivered_at")
                if getattr(self, name)
            ]
        if self.first_shipment_units > self.shipped_units:
            problems.append(FieldError("first_shipment_units", "exceeds shipped_units"))
        if self.shipment_count == 1 and self.first_shipment_units != self.shipped_units:
            problems.append(FieldError("first_shipment_units", "differs from shipped_units"))
        if problems:
            raise ValidationFailed(f"inconsistent facts for order {self.number}", fields=problems)

    @property
    def delivered(self) -> bool:
        return self.delivered_at is not None

    @property
    def dispatched(self) -> bool:
        return self.dispatched_at is not None


_TIMESTAMPS = tuple(
    f.name for f in fields(OrderFacts) if f.name.endswith("_at")
)  # checked for a timezone on every fact (the dates are plain dates)


@dataclass(frozen=True, slots=True)
class ComponentRate:
    name: str
    passed: int
    total: int
    rate: Decimal | None


@dataclass(frozen=True, slots=True)
class FailingOrder:
    order_id: uuid.UUID
    number: str
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PerfectOrderReport:
    orders: int  # delivered orders measured
    perfect: int
    rate: Decimal | None
    components: tuple[ComponentRate, ...]  # in COMPONENTS order
    failing: tuple[FailingOrder, ...]  # in input order
    no_promise: int  # delivered orders counted on time because nothing was promised

    def component(self, name: str) -> ComponentRate:
        return next(c for c in self.components if c.name == name)


@dataclass(frozen=True, slots=True)
class FillRates:
    orders: int  # dispatched orders measured
    orders_filled: int
    order_fill_rate: Decimal | None
    units_ordered: int
    units_filled: int
    unit_fill_rate: Decimal | None


@dataclass(frozen=True, slots=True)
class Percentiles:
    count: int
    median: timedelta | None
    p90: timedelta | None


@dataclass(frozen=True, slots=True)
class CycleTimes:
    placed_to_first_dispatch: Percentiles
    placed_to_delivery: Percentiles


def ratio(passed: int, total: int) -> Decimal | None:
    """``passed / total`` to 4 places, half up, computed exactly in integers."""
    if total <= 0:
        return None
    scaled = (2 * passed * 10_000 + total) // (2 * total)
    return Decimal(scaled).scaleb(-4)


def _component(name: str, passed: int, total: int) -> ComponentRate:
    return ComponentRate(name, passed, total, ratio(passed, total))


# --- perfect order -----------------------------------------------------------------------


def _complete_reasons(f: OrderFacts) -> list[str]:
    reasons = []
    if f.shipment_count > 1:
        reasons.append("split_shipment")
    if f.shipped_units < f.ordered_units:
        reasons.append("short_shipped")
    elif f.shipped_units > f.ordered_units:
        reasons.append("over_shipped")
    if f.backordered:
        reasons.append("backordered")
    if f.short_picked:
        reasons.append("short_picked")
    if f.wrong_item:
        reasons.append("wrong_item")
    return reasons


def _on_time_reasons(f: OrderFacts) -> list[str]:
    if f.promised_date is None or f.delivered_at is None:
        return []
    days = (f.delivered_at.date() - f.promised_date).days
    if days <= 0:
        return []
    return [f"late_by_{days}_day" if days == 1 else f"late_by_{days}_days"]


def _damage_reasons(f: OrderFacts) -> list[str]:
    return ["damaged"] if f.damage_reported else []


def _documentation_reasons(f: OrderFacts) -> list[str]:
    reasons = [f"missing_{name}" for name in sorted(set(f.documents_missing))]
    if f.document_corrections > 0:
        reasons.append("document_corrected")
    return reasons


_CHECKS: tuple[tuple[str, Callable[[OrderFacts], list[str]]], ...] = (
    (COMPLETE, _complete_reasons),
    (ON_TIME, _on_time_reasons),
    (DAMAGE_FREE, _damage_reasons),
    (CORRECT_DOCUMENTATION, _documentation_reasons),
)


def reason_component(reason: str) -> str:
    """The component a failure reason code (of ``perfect_order_reasons``) belongs to."""
    if reason.startswith("late_by_"):
        return ON_TIME
    if reason == "damaged":
        return DAMAGE_FREE
    if reason.startswith("missing_") or reason == "document_corrected":
        return CORRECT_DOCUMENTATION
    return COMPLETE


def perfect_order_reasons(f: OrderFacts) -> dict[str, list[str]]:
    """Each component's failure reasons for one order (empty lists when it passes)."""
    return {name: check(f) for name, check in _CHECKS}


def perfect_order_report(facts: Sequence[OrderFacts]) -> PerfectOrderReport:
    delivered = [f for f in facts if f.delivered]
    passed = dict.fromkeys(COMPONENTS, 0)
    failing = []
    for f in delivered:
        by_component = perfect_order_reasons(f)
        for name, component_reasons in by_component.items():
            passed[name] += not component_reasons
        reasons = tuple(r for rs in by_component.values() for r in rs)
        if reasons:
            failing.append(FailingOrder(f.order_id, f.number, reasons))
    total = len(delivered)
    perfect = total - len(failing)
    return PerfectOrderReport(
        orders=total,
        perfect=perfect,
        rate=ratio(perfect, total),
        components=tuple(_component(name, passed[name], total) for name in COMPONENTS),
        failing=tuple(failing),
        no_promise=sum(1 for f in delivered if f.promised_date is None),
    )


# --- fill rates --------------------------------------------------------------------------


def fill_rate(facts: Sequence[OrderFacts]) -> FillRates:
    """Order fill rate and unit fill rate over dispatched orders (see module docstring)."""
    dispatched = [f for f in facts if f.dispatched]
    filled = sum(1 for f in dispatched if f.first_shipment_units >= f.ordered_units)
    units_ordered = sum(f.ordered_units for f in dispatched)
    units_filled = sum(min(f.first_shipment_units, f.ordered_units) for f in dispatched)
    return FillRates(
        orders=len(dispatched),
        orders_filled=filled,
        order_fill_rate=ratio(filled, len(dispatched)),
        units_ordered=units_ordered,
        units_filled=units_filled,
        unit_fill_rate=ratio(units_filled, units_ordered),
    )


# --- cycle times -------------------------------------------------------------------------


def nearest_rank(ordered: Sequence[timedelta], percent: int) -> timedelta | None:
    """The nearest-rank ``percent``-th percentile of an already sorted sequence."""
    if not ordered:
        return None
    rank = max(1, -(-percent * len(ordered) // 100))  # ceil(percent/100 · n)
    return ordered[rank - 1]


def percentiles(durations: Sequence[timedelta]) -> Percentiles:
    ordered = sorted(durations)
    return Percentiles(len(ordered), nearest_rank(ordered, 50), nearest_rank(ordered, 90))


def cycle_times(facts: Sequence[OrderFacts]) -> CycleTimes:
    return CycleTimes(
        placed_to_first_dispatch=percentiles(
            [f.dispatched_at - f.placed_at for f in facts if f.dispatched_at is not None]
        ),
        placed_to_delivery=percentiles(
            [f.delivered_at - f.placed_at for f in facts if f.delivered_at is not None]
        ),
    )


# --- on-time dispatch --------------------------------------------------------------------


def on_time_dispatch_rate(
    facts: Sequence[OrderFacts], *, as_of: date | None = None
) -> ComponentRate:
    """Share of fully dispatched orders whose last unit left by the promised dispatch date.

    With ``as_of``, an order not yet fully dispatched whose promised dispatch date is
    before ``as_of`` counts as late.
    """
    passed = total = 0
    for f in facts:
        promise = f.promised_dispatch_date
        if promise is None:
            continue
        if f.fully_dispatched_at is not None:
            total += 1
            passed += f.fully_dispatched_at.date() <= promise
        elif as_of is not None and promise < as_of:
            total += 1
    return _component(ON_TIME_DISPATCH, passed, total)
