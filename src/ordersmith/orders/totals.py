"""Pure pricing arithmetic for orders (the one rounding policy lives in ordersmith.money).

Per line: gross = quantity x unit price; net = gross - discount, rounded half up to
the currency's minor unit; tax = net x rate, rounded the same way. Order totals are
sums of the rounded line amounts, so the stored total equals the sum of the stored
lines by construction: total = subtotal - discount_total + tax_total + shipping.
``subtotal`` is the sum of rounded gross amounts, ``discount_total`` the sum of
rounded discounts (net = gross - discount holds per line).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from ordersmith.money import ZERO, quantize


@dataclass(frozen=True, slots=True)
class LineAmounts:
    gross: Decimal
    discount: Decimal
    net: Decimal
    tax: Decimal
    units: int


@dataclass(frozen=True, slots=True)
class OrderTotals:
    subtotal: Decimal
    discount_total: Decimal
    tax_total: Decimal
    shipping_total: Decimal
    total: Decimal
    units: int
    """The lines' quantities added up (kept on the order for customer history)."""


def line_amounts(
    quantity: int, unit_price: Decimal, discount: Decimal, tax_rate: Decimal, currency: str
) -> LineAmounts:
    gross = quantity * unit_price
    if discount < 0 or discount > gross:
        raise ValueError("discount must be between 0 and the line amount")
    gross_r = quantize(gross, currency)
    discount_r = quantize(discount, currency)
    net = gross_r - discount_r
    tax = quantize(net * tax_rate, currency)
    return LineAmounts(gross_r, discount_r, net, tax, quantity)


def order_totals(lines: Iterable[LineAmounts], shipping: Decimal, currency: str) -> OrderTotals:
    lines = list(lines)
    subtotal = sum((line.gross for line in lines), ZERO)
    discount = sum((line.discount for line in lines), ZERO)
    tax = sum((line.tax for line in lines), ZERO)
    shipping_r = quantize(shipping, currency)
    total = subtotal - discount + tax + shipping_r
    return OrderTotals(subtotal, discount, tax, shipping_r, total, sum(ln.units for ln in lines))
