"""What a new invoice bills: its lines, worked out before the invoice is issued.

Item lines copy the order line's unit price, discount and tax rate; part quantities
pro-rate the gross and the discount cumulatively over the invoices of the order line
(ordersmith.billing.rounding), so each unit is billed at most once. An order's shipping
charge is one untaxed line, invoiced once, on its first invoice.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from ordersmith.billing.models import InvoiceLine, InvoiceLineKind
from ordersmith.billing.rounding import invoice_part
from ordersmith.db import table_of
from ordersmith.money import ZERO
from ordersmith.orders.models import OrderLine
from ordersmith.uow import UnitOfWork

SHIPPING_SKU = "SHIPPING"

InvoicedSoFar = dict[uuid.UUID, tuple[int, Decimal, Decimal]]  # units, gross, discount


@dataclass(frozen=True, slots=True)
class NewInvoiceLine:
    kind: InvoiceLineKind
    order_id: uuid.UUID
    order_line_id: uuid.UUID | None
    sku: str
    name: str
    quantity: int
    unit_price: Decimal
    discount: Decimal
    net_amount: Decimal
    tax_rate: Decimal
    tax_amount: Decimal


def order_lines(uow: UnitOfWork, order_ids: Sequence[uuid.UUID]) -> list[Any]:
    lines = table_of(OrderLine)
    return list(
        uow.session.execute(
            sa.select(lines)
            .where(lines.c.order_id.in_(list(order_ids)))
            .order_by(lines.c.order_id, lines.c.line_no)
        ).mappings()
    )


def invoiced_so_far(uow: UnitOfWork, order_line_ids: Sequence[uuid.UUID]) -> InvoicedSoFar:
    """Per order line: (units, gross, discount) on invoices so far."""
    if not order_line_ids:
        return {}
    il = table_of(InvoiceLine)
    rows = uow.session.execute(
        sa.select(
            il.c.order_line_id,
            sa.func.sum(il.c.quantity),
            sa.func.sum(il.c.net_amount + il.c.discount),
            sa.func.sum(il.c.discount),
        )
        .where(il.c.order_line_id.in_(list(order_line_ids)))
        .group_by(il.c.order_line_id)
    )
    return {r[0]: (int(r[1]), Decimal(r[2]), Decimal(r[3])) for r in rows}


def units_left(line: Any, before: InvoicedSoFar) -> int:
    """The order line's units that no invoice has billed yet."""
    return int(line["quantity"] - before.get(line["id"], (0, ZERO, ZERO))[0])


def item_lines(
    lines: Sequence[Any],
    wanted: dict[uuid.UUID, int],
    before: InvoicedSoFar,
    currency: str,
) -> list[NewInvoiceLine]:
    """A line for each order line with units ``wanted``, priced for those units."""
    out: list[NewInvoiceLine] = []
    for line in lines:
        quantity = wanted.get(line["id"], 0)
        if quantity <= 0:
            continue
        units, gross, discount = before.get(line["id"], (0, ZERO, ZERO))
        part = invoice_part(
            ordered=line["quantity"],
            unit_price=line["unit_price"],
            order_discount=line["discount"],
            tax_rate=line["tax_rate"],
            invoiced_before=units,
            gross_before=gross,
            discount_before=discount,
            quantity=quantity,
            currency=currency,
        )
        out.append(
            NewInvoiceLine(
                InvoiceLineKind.ITEM,
                line["order_id"],
                line["id"],
                line["sku"],
                line["name"],
                quantity,
                line["unit_price"],
                part.discount,
                part.net,
                line["tax_rate"],
                part.tax,
            )
        )
    return out


def shipping_lines(
    uow: UnitOfWork, orders: Sequence[Any], *, several: bool
) -> list[NewInvoiceLine]:
    """The shipping charge of each order whose charge no invoice has yet (untaxed, as
    the order priced it)."""
    charged = [o for o in orders if o["shipping_total"] > 0]
    if not charged:
        return []
    il = table_of(InvoiceLine)
    done = set(
        uow.session.scalars(
            sa.select(il.c.order_id).where(
                il.c.order_id.in_([o["id"] for o in charged]),
                il.c.kind == InvoiceLineKind.SHIPPING.value,
            )
        )
    )
    return [
        NewInvoiceLine(
            InvoiceLineKind.SHIPPING,
            o["id"],
            None,
            SHIPPING_SKU,
            f"Shipping ({o['number']})" if several else "Shipping",
            1,
            o["shipping_total"],
            ZERO,
            o["shipping_total"],
            ZERO,
            ZERO,
        )
        for o in charged
        if o["id"] not in done
    ]
