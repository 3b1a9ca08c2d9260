"""Consistency at the end of every run: TPC-C's conditions in Ordersmith terms.

* ``ordersmith check`` (``ordersmith.checks.run_checks``): the stock ledger closes
  (projection = sum of movements), reserved = open reservations, nothing negative or
  over-reserved, only open orders hold reservations, lines agree with reservations,
  order totals = sum of lines;
* every acknowledged order is present, with all its lines (the ids the workload got
  back, Ordersmith's and the raw baseline's);
* orders with an unknown SKU left nothing behind (none of their external_refs exists);
* every acknowledged payment is present with its amount; every cash order paid in full
  was released from its payment hold and has a receipt settled in full;
* every acknowledged shipment is dispatched, and an account customer's is invoiced;
* invoice and payment balances: ``run_checks`` has journal_balances (every entry
  balances; receivable and customer-credit accounts equal the open documents) and
  billing_documents_add_up (headers = sums of their lines, allocations, applications,
  refunds; statuses agree); on top of those, every invoice has paid + credited <= total,
  no payment has allocated + refunded > amount, and the trial balance (all journal
  debits - credits, per currency) is zero;
* shipped <= ordered and delivered <= shipped on every order line;
* no unexpected error during the run (a refused good order, a 5xx, a deadlock...).

Any violation makes the verdict FAIL and the command exit non-zero.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.billing.models import (
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    JournalEntry,
    JournalLine,
    Payment,
)
from ordersmith.checks import run_checks
from ordersmith.customers.models import Customer
from ordersmith.db import table_of
from ordersmith.orders.models import Order, OrderLine
from ordersmith.orders.status import HoldReason
from ordersmith.shipping.models import Shipment
from ordersmith.shipping.status import ShipmentStatus
from ordersmith.uow import Database

CHUNK = 500


@dataclass
class Verdict:
    checks: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(c["status"] != "FAIL" for c in self.checks.values())

    def add(self, name: str, violations: list[str], *, status: str | None = None) -> None:
        self.checks[name] = {
            "status": status or ("PASS" if not violations else "FAIL"),
            "violations": len(violations),
            "examples": violations[:5],
        }

    def as_dict(self) -> dict[str, Any]:
        return {"verdict": "PASS" if self.passed else "FAIL", "checks": self.checks}


def _chunks(items: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def verify(
    db: Database,
    *,
    acked: dict[uuid.UUID, int],
    bad_refs: Iterable[str],
    errors: dict[str, int],
    error_samples: list[str],
    payments: dict[uuid.UUID, Decimal] | None = None,
    paid_orders: list[uuid.UUID] | None = None,
    shipments: dict[uuid.UUID, uuid.UUID] | None = None,
) -> Verdict:
    verdict = Verdict()
    orders, lines = table_of(Order), table_of(OrderLine)
    with db.reader() as session:
        for name, found in run_checks(session).items():
            verdict.add(f"check:{name}", [v.detail for v in found])
        missing: list[str] = []
        ids = list(acked)
        for chunk in _chunks(ids):
            counts: dict[uuid.UUID, int] = dict(
                session.execute(
                    sa.select(lines.c.order_id, sa.func.count())
                    .where(lines.c.order_id.in_(chunk))
                    .group_by(lines.c.order_id)
                ).all()
            )
            present = set(
                session.scalars(sa.select(orders.c.id).where(orders.c.id.in_(chunk))).all()
            )
            for order_id in chunk:
                if order_id not in present:
                    missing.append(f"acknowledged order {order_id} is missing")
                elif counts.get(order_id, 0) != acked[order_id]:
                    missing.append(
                        f"order {order_id}: {counts.get(order_id, 0)} lines, "
                        f"{acked[order_id]} acknowledged"
                    )
        verdict.add("acknowledged_orders_present", missing)
        leftovers: list[str] = []
        for chunk in _chunks(sorted(set(bad_refs))):
            leftovers += [
                f"order {number} with an unknown SKU was written"
                for number in session.scalars(
                    sa.select(orders.c.number).where(orders.c.external_ref.in_(chunk))
                )
            ]
        verdict.add("unknown_sku_orders_left_nothing", leftovers)
        verdict.add("acknowledged_payments_present", _payments(session, payments or {}))
        verdict.add("paid_cash_orders_released", _paid_orders(session, paid_orders or []))
        verdict.add("acknowledged_shipments_dispatched", _shipments(session, shipments or {}))
        verdict.add("invoice_payment_balances", _balances(session))
        verdict.add("shipped_within_ordered", _shipped_within_ordered(session))
    verdict.add("no_unexpected_errors", [f"{n} x {op}" for op, n in errors.items() if n])
    verdict.checks["no_unexpected_errors"]["examples"] += error_samples[:5]
    verdict.checks["acknowledged_orders_present"]["checked"] = len(ids)
    verdict.checks["acknowledged_payments_present"]["checked"] = len(payments or {})
    verdict.checks["paid_cash_orders_released"]["checked"] = len(paid_orders or [])
    verdict.checks["acknowledged_shipments_dispatched"]["checked"] = len(shipments or {})
    return verdict


def _payments(session: Session, acked: dict[uuid.UUID, Decimal]) -> list[str]:
    pay = table_of(Payment)
    found: list[str] = []
    for chunk in _chunks(list(acked)):
        stored = dict(
            session.execute(sa.select(pay.c.id, pay.c.amount).where(pay.c.id.in_(chunk))).all()
        )
        for payment_id in chunk:
            if payment_id not in stored:
                found.append(f"acknowledged payment {payment_id} is missing")
            elif stored[payment_id] != acked[payment_id]:
                found.append(
                    f"payment {payment_id}: {stored[payment_id]}, {acked[payment_id]} acknowledged"
                )
    return found


def _paid_orders(session: Session, paid: list[uuid.UUID]) -> list[str]:
    """A cash order paid in full is no longer held for payment and has a paid receipt."""
    orders, inv = table_of(Order), table_of(Invoice)
    found: list[str] = []
    for chunk in _chunks(sorted(set(paid), key=str)):
        receipts = {
            r.order_id: r.status
            for r in session.execute(
                sa.select(inv.c.order_id, inv.c.status).where(
                    inv.c.order_id.in_(chunk), inv.c.kind == InvoiceKind.RECEIPT.value
                )
            )
        }
        for r in session.execute(
            sa.select(orders.c.id, orders.c.number, orders.c.hold_reason).where(
                orders.c.id.in_(chunk)
            )
        ):
            if r.hold_reason == HoldReason.AWAITING_PAYMENT.value:
                found.append(f"order {r.number} was paid but still awaits payment")
            elif receipts.get(r.id) != InvoiceStatus.PAID.value:
                found.append(f"order {r.number} was paid; its receipt is {receipts.get(r.id)}")
    return found


def _shipments(session: Session, acked: dict[uuid.UUID, uuid.UUID]) -> list[str]:
    """Dispatched (nothing tracks them further here); invoiced if the customer is on
    account (billing.policy), never twice."""
    ships, inv = table_of(Shipment), table_of(Invoice)
    found: list[str] = []
    for chunk in _chunks(list(acked)):
        invoices: dict[uuid.UUID, int] = dict(
            session.execute(
                sa.select(inv.c.shipment_id, sa.func.count())
                .where(inv.c.shipment_id.in_(chunk))
                .group_by(inv.c.shipment_id)
            ).all()
        )
        rows = session.execute(
            sa.select(ships.c.id, ships.c.number, ships.c.status, ships.c.customer_id).where(
                ships.c.id.in_(chunk)
            )
        ).all()
        account_type = _account_types(session, {r.customer_id for r in rows})
        present = {r.id for r in rows}
        found += [f"acknowledged shipment {i} is missing" for i in chunk if i not in present]
        for r in rows:
            wanted = 1 if account_type.get(r.customer_id) == "account" else 0
            if r.status != ShipmentStatus.DISPATCHED.value:
                found.append(f"shipment {r.number} is {r.status}, acknowledged as dispatched")
            elif invoices.get(r.id, 0) != wanted:
                found.append(f"shipment {r.number}: {invoices.get(r.id, 0)} invoices, {wanted}")
    return found


def _account_types(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    customers = table_of(Customer)
    return {
        r[0]: str(r[1])
        for r in session.execute(
            sa.select(customers.c.id, customers.c.account_type).where(customers.c.id.in_(ids))
        )
    }


def _balances(session: Session) -> list[str]:
    inv, pay = table_of(Invoice), table_of(Payment)
    entries, lines = table_of(JournalEntry), table_of(JournalLine)
    zero = sa.literal(0, type_=inv.c.total.type)
    found = [
        f"invoice {r[0]}: paid {r[1]} + credited {r[2]} exceeds its total {r[3]}"
        for r in session.execute(
            sa.select(inv.c.number, inv.c.amount_paid, inv.c.amount_credited, inv.c.total).where(
                sa.or_(
                    inv.c.amount_paid + inv.c.amount_credited > inv.c.total,
                    inv.c.amount_paid < zero,
                    inv.c.amount_credited < zero,
                )
            )
        )
    ]
    found += [
        f"payment {r[0]}: allocated {r[1]} + refunded {r[2]} exceeds its amount {r[3]}"
        for r in session.execute(
            sa.select(
                pay.c.number, pay.c.amount_allocated, pay.c.amount_refunded, pay.c.amount
            ).where(pay.c.amount_allocated + pay.c.amount_refunded > pay.c.amount)
        )
    ]
    found += [
        f"trial balance in {r[0]}: debits {r[1]} != credits {r[2]}"
        for r in session.execute(
            sa.select(entries.c.currency, sa.func.sum(lines.c.debit), sa.func.sum(lines.c.credit))
            .join(entries, entries.c.id == lines.c.entry_id)
            .group_by(entries.c.currency)
        )
        if r[1] != r[2]
    ]
    return found


def _shipped_within_ordered(session: Session) -> list[str]:
    lines, orders = table_of(OrderLine), table_of(Order)
    return [
        f"order {r[0]} line {r[1]}: ordered {r[2]}, shipped {r[3]}, delivered {r[4]}"
        for r in session.execute(
            sa.select(
                orders.c.number,
                lines.c.line_no,
                lines.c.quantity,
                lines.c.shipped_quantity,
                lines.c.delivered_quantity,
            )
            .join(orders, orders.c.id == lines.c.order_id)
            .where(
                sa.or_(
                    lines.c.shipped_quantity > lines.c.quantity,
                    lines.c.delivered_quantity > lines.c.shipped_quantity,
                    lines.c.shipped_quantity < 0,
                )
            )
        )
    ]
