"""A purchase order's lines: priced and dated from the supplier's products, checked
against the supplier's order rules, stored with the order's total recomputed from them
(one UPDATE: a total is the sum of its stored lines by construction)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from ordersmith import clock
from ordersmith.catalog.models import Product
from ordersmith.db import core, insert_rows, table_of
from ordersmith.errors import FieldError
from ordersmith.ids import new_id
from ordersmith.money import quantize
from ordersmith.purchasing.errors import ProductNotSupplied
from ordersmith.purchasing.inputs import CheckedLine
from ordersmith.purchasing.models import PurchaseOrder, PurchaseOrderLine, SupplierProduct
from ordersmith.purchasing.views import SupplierView
from ordersmith.uow import UnitOfWork
from ordersmith.validation import MAX_AMOUNT, FieldChecks

_PO, _POL = table_of(PurchaseOrder), table_of(PurchaseOrderLine)
_SP, _P = table_of(SupplierProduct), table_of(Product)


def line_rows(
    uow: UnitOfWork, po_id: uuid.UUID, supplier: SupplierView, lines: Sequence[CheckedLine]
) -> list[dict[str, Any]]:
    """The rows of ``lines`` for ``po_id``, priced and dated from the supplier's products;
    ProductNotSupplied or ValidationFailed (minimum, pack multiple, amounts) otherwise."""
    skus = sorted({line.sku for line in lines})
    quoted = {
        row.sku: row
        for row in uow.session.execute(
            sa.select(
                _P.c.id,
                _P.c.sku,
                _P.c.name,
                _SP.c.supplier_sku,
                _SP.c.unit_cost,
                _SP.c.lead_time_days,
                _SP.c.min_order_quantity,
                _SP.c.pack_multiple,
            )
            .join(_SP, _SP.c.product_id == _P.c.id)
            .where(_SP.c.supplier_id == supplier.id, _P.c.sku.in_(skus))
        )
    }
    missing = [
        FieldError(f"lines.{i}.sku", f"{line.sku} is not supplied by {supplier.code}")
        for i, line in enumerate(lines)
        if line.sku not in quoted
    ]
    if missing:
        raise ProductNotSupplied(
            f"supplier {supplier.code} does not supply "
            + ", ".join(sorted({line.sku for line in lines if line.sku not in quoted})),
            fields=missing,
        )
    checks, today, rows = FieldChecks(), clock.today(), []
    for i, line in enumerate(lines):
        q = quoted[line.sku]
        if line.quantity < q.min_order_quantity:
            checks.fail(
                f"lines.{i}.quantity",
                f"{supplier.code} sells {line.sku} from {q.min_order_quantity} units",
            )
        elif line.quantity % q.pack_multiple:
            checks.fail(
                f"lines.{i}.quantity",
                f"{supplier.code} sells {line.sku} in packs of {q.pack_multiple}",
            )
        cost = q.unit_cost if line.unit_cost is None else line.unit_cost
        amount = quantize(cost * line.quantity, supplier.currency)
        if amount > MAX_AMOUNT:
            checks.fail(f"lines.{i}.quantity", "the line's amount is too large to store")
        rows.append(
            {
                "id": new_id(),
                "purchase_order_id": po_id,
                "line_no": i + 1,
                "product_id": q.id,
                "sku": q.sku,
                "name": q.name,
                "supplier_sku": q.supplier_sku,
                "quantity": line.quantity,
                "unit_cost": cost,
                "amount": amount,
                "quoted_unit_cost": q.unit_cost,
                "quoted_lead_time_days": q.lead_time_days,
                "expected_date": line.expected_date or today + timedelta(days=q.lead_time_days),
                "received_quantity": 0,
            }
        )
    if not checks.errors and sum((r["amount"] for r in rows), Decimal(0)) > MAX_AMOUNT:
        checks.fail("lines", "the order's total is too large to store: split the order")
    checks.raise_if_any("the purchase order's lines are not valid")
    return rows


def store_lines(uow: UnitOfWork, po_id: uuid.UUID, rows: list[dict[str, Any]]) -> None:
    """Insert the lines and set the order's total to their sum (one UPDATE)."""
    insert_rows(core(uow.session), _POL, rows)
    line_sum = (
        sa.select(sa.func.coalesce(sa.func.sum(_POL.c.amount), 0))
        .where(_POL.c.purchase_order_id == po_id)
        .scalar_subquery()
    )
    uow.session.execute(
        sa.update(_PO).where(_PO.c.id == po_id).values(total=line_sum, updated_at=clock.now())
    )
