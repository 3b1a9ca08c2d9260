"""Pure billing arithmetic. The one rounding policy (ADR 0004): ROUND_HALF_UP to the
currency's minor unit, per line; totals are sums of the rounded lines (ADR 0012).

Invoicing part of an order line (``invoice_part``): the gross (quantity x unit price)
and the discount of the order line are pro-rated per unit, round(whole x units /
ordered), capped at what earlier invoices left of them; the invoice that covers the
line's last units takes exactly the rest (the rounding difference lands there). So a
fully invoiced line adds up to its order line and never exceeds it, however it was
split. Tax is computed on each invoice line's own net (round(net x rate)), the legal
per-line rule, so split invoicing may differ from the order's quoted tax by a minor
unit per extra invoice.

Crediting part of an invoice line (``credit_part``) pro-rates its net and its tax the
same way, the last units taking the rest, so crediting every unit gives back exactly
the invoice line.

Crediting an amount (``split_amount``): the amount (tax included) is spread over the
invoice lines pro rata to what each has left, cumulatively rounded so the parts add
up to the amount; within a line the tax part is round(part x tax left / total left)
and the net part is the rest, so net + tax = the part exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from ordersmith.money import ZERO, quantize


@dataclass(frozen=True, slots=True)
class PartAmounts:
    gross: Decimal
    discount: Decimal
    net: Decimal
    tax: Decimal


def prorated(
    whole: Decimal, units: int, of: int, units_before: int, taken_before: Decimal, currency: str
) -> Decimal:
    """The share of ``whole`` for ``units`` more of ``of`` units, when ``units_before``
    units took ``taken_before`` already: round(whole x units / of), never more than the
    rest; the part covering the last units takes exactly the rest."""
    if of <= 0 or units <= 0 or units_before + units > of:
        raise ValueError("units must be positive and within the quantity")
    rest = whole - taken_before
    if units_before + units == of:
        return rest
    return max(ZERO, min(quantize(whole * units / of, currency), rest))


def invoice_part(
    *,
    ordered: int,
    unit_price: Decimal,
    order_discount: Decimal,
    tax_rate: Decimal,
    invoiced_before: int,
    gross_before: Decimal,
    discount_before: Decimal,
    quantity: int,
    currency: str,
) -> PartAmounts:
    """The amounts of an invoice line for ``quantity`` more units of an order line."""
    if quantity <= 0 or invoiced_before + quantity > ordered:
        raise ValueError("quantity must be positive and within what is left to invoice")
    order_gross = quantize(ordered * unit_price, currency)
    order_net = order_gross - order_discount
    gross = prorated(order_gross, quantity, ordered, invoiced_before, gross_before, currency)
    net_before = gross_before - discount_before
    # prorate the net, not the discount: the last part then takes exactly the rest of
    # both, and a discount that rounds to nothing on early parts is not lost
    net = prorated(order_net, quantity, ordered, invoiced_before, net_before, currency)
    net = min(max(net, ZERO), gross)
    discount = min(gross - net, order_discount - discount_before)
    net = gross - discount
    return PartAmounts(gross, discount, net, quantize(net * tax_rate, currency))


def credit_part(
    *,
    invoiced: int,
    net: Decimal,
    tax: Decimal,
    credited_units_before: int,
    net_before: Decimal,
    tax_before: Decimal,
    quantity: int,
    currency: str,
) -> tuple[Decimal, Decimal]:
    """(net, tax) that crediting ``quantity`` more units of an invoice line gives back."""
    if quantity <= 0 or credited_units_before + quantity > invoiced:
        raise ValueError("quantity must be positive and within what is left to credit")
    before = credited_units_before
    return (
        prorated(net, quantity, invoiced, before, net_before, currency),
        prorated(tax, quantity, invoiced, before, tax_before, currency),
    )


def split_amount(
    amount: Decimal, left: Sequence[tuple[Decimal, Decimal]], currency: str
) -> list[tuple[Decimal, Decimal]]:
    """Spread ``amount`` (tax included) over lines with ``left`` = (net, tax) still
    creditable each; returns (net, tax) per line, summing to ``amount`` exactly."""
    totals = [net + tax for net, tax in left]
    whole = sum(totals, ZERO)
    if amount <= 0 or amount > whole:
        raise ValueError("amount must be positive and at most what is left")
    parts: list[tuple[Decimal, Decimal]] = []
    covered, taken = ZERO, ZERO
    for (net_left, tax_left), line_total in zip(left, totals, strict=True):
        covered += line_total
        target = amount if covered == whole else quantize(amount * covered / whole, currency)
        part = min(max(ZERO, target - taken), line_total)
        taken += part
        tax = ZERO if line_total == 0 else quantize(part * tax_left / line_total, currency)
        tax = min(tax, tax_left, part)
        net = part - tax
        if net > net_left:  # rounding pushed net past what is left: move it to tax
            net, tax = net_left, part - net_left
        parts.append((net, tax))
    return parts
