"""Receiving a purchase order into its warehouse: full or partial, line by line.

One receipt is one unit of work:

1. lock the order (PostgreSQL ``FOR UPDATE``; SQLite's BEGIN IMMEDIATE serialises
   writers) and check that it may receive (sent, partially received, received);
2. check each line against the over-receipt rule: at most ``ordered x (100 +
   tolerance) / 100`` units (rounded down) may be received in all, where the tolerance
   is ``Settings.purchase_over_receipt_tolerance_percent`` (default 0: never more than
   ordered). A refusal names every line and how much it can still take, and changes
   nothing;
3. record the receipt (who, when, delivery note, and per line the units and the unit
   cost the supplier actually invoiced, when given) — append-only;
4. add the units to the lines' ``received_quantity`` with one conditional UPDATE that
   keeps the bound (the backstop if the lock were ever missing);
5. post the units to the stock ledger in one set-based posting (``receipt`` movements,
   source ``purchase_order`` / the PO number), exactly as ``inventory.receive_stock``
   does, and record ``StockReceived`` per product: its in-transaction subscriber
   (``ordersmith.wiring``) allocates backorders waiting for the product, in this same
   transaction;
6. derive the new status from the lines (``status.receipt_status``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import ROUND_FLOOR, Decimal
from typing import Any

import sqlalchemy as sa

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.db import core, insert_rows, table_of
from ordersmith.errors import Conflict, FieldError, ValidationFailed
from ordersmith.ids import new_id
from ordersmith.inventory import ledger
from ordersmith.inventory.events import StockReceived
from ordersmith.inventory.ledger import Entry
from ordersmith.inventory.models import MovementKind
from ordersmith.inventory.queries import warehouse_codes
from ordersmith.purchasing import inputs
from ordersmith.purchasing.errors import OverReceipt
from ordersmith.purchasing.events import PurchaseOrderReceived
from ordersmith.purchasing.inputs import ReceiptLineInput
from ordersmith.purchasing.models import PurchaseOrderLine, PurchaseReceipt, PurchaseReceiptLine
from ordersmith.purchasing.queries import get_purchase_order, get_supplier, purchase_order_lines
from ordersmith.purchasing.services import check_action, lock_purchase_order, move
from ordersmith.purchasing.status import PurchaseOrderAction, receipt_status
from ordersmith.purchasing.views import PurchaseOrderLineView, PurchaseOrderView
from ordersmith.uow import UnitOfWork
from ordersmith.validation import FieldChecks

SOURCE_TYPE = "purchase_order"
_POL, _R, _RL = (
    table_of(PurchaseOrderLine),
    table_of(PurchaseReceipt),
    table_of(PurchaseReceiptLine),
)

Wanted = tuple[PurchaseOrderLineView, int, Decimal | None]


def receivable_limit(ordered: int, tolerance_percent: Decimal) -> int:
    """The most units a line of ``ordered`` may receive in all (rounded down)."""
    limit = (Decimal(ordered) * (100 + tolerance_percent) / 100).to_integral_value(ROUND_FLOOR)
    return max(int(limit), ordered)


def receive_purchase_order(
    uow: UnitOfWork,
    *,
    purchase_order_id: uuid.UUID,
    lines: Sequence[ReceiptLineInput] | None = None,
    delivery_note: str = "",
    note: str = "",
) -> PurchaseOrderView:
    """Receive units of the order's lines (by ``line_no``); ``lines=None`` receives
    everything still open. Raises ValidationFailed, InvalidTransition, OverReceipt, and
    Conflict ``nothing_to_receive`` when nothing is open."""
    uow.authorize(Permission.INVENTORY_WRITE)  # goods-in work: ADR 0027
    checks = FieldChecks()
    asked = None if lines is None else inputs.check_receipt_lines(checks, lines)
    clean_note = checks.run("delivery_note", inputs.DELIVERY_NOTE, delivery_note) or ""
    clean_text = checks.run("note", inputs.RECEIPT_NOTE, note) or ""
    checks.raise_if_any("the receipt is not valid")
    row = lock_purchase_order(uow, purchase_order_id)
    check_action(row, PurchaseOrderAction.RECEIVE)
    current = purchase_order_lines(uow.session, row["id"])
    wanted = _wanted(row, current, asked)
    _check_tolerance(row, wanted, uow.settings.purchase_over_receipt_tolerance_percent)
    receipt_id = _record_receipt(uow, row, wanted, clean_note, clean_text)
    _add_to_lines(uow, row, wanted, uow.settings.purchase_over_receipt_tolerance_percent)
    _post_stock(uow, row, wanted, clean_note)
    after = purchase_order_lines(uow.session, row["id"])
    target = receipt_status((line.quantity, line.received_quantity) for line in after)
    move(uow, row, target)
    supplier = get_supplier(uow.session, row["supplier_id"])
    uow.record(
        PurchaseOrderReceived(
            aggregate_id=row["id"],
            number=row["number"],
            supplier_id=supplier.id,
            supplier=supplier.code,
            receipt_id=receipt_id,
            warehouse=warehouse_codes(uow.session, [row["warehouse_id"]])[row["warehouse_id"]],
            delivery_note=clean_note,
            status=target.value,
            lines=[
                {"line_no": line.line_no, "sku": line.sku, "quantity": q} for line, q, _c in wanted
            ],
        )
    )
    return get_purchase_order(uow.session, row["id"])


def _wanted(
    row: Any,
    current: list[PurchaseOrderLineView],
    asked: list[tuple[int, int, Decimal | None]] | None,
) -> list[Wanted]:
    if asked is None:
        wanted: list[Wanted] = [(line, line.open_quantity, None) for line in current]
        wanted = [w for w in wanted if w[1] > 0]
        if not wanted:
            raise Conflict(
                f"{row['number']} has nothing open to receive", code="nothing_to_receive"
            )
        return wanted
    by_no = {line.line_no: line for line in current}
    unknown = [
        FieldError(f"lines.{i}.line_no", f"{row['number']} has no line {line_no}")
        for i, (line_no, _q, _c) in enumerate(asked)
        if line_no not in by_no
    ]
    if unknown:
        raise ValidationFailed("the receipt names lines the order does not have", fields=unknown)
    return [(by_no[line_no], q, cost) for line_no, q, cost in asked]


def _check_tolerance(row: Any, wanted: list[Wanted], tolerance: Decimal) -> None:
    over, fields = [], []
    for i, (line, q, _cost) in enumerate(wanted):
        limit = receivable_limit(line.quantity, tolerance)
        if line.received_quantity + q > limit:
            can_take = max(limit - line.received_quantity, 0)
            over.append(
                {
                    "line_no": line.line_no,
                    "sku": line.sku,
                    "ordered": line.quantity,
                    "received": line.received_quantity,
                    "receivable": can_take,
                }
            )
            fields.append(
                FieldError(f"lines.{i}.quantity", f"line {line.line_no} can take {can_take} more")
            )
    if over:
        raise OverReceipt(
            f"{row['number']}: more received than ordered (over-receipt tolerance "
            f"{tolerance.normalize():f}%)",
            fields=fields,
            extra={"lines": over},
        )


def _record_receipt(
    uow: UnitOfWork, row: Any, wanted: list[Wanted], delivery_note: str, note: str
) -> uuid.UUID:
    receipt_id = new_id()
    conn = core(uow.session)
    insert_rows(
        conn,
        _R,
        [
            {
                "id": receipt_id,
                "purchase_order_id": row["id"],
                "warehouse_id": row["warehouse_id"],
                "delivery_note": delivery_note,
                "note": note,
                "received_by": uow.actor,
                "received_at": clock.now(),
            }
        ],
    )
    insert_rows(
        conn,
        _RL,
        [
            {
                "id": new_id(),
                "receipt_id": receipt_id,
                "purchase_order_line_id": line.id,
                "quantity": q,
                "invoiced_unit_cost": cost,
            }
            for line, q, cost in wanted
        ],
    )
    return receipt_id


def _add_to_lines(uow: UnitOfWork, row: Any, wanted: list[Wanted], tolerance: Decimal) -> None:
    """One conditional UPDATE: every line grows, or the receipt is refused."""
    add = sa.case(*((_POL.c.id == line.id, q) for line, q, _c in wanted), else_=0)
    bound = sa.or_(
        *(
            sa.and_(
                _POL.c.id == line.id,
                _POL.c.received_quantity + q <= receivable_limit(line.quantity, tolerance),
            )
            for line, q, _c in wanted
        )
    )
    updated = uow.session.execute(
        sa.update(_POL)
        .where(_POL.c.purchase_order_id == row["id"], bound)
        .values(received_quantity=_POL.c.received_quantity + add)
        .returning(_POL.c.id)
    ).all()
    if len(updated) != len(wanted):
        raise OverReceipt(f"{row['number']}: received meanwhile by someone else; try again")


def _post_stock(uow: UnitOfWork, row: Any, wanted: list[Wanted], delivery_note: str) -> None:
    warehouse_id, number = row["warehouse_id"], row["number"]
    suffix = f", delivery note {delivery_note}" if delivery_note else ""
    entries = [
        Entry(
            warehouse_id,
            line.product_id,
            MovementKind.RECEIPT,
            on_hand_delta=q,
            reason=f"{number} line {line.line_no}{suffix}",
            source_type=SOURCE_TYPE,
            source_id=number,
        )
        for line, q, _c in wanted
    ]
    ledger.ensure_levels(uow.session, [e.key for e in entries])
    levels = ledger.post(uow.session, entries, actor=uow.actor)
    units: dict[uuid.UUID, tuple[str, int]] = {}
    for line, q, _c in wanted:
        sku, before = units.get(line.product_id, (line.sku, 0))
        units[line.product_id] = (sku, before + q)
    code = warehouse_codes(uow.session, [warehouse_id])[warehouse_id]
    uow.record(
        *(
            StockReceived(
                aggregate_id=product_id,
                warehouse_id=warehouse_id,
                warehouse=code,
                sku=sku,
                quantity=quantity,
                on_hand=levels[(warehouse_id, product_id)].on_hand,
                reference=number,
            )
            for product_id, (sku, quantity) in sorted(units.items())
        )
    )
