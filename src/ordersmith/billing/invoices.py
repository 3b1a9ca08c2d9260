"""Issuing invoices: for what a shipment carried, or for everything an order has left.

- ``invoice_shipment``: one invoice per dispatched shipment, for exactly the units it
  carried (a second invoice for the same shipment is refused, ``already_invoiced``).
  Two shipments of an order are two invoices.
- ``invoice_order``: everything ordered that no invoice has covered yet (cash sales,
  services, invoicing before delivery).

The document's kind follows the customer (ADR 0012): an **account** customer gets an
``invoice`` (``INV-YYYY-NNNNNN``) due after their payment terms; a **cash** customer
gets a ``receipt`` (``RCT-YYYY-NNNNNN``, a simplified invoice with its own gapless
series). Money the customer paid ahead for the order (a payment recorded with the
order's id) is allocated to it at once, so a prepaid cash sale's receipt is issued
``paid``. An order's shipping charge is invoiced once, on its first invoice.

Lines copy the order line's unit price, discount and tax rate; part quantities
pro-rate the gross and the discount cumulatively (ordersmith.billing.invoice_lines works
them out), and the header's totals are sums of the very line amounts inserted.

Locks (ADR 0013, lock order): the shipment (``invoice_shipment``; dispatch holds it
already when it invoices), the orders in id order, the customer, the payments made
ahead for those orders, then the new invoice's counter, and the journal's at commit --
the order a payment for the order takes too. No row lock after a counter (ADR 0034).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.billing import journal
from ordersmith.billing.accounts import AccountRole
from ordersmith.billing.credit import use_credit
from ordersmith.billing.errors import (
    AlreadyInvoiced,
    CurrencyMismatch,
    NothingToInvoice,
    OrderNotInvoiceable,
    ShipmentNotDispatched,
)
from ordersmith.billing.events import InvoiceIssued
from ordersmith.billing.invoice_lines import (
    NewInvoiceLine,
    invoiced_so_far,
    item_lines,
    order_lines,
    shipping_lines,
    units_left,
)
from ordersmith.billing.models import Invoice, InvoiceKind, InvoiceLine, InvoiceStatus
from ordersmith.billing.numbering import INVOICE_PREFIX, RECEIPT_PREFIX, next_document_number
from ordersmith.billing.queries import get_invoice
from ordersmith.billing.settlement import lock_customer, open_invoices, unallocated_payments
from ordersmith.billing.views import InvoiceView
from ordersmith.customers.models import AccountType, AddressKind
from ordersmith.customers.queries import default_address
from ordersmith.db import insert_rows, table_of
from ordersmith.ids import new_id
from ordersmith.money import ZERO
from ordersmith.orders.locking import lock_order, lock_orders
from ordersmith.orders.status import OrderStatus
from ordersmith.shipping.shipments import lock_shipment, shipment_lines
from ordersmith.shipping.status import ShipmentStatus
from ordersmith.uow import UnitOfWork

NOT_DISPATCHED = frozenset(
    {ShipmentStatus.CREATED, ShipmentStatus.LABEL_PRINTED, ShipmentStatus.CANCELLED}
)
NOT_INVOICEABLE = frozenset({OrderStatus.DRAFT, OrderStatus.CANCELLED})


def invoice_order(uow: UnitOfWork, *, order_id: uuid.UUID) -> InvoiceView:
    """Invoice everything of the order that is not invoiced yet (every unit of every
    line, and the shipping charge if no invoice had it). NothingToInvoice if nothing is
    left; OrderNotInvoiceable for a draft or a cancelled order."""
    uow.authorize(Permission.BILLING_WRITE)
    order = lock_order(uow, order_id)
    if OrderStatus(order["status"]) in NOT_INVOICEABLE:
        raise OrderNotInvoiceable(
            f"order {order['number']} is {order['status']}: it cannot be invoiced",
            extra={"status": order["status"]},
        )
    customer = lock_customer(uow, order["customer_id"])
    lines = order_lines(uow, [order["id"]])
    before = invoiced_so_far(uow, [line["id"] for line in lines])
    wanted = {line["id"]: units_left(line, before) for line in lines}
    items = item_lines(lines, wanted, before, order["currency"])
    items += shipping_lines(uow, [order], several=False)
    if not items:
        raise NothingToInvoice(f"everything of order {order['number']} is invoiced already")
    return _issue(uow, customer=customer, orders=[order], lines=items, shipment_id=None)


def invoice_shipment(uow: UnitOfWork, *, shipment_id: uuid.UUID) -> InvoiceView:
    """Invoice exactly what the dispatched shipment carried (each unit at most once
    across all invoices of its order line). AlreadyInvoiced when the shipment has an
    invoice, or everything it carried was invoiced otherwise (``invoice_order``)."""
    uow.authorize(Permission.BILLING_WRITE)
    shipment = lock_shipment(uow, shipment_id)
    if ShipmentStatus(shipment["status"]) in NOT_DISPATCHED:
        raise ShipmentNotDispatched(
            f"shipment {shipment['number']} is {shipment['status']}: invoice it once dispatched",
            extra={"status": shipment["status"]},
        )
    invoices = table_of(Invoice)
    existing = uow.session.scalar(
        sa.select(invoices.c.number).where(invoices.c.shipment_id == shipment_id)
    )
    if existing is not None:
        raise AlreadyInvoiced(
            f"shipment {shipment['number']} is invoiced already ({existing})",
            extra={"invoice_number": existing},
        )
    carried = shipment_lines(uow, shipment_id)
    order_ids = sorted({row["order_id"] for row in carried}, key=str)
    orders = lock_orders(uow, order_ids)
    currencies = {order["currency"] for order in orders}
    if len(currencies) != 1:
        raise CurrencyMismatch(f"shipment {shipment['number']} carries orders in {currencies}")
    customer = lock_customer(uow, shipment["customer_id"])
    lines = order_lines(uow, order_ids)
    before = invoiced_so_far(uow, [line["id"] for line in lines])
    shipped: dict[uuid.UUID, int] = {}
    for row in carried:
        shipped[row["line_id"]] = shipped.get(row["line_id"], 0) + row["quantity"]
    wanted = {
        line["id"]: min(shipped.get(line["id"], 0), units_left(line, before)) for line in lines
    }
    items = item_lines(lines, wanted, before, currencies.pop())
    if not items:
        raise AlreadyInvoiced(
            f"everything shipment {shipment['number']} carried is invoiced already"
        )
    items += shipping_lines(uow, orders, several=len(orders) > 1)
    return _issue(uow, customer=customer, orders=orders, lines=items, shipment_id=shipment_id)


def _issue(
    uow: UnitOfWork,
    *,
    customer: Any,
    orders: Sequence[Any],
    lines: Sequence[NewInvoiceLine],
    shipment_id: uuid.UUID | None,
) -> InvoiceView:
    currency = orders[0]["currency"]
    kind = (
        InvoiceKind.RECEIPT
        if customer["account_type"] == AccountType.CASH.value
        else InvoiceKind.INVOICE
    )
    subtotal = sum((line.net_amount for line in lines), ZERO)
    tax_total = sum((line.tax_amount for line in lines), ZERO)
    total = subtotal + tax_total
    issue_date = clock.today()
    terms = int(customer["payment_terms_days"])
    prefix = RECEIPT_PREFIX if kind is InvoiceKind.RECEIPT else INVOICE_PREFIX
    order_ids = [o["id"] for o in orders]
    prepaid = unallocated_payments(uow, customer["id"], currency, order_ids=order_ids)
    series, number = next_document_number(uow, prefix, issue_date.year)
    invoice_id, now = new_id(), clock.now()
    conn = uow.session.connection()
    insert_rows(
        conn,
        table_of(Invoice),
        [
            {
                "id": invoice_id,
                "number": number,
                "series": series,
                "kind": kind.value,
                "customer_id": customer["id"],
                "order_id": orders[0]["id"] if len(orders) == 1 else None,
                "shipment_id": shipment_id,
                "currency": currency,
                "issue_date": issue_date,
                "due_date": issue_date + timedelta(days=terms),
                "payment_terms_days": terms,
                "status": (InvoiceStatus.PAID if total == 0 else InvoiceStatus.ISSUED).value,
                "subtotal": subtotal,
                "tax_total": tax_total,
                "total": total,
                "amount_paid": ZERO,
                "amount_credited": ZERO,
                "billing_snapshot": _billing_snapshot(uow, customer, orders[0]),
                "created_by": uow.actor,
                "created_at": now,
                "updated_at": now,
            }
        ],
    )
    insert_rows(
        conn,
        table_of(InvoiceLine),
        [
            {
                "id": new_id(),
                "invoice_id": invoice_id,
                "line_no": n,
                "kind": line.kind.value,
                "order_id": line.order_id,
                "order_line_id": line.order_line_id,
                "sku": line.sku,
                "name": line.name,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "discount": line.discount,
                "net_amount": line.net_amount,
                "tax_rate": line.tax_rate,
                "tax_amount": line.tax_amount,
            }
            for n, line in enumerate(lines, start=1)
        ],
    )
    journal.post(
        uow,
        entry_date=issue_date,
        currency=currency,
        source_type="invoice",
        source_id=invoice_id,
        description=f"{kind.value.capitalize()} {number}",
        postings=[
            journal.Posting(AccountRole.RECEIVABLE, debit=total, customer_id=customer["id"]),
            journal.Posting(AccountRole.REVENUE, credit=subtotal),
            journal.Posting(AccountRole.TAX_PAYABLE, credit=tax_total),
        ],
    )
    uow.record(
        InvoiceIssued(
            aggregate_id=invoice_id,
            number=number,
            kind=kind.value,
            customer_id=customer["id"],
            order_id=orders[0]["id"] if len(orders) == 1 else None,
            shipment_id=shipment_id,
            total=total,
            currency=currency,
            issue_date=issue_date,
            due_date=issue_date + timedelta(days=terms),
        )
    )
    if prepaid:  # money paid ahead for these orders settles the new invoice at once
        use_credit(
            uow,
            customer_id=customer["id"],
            currency=currency,
            invoices=open_invoices(uow, customer["id"], currency, only=[invoice_id]),
            credit_notes=[],
            payments=prepaid,
        )
    return get_invoice(uow.session, invoice_id)


def _billing_snapshot(uow: UnitOfWork, customer: Any, order: Any) -> dict[str, Any]:
    """Who the invoice is addressed to, frozen as it is today. The address is the first
    of these that has one:

    1. the order's billing address (placement copies the customer's default billing
       address, or their default shipping address, onto the order);
    2. the customer's default billing address now;
    3. the customer's default shipping address now (a customer without a billing
       address is billed where the goods go);
    4. the order's shipping address (``order`` is the invoice's first order).

    Only if none has an address line is the invoice addressed to the name alone. The
    snapshot's ``address_source`` says which was used (``order_billing``,
    ``customer_billing``, ``customer_shipping``, ``order_shipping`` or ``none``)."""
    source, address = "order_billing", _with_lines(order["billing_address"])
    for kind in (AddressKind.BILLING, AddressKind.SHIPPING):
        if not address:
            default = default_address(uow.session, customer["id"], kind)
            source = f"customer_{kind.value}"
            address = _with_lines(default.snapshot() if default else None)
    if not address:
        source, address = "order_shipping", _with_lines(order["shipping_address"])
    return {
        "name": address.get("name") or customer["name"],
        "company": customer["company"],
        "customer_number": customer["number"],
        "email": customer["email"],
        "address": address,
        "address_source": source if address else "none",
    }


def _with_lines(address: dict[str, Any] | None) -> dict[str, Any]:
    """The address if it has something to print besides a name, else {}."""
    found = dict(address or {})
    return found if any(str(v or "").strip() for k, v in found.items() if k != "name") else {}
