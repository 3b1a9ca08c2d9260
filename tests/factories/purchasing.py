"""Suppliers, supplier products and purchase orders, made through the real services."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

from ordersmith.purchasing.inputs import LineInput, ReceiptLineInput
from ordersmith.purchasing.receiving import receive_purchase_order
from ordersmith.purchasing.services import (
    approve_purchase_order,
    close_purchase_order,
    create_purchase_order,
    send_purchase_order,
)
from ordersmith.purchasing.suppliers import add_supplier_product, create_supplier
from ordersmith.purchasing.views import PurchaseOrderView, SupplierProductView, SupplierView
from ordersmith.uow import Database

_codes = itertools.count(1)


def make_supplier(db: Database, **overrides: Any) -> SupplierView:
    """An active EUR supplier on 30 days, with an email address and a unique code."""
    n = next(_codes)
    fields: dict[str, Any] = {
        "code": f"SUP{n}",
        "name": f"Supplier {n} GmbH",
        "email": f"orders@supplier{n}.example",
        "contact_name": "Sam Seller",
        "currency": "EUR",
        "address": {"line1": "Werkstr. 5", "city": "Bremen", "postcode": "28195", "country": "DE"},
    }
    with db.unit_of_work(actor="test") as uow:
        return create_supplier(uow, **{**fields, **overrides})


def supply(
    db: Database, supplier: SupplierView, sku: str, cost: str, lead_time_days: int, **kw: Any
) -> SupplierProductView:
    with db.unit_of_work(actor="test") as uow:
        return add_supplier_product(
            uow,
            supplier=supplier.id,
            sku=sku,
            unit_cost=cost,
            lead_time_days=lead_time_days,
            **kw,
        )


def lines(*items: tuple[str, int] | tuple[str, int, str]) -> list[LineInput]:
    """``lines(("A-1", 10), ("B-2", 100, "0.09"))``: SKU, quantity, optional unit cost."""
    return [LineInput(*item) for item in items]


def make_po(
    db: Database,
    supplier: SupplierView,
    *items: tuple[str, int] | tuple[str, int, str],
    warehouse: str = "MAIN",
    actor: str = "user:buyer",
) -> PurchaseOrderView:
    """A draft purchase order of ``items`` (see ``lines``)."""
    with db.unit_of_work(actor=actor) as uow:
        return create_purchase_order(
            uow, supplier=supplier.id, warehouse=warehouse, lines=lines(*items)
        )


def approve(db: Database, po: PurchaseOrderView, actor: str = "user:boss") -> PurchaseOrderView:
    with db.unit_of_work(actor=actor) as uow:
        return approve_purchase_order(uow, purchase_order_id=po.id)


def send(db: Database, po: PurchaseOrderView, *, email: bool = True) -> PurchaseOrderView:
    with db.unit_of_work(actor="user:buyer") as uow:
        return send_purchase_order(uow, purchase_order_id=po.id, email=email)


def sent_po(
    db: Database, supplier: SupplierView, *items: tuple[str, int] | tuple[str, int, str], **kw: Any
) -> PurchaseOrderView:
    """A purchase order created, approved and sent (without email unless ``email=True``)."""
    email = kw.pop("email", False)
    return send(db, approve(db, make_po(db, supplier, *items, **kw)), email=email)


def receive(
    db: Database,
    po_id: uuid.UUID,
    *received: tuple[int, int] | tuple[int, int, str],
    delivery_note: str = "",
    actor: str = "user:goods-in",
) -> PurchaseOrderView:
    """Receive ``(line_no, quantity[, invoiced unit cost])``; none given: all that is open."""
    asked = [ReceiptLineInput(*r) for r in received]
    with db.unit_of_work(actor=actor) as uow:
        return receive_purchase_order(
            uow, purchase_order_id=po_id, lines=asked or None, delivery_note=delivery_note
        )


def close(db: Database, po: PurchaseOrderView, *, reason: str = "") -> PurchaseOrderView:
    with db.unit_of_work(actor="user:buyer") as uow:
        return close_purchase_order(uow, purchase_order_id=po.id, reason=reason)
