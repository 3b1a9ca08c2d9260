"""Purchase order use cases: create, edit lines (draft only), approve, send, cancel, close.

Each takes the caller's unit of work and never commits. A purchase order's lifecycle is
``purchasing.status``; every move locks the order's row first (PostgreSQL ``FOR
UPDATE``; SQLite's ``BEGIN IMMEDIATE`` serialises writers), checks the transition, and
changes the status with a conditional UPDATE as the backstop. Receiving is
``purchasing.receiving``.

Lines (``purchasing.lines``): the product must be supplied by the order's supplier
(``supplier_products``); the supplier SKU, the quoted cost and the quoted lead time are
copied from there. A line's unit cost defaults to the quoted cost, its expected date to
today + the lead time. Quantities must reach the supplier's minimum order quantity and
be a multiple of its pack size. ``amount = quantity x unit cost`` rounded to the
currency's minor unit (half up), and the order's ``total`` is recomputed from its
stored lines by one UPDATE whenever they change: a total is the sum of its lines by
construction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.db import core, insert_rows, table_of
from ordersmith.errors import Conflict, FieldError, InvalidTransition, ValidationFailed
from ordersmith.ids import new_id
from ordersmith.inventory.queries import get_warehouse
from ordersmith.purchasing import inputs
from ordersmith.purchasing.errors import (
    PurchaseOrderNotFound,
    SupplierHasNoEmail,
    SupplierInactive,
)
from ordersmith.purchasing.events import (
    PurchaseOrderApproved,
    PurchaseOrderCancelled,
    PurchaseOrderClosed,
    PurchaseOrderCreated,
    PurchaseOrderLinesChanged,
    PurchaseOrderSent,
)
from ordersmith.purchasing.inputs import LineInput
from ordersmith.purchasing.lines import line_rows, store_lines
from ordersmith.purchasing.models import PurchaseOrder, PurchaseOrderLine
from ordersmith.purchasing.queries import get_purchase_order, get_supplier
from ordersmith.purchasing.status import (
    PurchaseOrderAction,
    PurchaseOrderStatus,
    check_transition,
)
from ordersmith.purchasing.views import PurchaseOrderView, SupplierView
from ordersmith.uow import UnitOfWork
from ordersmith.validation import FieldChecks

NUMBER_PREFIX = "PO"
_PO, _POL = table_of(PurchaseOrder), table_of(PurchaseOrderLine)
A = PurchaseOrderAction


def lock_purchase_order(uow: UnitOfWork, po_id: uuid.UUID) -> Any:
    """The purchase order's row (a mapping), locked for this unit of work."""
    row = (
        uow.session.execute(sa.select(_PO).where(_PO.c.id == po_id).with_for_update())
        .mappings()
        .one_or_none()
    )
    if row is None:
        raise PurchaseOrderNotFound(f"no purchase order {po_id}")
    return row


def move(uow: UnitOfWork, row: Any, target: PurchaseOrderStatus, **values: Any) -> None:
    """Set the locked order's status (only if it is still the status read), and more."""
    moved = uow.session.execute(
        sa.update(_PO)
        .where(_PO.c.id == row["id"], _PO.c.status == PurchaseOrderStatus(row["status"]).value)
        .values(status=target.value, updated_at=clock.now(), **values)
        .returning(_PO.c.id)
    ).first()
    if moved is None:  # the lock makes this unreachable; the condition is the backstop
        raise InvalidTransition(f"purchase order {row['number']} changed meanwhile; try again")


def check_action(row: Any, action: PurchaseOrderAction) -> PurchaseOrderStatus | None:
    """``status.check_transition`` for a locked row; the refusal names the order."""
    try:
        return check_transition(PurchaseOrderStatus(row["status"]), action)
    except InvalidTransition as exc:
        exc.detail = f"{row['number']}: {exc.detail}"
        exc.args = (exc.detail,)
        raise


def _event_base(row: Any, supplier: SupplierView) -> dict[str, Any]:
    return {
        "aggregate_id": row["id"],
        "number": row["number"],
        "supplier_id": supplier.id,
        "supplier": supplier.code,
    }


def take_purchase_order_number(uow: UnitOfWork) -> str:
    """The next ``PO-<year>-NNNNNN`` number (gaps allowed). Take it before the unit of
    work's first statement; a caller creating several purchase orders in one unit of
    work (replenishment) takes them all first and passes each as ``number``."""
    series = f"{NUMBER_PREFIX}-{clock.now().year}"
    return f"{series}-{uow.next_number(series):06d}"


def create_purchase_order(
    uow: UnitOfWork,
    *,
    supplier: str | uuid.UUID,
    warehouse: str,
    lines: Sequence[LineInput],
    notes: str = "",
    number: str | None = None,
) -> PurchaseOrderView:
    """A draft purchase order to an active supplier, delivered to ``warehouse`` (code or
    id), numbered ``PO-<year>-NNNNNN`` (gaps allowed). Call it first in its unit of work:
    it takes its number before any SQL (unless given one from
    ``take_purchase_order_number``). Raises ValidationFailed, SupplierNotFound,
    SupplierInactive, WarehouseNotFound, ProductNotSupplied."""
    uow.authorize(Permission.PURCHASING_WRITE)
    checks = FieldChecks()
    checked = inputs.check_lines(checks, lines, today=clock.today())
    clean_notes = checks.run("notes", inputs.NOTES, notes) or ""
    checks.raise_if_any("the purchase order is not valid")
    now = clock.now()
    number = number or take_purchase_order_number(uow)
    found = get_supplier(uow.session, supplier)
    if not found.active:
        raise SupplierInactive(f"supplier {found.code} is not active")
    wh = get_warehouse(uow.session, str(warehouse))
    if not wh.active:
        raise Conflict(f"warehouse {wh.code} is not active", code="warehouse_inactive")
    po_id = new_id()
    rows = line_rows(uow, po_id, found, checked)
    insert_rows(
        core(uow.session),
        _PO,
        [
            {
                "id": po_id,
                "number": number,
                "supplier_id": found.id,
                "warehouse_id": wh.id,
                "currency": found.currency,
                "payment_terms_days": found.payment_terms_days,
                "status": PurchaseOrderStatus.DRAFT.value,
                "total": Decimal(0),
                "notes": clean_notes,
                "created_by": uow.actor,
                "created_at": now,
                "updated_at": now,
            }
        ],
    )
    store_lines(uow, po_id, rows)
    view = get_purchase_order(uow.session, po_id)
    uow.record(
        PurchaseOrderCreated(
            **_event_base({"id": po_id, "number": number}, found),
            warehouse=wh.code,
            total=view.total,
            currency=view.currency,
        )
    )
    return view


def replace_purchase_order_lines(
    uow: UnitOfWork, *, purchase_order_id: uuid.UUID, lines: Sequence[LineInput]
) -> PurchaseOrderView:
    """Replace every line of a draft (numbered 1, 2, … again). InvalidTransition once it
    is approved; ValidationFailed, ProductNotSupplied as when creating."""
    uow.authorize(Permission.PURCHASING_WRITE)
    checks = FieldChecks()
    checked = inputs.check_lines(checks, lines, today=clock.today())
    checks.raise_if_any("the purchase order's lines are not valid")
    row = lock_purchase_order(uow, purchase_order_id)
    check_action(row, A.EDIT_LINES)
    found = get_supplier(uow.session, row["supplier_id"])
    rows = line_rows(uow, row["id"], found, checked)
    uow.session.execute(sa.delete(_POL).where(_POL.c.purchase_order_id == row["id"]))
    store_lines(uow, row["id"], rows)
    view = get_purchase_order(uow.session, row["id"])
    uow.record(
        PurchaseOrderLinesChanged(
            **_event_base(row, found),
            total=view.total,
            currency=view.currency,
            line_count=len(view.lines),
        )
    )
    return view


# -- lifecycle ---------------------------------------------------------------------------


def approve_purchase_order(uow: UnitOfWork, *, purchase_order_id: uuid.UUID) -> PurchaseOrderView:
    """draft → approved (``purchasing:approve``)."""
    uow.authorize(Permission.PURCHASING_APPROVE)
    row = lock_purchase_order(uow, purchase_order_id)
    target = check_action(row, A.APPROVE)
    assert target is not None
    move(uow, row, target, approved_by=uow.actor, approved_at=clock.now())
    found = get_supplier(uow.session, row["supplier_id"])
    uow.record(
        PurchaseOrderApproved(
            **_event_base(row, found), total=row["total"], currency=row["currency"]
        )
    )
    return get_purchase_order(uow.session, row["id"])


def send_purchase_order(
    uow: UnitOfWork, *, purchase_order_id: uuid.UUID, email: bool = True
) -> PurchaseOrderView:
    """approved → sent. With ``email`` the worker mails the PO's PDF to the supplier
    (SupplierHasNoEmail when it has no address); without, it was ordered another way
    (phone, the supplier's portal). The lead time runs from now."""
    uow.authorize(Permission.PURCHASING_WRITE)
    row = lock_purchase_order(uow, purchase_order_id)
    target = check_action(row, A.SEND)
    assert target is not None
    found = get_supplier(uow.session, row["supplier_id"])
    if email and not found.email:
        raise SupplierHasNoEmail(
            f"supplier {found.code} has no email address: add one, or send {row['number']} "
            "without email"
        )
    move(uow, row, target, sent_by=uow.actor, sent_at=clock.now())
    uow.record(
        PurchaseOrderSent(
            **_event_base(row, found),
            email=email,
            recipient=found.email if email else "",
            total=row["total"],
            currency=row["currency"],
        )
    )
    return get_purchase_order(uow.session, row["id"])


def _received_units(uow: UnitOfWork, po_id: uuid.UUID) -> tuple[int, int]:
    """(units received, units still open) over the order's lines."""
    received, still_open = uow.session.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(_POL.c.received_quantity), 0),
            sa.func.coalesce(
                sa.func.sum(
                    sa.case(
                        (
                            _POL.c.quantity > _POL.c.received_quantity,
                            _POL.c.quantity - _POL.c.received_quantity,
                        ),
                        else_=0,
                    )
                ),
                0,
            ),
        ).where(_POL.c.purchase_order_id == po_id)
    ).one()
    return int(received), int(still_open)


def cancel_purchase_order(
    uow: UnitOfWork, *, purchase_order_id: uuid.UUID, reason: str = ""
) -> PurchaseOrderView:
    """draft / approved / sent → cancelled, while nothing has been received."""
    uow.authorize(Permission.PURCHASING_WRITE)
    checks = FieldChecks()
    clean = checks.run("reason", inputs.OPTIONAL_REASON, reason) or ""
    checks.raise_if_any("the cancellation is not valid")
    row = lock_purchase_order(uow, purchase_order_id)
    target = check_action(row, A.CANCEL)
    assert target is not None
    if _received_units(uow, row["id"])[0]:
        raise InvalidTransition(
            f"{row['number']} has received goods: close it instead",
            extra={"current_status": row["status"], "action": A.CANCEL.value},
        )
    move(uow, row, target, cancelled_by=uow.actor, cancelled_at=clock.now(), cancel_reason=clean)
    found = get_supplier(uow.session, row["supplier_id"])
    uow.record(PurchaseOrderCancelled(**_event_base(row, found), reason=clean))
    return get_purchase_order(uow.session, row["id"])


def close_purchase_order(
    uow: UnitOfWork, *, purchase_order_id: uuid.UUID, reason: str = ""
) -> PurchaseOrderView:
    """partially_received / received → closed. Closing with units still open is a short
    close: the rest will not come (it leaves the quantities on order) and needs a reason."""
    uow.authorize(Permission.PURCHASING_WRITE)
    checks = FieldChecks()
    clean = checks.run("reason", inputs.OPTIONAL_REASON, reason) or ""
    checks.raise_if_any("the close is not valid")
    row = lock_purchase_order(uow, purchase_order_id)
    target = check_action(row, A.CLOSE)
    assert target is not None
    still_open = _received_units(uow, row["id"])[1]
    if still_open and not clean:
        raise ValidationFailed(
            f"{row['number']} still has {still_open} units open: a short close needs a reason",
            fields=[FieldError("reason", "is required to close with units still open")],
        )
    move(uow, row, target, closed_by=uow.actor, closed_at=clock.now(), close_reason=clean)
    found = get_supplier(uow.session, row["supplier_id"])
    uow.record(
        PurchaseOrderClosed(
            **_event_base(row, found),
            short_closed=still_open > 0,
            open_quantity=still_open,
            reason=clean,
        )
    )
    return get_purchase_order(uow.session, row["id"])
