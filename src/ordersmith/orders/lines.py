"""Order lines: what may be ordered, each line's amounts, and how reserved units are
handed to the lines (pure, given the prices and the reservation)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from ordersmith.catalog.pricing import PricedProduct
from ordersmith.errors import FieldError, ValidationFailed
from ordersmith.ids import new_id
from ordersmith.inventory.reservations import Reservation
from ordersmith.money import ZERO
from ordersmith.orders.errors import NoPrice, ProductNotOrderable
from ordersmith.orders.requests import LineRequest, PlaceOrder
from ordersmith.orders.totals import LineAmounts, line_amounts
from ordersmith.orders.views import OrderLineView


def check_orderable(
    lines: Sequence[LineRequest], prices: dict[str, PricedProduct], currency: str
) -> None:
    unknown = sorted({line.sku for line in lines if line.sku not in prices})
    if unknown:
        raise ValidationFailed(
            f"unknown SKU: {', '.join(unknown)}",
            code="unknown_sku",
            fields=[
                FieldError(f"lines.{i}.sku", "unknown SKU")
                for i, line in enumerate(lines)
                if line.sku in unknown
            ],
        )
    not_orderable = sorted({sku for sku, p in prices.items() if p.status.value != "active"})
    if not_orderable:
        raise ProductNotOrderable(
            "not orderable (draft or discontinued): " + ", ".join(not_orderable),
            extra={"skus": not_orderable},
        )
    unpriced = sorted(sku for sku, p in prices.items() if p.unit_price is None)
    if unpriced:
        raise NoPrice(f"no {currency} price for: {', '.join(unpriced)}", extra={"skus": unpriced})


def price_line(line: LineRequest, priced: PricedProduct, currency: str, index: int) -> LineAmounts:
    assert priced.unit_price is not None
    try:
        return line_amounts(
            line.quantity, priced.unit_price, line.discount, priced.tax_rate, currency
        )
    except ValueError as exc:
        raise ValidationFailed(
            str(exc), fields=[FieldError(f"lines.{index}.discount", str(exc))]
        ) from exc


def line_views(
    request: PlaceOrder,
    prices: dict[str, PricedProduct],
    amounts: list[LineAmounts],
    warehouses: dict[str, uuid.UUID],
    reservation: Reservation,
) -> list[OrderLineView]:
    """Hand the reserved units of each demand to its lines, in line order."""
    pools = {key: dict(per_wh) for key, per_wh in reservation.by_demand.items()}
    backorder = not request.draft
    views = []
    for i, (line, amount) in enumerate(zip(request.lines, amounts, strict=True)):
        priced = prices[line.sku]
        pinned = warehouses[line.warehouse] if line.warehouse else None
        pool = pools.get((pinned, priced.product_id), {})
        need = line.quantity if priced.stocked else 0
        for wh in sorted(pool):
            took = min(need, pool[wh])
            pool[wh] -= took
            need -= took
        reserved = (line.quantity if priced.stocked else 0) - need
        views.append(
            OrderLineView(
                id=new_id(),
                line_no=i + 1,
                product_id=priced.product_id,
                sku=priced.sku,
                name=priced.name,
                quantity=line.quantity,
                reserved_quantity=reserved,
                backordered_quantity=need if backorder else 0,
                shipped_quantity=0,
                delivered_quantity=0,
                warehouse_id=pinned,  # asked for; where units are reserved: reservations
                unit_price=priced.unit_price or ZERO,
                discount=amount.discount,
                tax_rate=priced.tax_rate,
                net_amount=amount.net,
                tax_amount=amount.tax,
                price_source=priced.price_source,
            )
        )
    return views


def line_row(view: OrderLineView) -> dict[str, Any]:
    return {f: getattr(view, f) for f in OrderLineView.__dataclass_fields__}
