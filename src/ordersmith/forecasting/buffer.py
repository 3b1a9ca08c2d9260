"""The buffer: safety stock, reorder point, order-up-to level and the recommended order.

Pure Decimal arithmetic over a series' forecast, so that every stored figure can be
recomputed by hand from the other stored figures (docs/forecasting.md has an example):

    z             = Φ⁻¹(service level), to 4 places                 (0.95 → 1.6449)
    L             = lead time in weeks = lead time days / 7
    R             = review period in weeks = review period days / 7
    safety stock  = ⌈ z * sigma * √L ⌉                              whole units, up
    D(x)          = expected demand over the next x weeks: the weekly forecast means
                    summed, a fraction of the last week pro rata, weeks beyond the
                    horizon at the horizon's average week
    lead-time demand = D(L), review demand = D(L + R) - D(L)          2 places, half up
    reorder point = ⌈ lead-time demand + safety stock ⌉
    order-up-to   = ⌈ lead-time demand + review demand + safety stock ⌉
    position      = available - backordered + on order
    recommended order = max(0, order-up-to - position)

sigma is the standard deviation of the weekly forecast error: the root mean squared error
of the chosen model in its rolling-origin backtest (ordersmith.forecasting.backtest).
Stock is reordered when the position falls to the reorder point; an order brings the
position up to the order-up-to level, which also covers the demand until the next
review. Rounding up: a buffer is there to prevent stock-outs, so part of a unit counts
as a unit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from statistics import NormalDist

DAYS_PER_WEEK = Decimal(7)
Z_PLACES = Decimal("0.0001")
QUANTITY_PLACES = Decimal("0.01")
MIN_SERVICE_LEVEL, MAX_SERVICE_LEVEL = Decimal("0.5"), Decimal("0.999")
ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Buffer:
    z: Decimal
    safety_stock: int
    lead_time_demand: Decimal
    review_demand: Decimal
    reorder_point: int
    order_up_to: int
    position: int
    recommended_order: int

    @property
    def at_or_below_reorder_point(self) -> bool:
        return self.position <= self.reorder_point


def z_value(service_level: Decimal) -> Decimal:
    """The standard normal quantile of the service level, to four places half up."""
    if not MIN_SERVICE_LEVEL <= service_level <= MAX_SERVICE_LEVEL:
        raise ValueError(f"a service level is from {MIN_SERVICE_LEVEL} to {MAX_SERVICE_LEVEL}")
    z = NormalDist().inv_cdf(float(service_level))  # float-ok: a quantile, not an amount
    return Decimal(z).quantize(Z_PLACES, rounding=ROUND_HALF_UP)


def quantity(value: Decimal) -> Decimal:
    """A forecast quantity as stored: two places, half up."""
    return value.quantize(QUANTITY_PLACES, rounding=ROUND_HALF_UP)


def weeks_of(days: int) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 28
        return Decimal(days) / DAYS_PER_WEEK


def safety_stock(z: Decimal, sigma: Decimal, lead_time_days: int) -> int:
    """⌈ z * sigma * √(lead time days / 7) ⌉, never negative."""
    if sigma < 0 or lead_time_days < 0:
        raise ValueError("sigma and the lead time cannot be negative")
    with localcontext() as ctx:
        ctx.prec = 28
        units = z * sigma * weeks_of(lead_time_days).sqrt()
    return max(0, math.ceil(units))


def demand_over(weeks: Decimal, means: Sequence[Decimal]) -> Decimal:
    """Expected demand over the next ``weeks`` (fractional) weeks of the forecast."""
    if weeks <= 0 or not means:
        return ZERO
    with localcontext() as ctx:
        ctx.prec = 28
        average = sum(means, ZERO) / len(means)
        whole = int(weeks)
        total = sum(means[:whole], ZERO) + average * max(0, whole - len(means))
        part = weeks - whole
        if part:
            total += part * (means[whole] if whole < len(means) else average)
        return total


def plan_buffer(
    *,
    means: Sequence[Decimal],
    sigma: Decimal,
    service_level: Decimal,
    lead_time_days: int,
    review_period_days: int,
    available: int,
    backordered: int,
    on_order: int,
) -> Buffer:
    """Every buffer figure of one series (see the module docstring for the formulas)."""
    z = z_value(service_level)
    stock = safety_stock(z, sigma, lead_time_days)
    lead = quantity(demand_over(weeks_of(lead_time_days), means))
    through_review = demand_over(weeks_of(lead_time_days + review_period_days), means)
    review = max(ZERO, quantity(through_review) - lead)
    reorder_point = math.ceil(lead + stock)
    order_up_to = math.ceil(lead + review + stock)
    position = available - backordered + on_order
    return Buffer(
        z=z,
        safety_stock=stock,
        lead_time_demand=lead,
        review_demand=review,
        reorder_point=reorder_point,
        order_up_to=order_up_to,
        position=position,
        recommended_order=max(0, order_up_to - position),
    )
