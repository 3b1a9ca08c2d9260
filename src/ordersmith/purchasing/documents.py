"""The purchase order as printed (A4 PDF): buyer and supplier, the delivery warehouse's
address, the lines with the supplier's SKUs, quantities, unit costs, amounts and
expected dates, and the total. Rendered from ``documents/templates/purchase_order.html``
with the shared ``base.html`` and ``document.css`` (ordersmith.documents).

The supplier's and the warehouse's addresses are printed as they are when the PDF is
made (the emailed PDF is rendered when the mail is sent); the lines and amounts are
the stored ones, which never change after approval.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from ordersmith.config import Settings
from ordersmith.documents import Party, render_html, render_pdf
from ordersmith.inventory.queries import get_warehouse
from ordersmith.purchasing.queries import get_purchase_order, get_supplier
from ordersmith.shipping.parties import address_party, party


@dataclass(frozen=True, slots=True)
class PurchaseOrderDocLine:
    line_no: int
    sku: str
    supplier_sku: str
    name: str
    quantity: int
    unit_cost: Decimal
    amount: Decimal
    expected_date: date


@dataclass(frozen=True, slots=True)
class PurchaseOrderDocument:
    buyer: Party
    supplier: Party
    deliver_to: Party
    number: str
    title: str
    """"Purchase order", or "Purchase order (draft)" before it is approved."""
    supplier_code: str
    currency: str
    order_date: date
    payment_terms: str
    lines: tuple[PurchaseOrderDocLine, ...]
    total: Decimal
    notes: str


def purchase_order_document(
    session: Session, settings: Settings, purchase_order: uuid.UUID | str
) -> PurchaseOrderDocument:
    """The purchase order (by id or number) as printed. PurchaseOrderNotFound if none."""
    view = get_purchase_order(session, purchase_order)
    supplier = get_supplier(session, view.supplier_id)
    warehouse = get_warehouse(session, str(view.warehouse_id))
    printed = address_party(dict(supplier.address), supplier.name)
    contact = (f"Attn. {supplier.contact_name}",) if supplier.contact_name else ()
    phone = (f"Tel. {supplier.phone}",) if supplier.phone else ()
    draft = view.status in ("draft", "cancelled")
    days = view.payment_terms_days
    return PurchaseOrderDocument(
        buyer=party(settings),
        supplier=Party(supplier.name, contact + printed.address_lines + phone, supplier.email),
        deliver_to=address_party(dict(warehouse.address or {}), warehouse.name),
        number=view.number,
        title=f"Purchase order ({view.status})" if draft else "Purchase order",
        supplier_code=supplier.code,
        currency=view.currency,
        order_date=(view.sent_at or view.approved_at or view.created_at).date(),
        payment_terms="Due on receipt" if days == 0 else f"{days} days net",
        lines=tuple(
            PurchaseOrderDocLine(
                line.line_no,
                line.sku,
                line.supplier_sku,
                line.name,
                line.quantity,
                line.unit_cost,
                line.amount,
                line.expected_date,
            )
            for line in view.lines
        ),
        total=view.total,
        notes=view.notes,
    )


def purchase_order_pdf(doc: PurchaseOrderDocument) -> bytes:
    return render_pdf("purchase_order.html", {"doc": doc, "seller": doc.buyer})


def purchase_order_html(doc: PurchaseOrderDocument) -> str:
    return render_html("purchase_order.html", {"doc": doc, "seller": doc.buyer})


def purchase_order_pdf_bytes(
    session: Session, settings: Settings, purchase_order: uuid.UUID | str
) -> bytes:
    return purchase_order_pdf(purchase_order_document(session, settings, purchase_order))
