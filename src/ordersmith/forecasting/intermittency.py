"""How a demand series behaves: the Syntetos-Boylan classification (pure, exact).

Over the weeks of a series (zero weeks included):

- ADI, the average demand interval: weeks / weeks with demand. 1 means demand every
  week; 4 means one week in four.
- CV², the squared coefficient of variation of the demand *sizes* (the non-zero weeks
  only): population variance / mean². 0 means every order week sells the same amount.

Syntetos, Boylan & Croston (2005) cut-off values, strictly above meaning "high":

    ADI ≤ 1.32, CV² ≤ 0.49  smooth        regular, steady sizes
    ADI ≤ 1.32, CV² > 0.49  erratic       regular, sizes vary a lot
    ADI > 1.32, CV² ≤ 0.49  intermittent  many empty weeks, steady sizes
    ADI > 1.32, CV² > 0.49  lumpy         many empty weeks, sizes vary a lot

Intermittent and lumpy series are the "slow movers" that Croston-type models are made
for (ordersmith.forecasting.candidates). Computed with fractions, then quantized to four
places half up, so a hand-made series gives exactly the number worked out on paper.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from ordersmith.forecasting.models import DemandClass

ADI_CUTOFF = Fraction(132, 100)
CV2_CUTOFF = Fraction(49, 100)
PLACES = Decimal("0.0001")


@dataclass(frozen=True, slots=True)
class Intermittency:
    adi: Decimal
    cv2: Decimal
    demand_class: DemandClass
    demand_weeks: int  # weeks with demand

    @property
    def slow_mover(self) -> bool:
        return self.demand_class in (DemandClass.INTERMITTENT, DemandClass.LUMPY)


def _decimal(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        PLACES, rounding=ROUND_HALF_UP
    )


def classify(values: Sequence[int]) -> Intermittency:
    """The ADI, CV² and class of a weekly series with at least one week of demand."""
    sizes = [v for v in values if v > 0]
    if not sizes or any(v < 0 for v in values):
        raise ValueError("a demand series needs a week with demand and no negative weeks")
    adi = Fraction(len(values), len(sizes))
    mean = Fraction(sum(sizes), len(sizes))
    variance = sum(((v - mean) * (v - mean) for v in sizes), Fraction(0)) / len(sizes)
    cv2 = variance / (mean * mean)
    regular, steady = adi <= ADI_CUTOFF, cv2 <= CV2_CUTOFF
    if regular:
        demand_class = DemandClass.SMOOTH if steady else DemandClass.ERRATIC
    else:
        demand_class = DemandClass.INTERMITTENT if steady else DemandClass.LUMPY
    return Intermittency(_decimal(adi), _decimal(cv2), demand_class, len(sizes))
