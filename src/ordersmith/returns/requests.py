"""Asking for a return: ``create_return`` (by staff or by the customer), in one unit of work.

1. check the request's shape (no database);
2. take the return's number ``RMA-<year>-NNNNNN`` from the per-series counters (gaps
   allowed, no hot row, ADR 0003) — before the first statement;
3. lock the order (``orders.locking``): two returns of one order queue, so their units
   can never add up to more than was shipped;
4. check each line: at most shipped minus claimed by other returns (``eligibility``), and
   inside the return window (``policy``) unless staff override it with a reason;
5. write the return and its lines, note it in the order's history, record
   ``return.requested``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.customers.queries import active_customer
from ordersmith.db import core, insert_rows, table_of
from ordersmith.errors import FieldError, ValidationFailed
from ordersmith.ids import new_id
from ordersmith.inventory.queries import get_warehouse, warehouse_codes
from ordersmith.orders.errors import OrderNotFound
from ordersmith.orders.history import note_on_orders
from ordersmith.orders.locking import lock_order
from ordersmith.returns import inputs
from ordersmith.returns.eligibility import returnable_lines
from ordersmith.returns.errors import OrderNotShipped, ReturnExceedsShipped, ReturnWindowClosed
from ordersmith.returns.events import ReturnRequested
from ordersmith.returns.inputs import ReturnLineInput
from ordersmith.returns.models import RequestedBy, Return, ReturnLine
from ordersmith.returns.policy import closed_lines, return_window_days
from ordersmith.returns.queries import get_return
from ordersmith.returns.status import ReturnStatus
from ordersmith.returns.views import ReturnableLine, ReturnView
from ordersmith.uow import UnitOfWork
from ordersmith.validation import FieldChecks


def take_return_number(uow: UnitOfWork) -> str:
    """The next ``RMA-<year>-NNNNNN``; take it before the unit of work's first statement."""
    series = f"RMA-{clock.now().year}"
    return f"{series}-{uow.next_number(series):06d}"


def create_return(
    uow: UnitOfWork,
    *,
    order_id: uuid.UUID,
    lines: Sequence[ReturnLineInput],
    comment: str = "",
    requested_by: RequestedBy = RequestedBy.STAFF,
    customer_id: uuid.UUID | None = None,
    override_window_reason: str = "",
    warehouse: str | None = None,
) -> ReturnView:
    """A return request for units of one order's shipped lines. ``customer_id`` scopes
    the order to that customer (OrderNotFound otherwise, as for an unknown order).
    ``override_window_reason`` accepts lines whose return window has closed (staff
    only: ``returns:override``, checked here for a signed-in user). ``warehouse``: where
    the goods go back to, default the warehouse the order's goods left from."""
    uow.authorize(Permission.RETURNS_WRITE)
    checks = FieldChecks()
    inputs.check_request_lines(checks, lines)
    clean_comment = checks.run("comment", inputs.COMMENT, comment) or ""
    override = checks.run("override_window_reason", inputs.REASON, override_window_reason) or ""
    if override and requested_by is RequestedBy.CUSTOMER:
        checks.fail("override_window_reason", "only staff may accept a return outside the window")
    checks.raise_if_any("the return request is not valid")
    if override:
        uow.authorize(Permission.RETURNS_OVERRIDE)
    number = take_return_number(uow)
    order = lock_order(uow, order_id)
    if customer_id is not None and order["customer_id"] != customer_id:
        raise OrderNotFound(f"no order {order_id}")
    active_customer(uow.session, order["customer_id"])
    eligible = _eligible_lines(uow, order, lines)
    days = return_window_days(uow.session, uow.settings, order["customer_id"])
    closed = closed_lines(
        [eligible[line.line_no] for line in lines], days=days, today=clock.today()
    )
    if closed and not override:
        raise ReturnWindowClosed(
            f"the {days}-day return window of order {order['number']} has closed for "
            + ", ".join(f"line {c.line_no} ({c.sku}, last day {c.closed_on})" for c in closed),
            extra={
                "window_days": days,
                "lines": [
                    {
                        "line_no": c.line_no,
                        "sku": c.sku,
                        "delivered_on": c.delivered_on.isoformat(),
                        "closed_on": c.closed_on.isoformat(),
                    }
                    for c in closed
                ],
            },
        )
    warehouse_id = _warehouse(uow, warehouse, [eligible[line.line_no] for line in lines])
    return_id = _write(
        uow,
        number=number,
        order=order,
        lines=lines,
        eligible=eligible,
        comment=clean_comment,
        requested_by=requested_by,
        override=override if closed else "",
        warehouse_id=warehouse_id,
    )
    return get_return(uow.session, return_id)


def _eligible_lines(
    uow: UnitOfWork, order: Any, lines: Sequence[ReturnLineInput]
) -> dict[int, ReturnableLine]:
    eligible = returnable_lines(uow.session, order["id"])
    if not any(line.shipped for line in eligible.values()):
        raise OrderNotShipped(
            f"nothing of order {order['number']} has been shipped: goods are returned "
            "after they reached the customer (cancel the order instead)"
        )
    unknown = [
        FieldError(f"lines.{i}.line_no", f"order {order['number']} has no line {line.line_no}")
        for i, line in enumerate(lines)
        if line.line_no not in eligible
    ]
    if unknown:
        raise ValidationFailed("the return names lines the order does not have", fields=unknown)
    over = [(i, line, eligible[line.line_no]) for i, line in enumerate(lines)]
    over = [(i, line, e) for i, line, e in over if line.quantity > e.returnable]
    if over:
        raise ReturnExceedsShipped(
            f"order {order['number']}: "
            + "; ".join(
                f"line {line.line_no} ({e.sku}) has {e.returnable} units left to return "
                f"({e.shipped} shipped, {e.claimed} on other returns)"
                for _i, line, e in over
            ),
            fields=[
                FieldError(f"lines.{i}.quantity", f"at most {e.returnable}") for i, _l, e in over
            ],
            extra={
                "lines": [
                    {
                        "line_no": line.line_no,
                        "sku": e.sku,
                        "requested": line.quantity,
                        "shipped": e.shipped,
                        "already_returned": e.claimed,
                        "returnable": e.returnable,
                    }
                    for _i, line, e in over
                ]
            },
        )
    return eligible


def _warehouse(uow: UnitOfWork, code: str | None, lines: list[ReturnableLine]) -> uuid.UUID:
    if code:
        return get_warehouse(uow.session, code).id
    shipped_from = [line.warehouse_id for line in lines if line.warehouse_id is not None]
    if not shipped_from:  # shipped, but by no shipment of ours (imported history)
        raise ValidationFailed(
            "the order's goods left from no warehouse on record: name the warehouse "
            "the goods go back to",
            fields=[FieldError("warehouse", "is required for this order")],
        )
    return shipped_from[0]


def _write(
    uow: UnitOfWork,
    *,
    number: str,
    order: Any,
    lines: Sequence[ReturnLineInput],
    eligible: dict[int, ReturnableLine],
    comment: str,
    requested_by: RequestedBy,
    override: str,
    warehouse_id: uuid.UUID,
) -> uuid.UUID:
    now, return_id = clock.now(), new_id()
    conn = core(uow.session)
    insert_rows(
        conn,
        table_of(Return),
        [
            {
                "id": return_id,
                "number": number,
                "order_id": order["id"],
                "customer_id": order["customer_id"],
                "status": ReturnStatus.REQUESTED.value,
                "requested_by": requested_by.value,
                "comment": comment,
                "warehouse_id": warehouse_id,
                "window_override_reason": override,
                "created_by": uow.actor,
                "created_at": now,
                "updated_at": now,
                "currency": order["currency"],
                "credited_total": 0,
                "refunded_total": 0,
                "credit_notes": [],
            }
        ],
    )
    insert_rows(
        conn,
        table_of(ReturnLine),
        [
            {
                "id": new_id(),
                "return_id": return_id,
                "line_no": line.line_no,
                "order_line_id": eligible[line.line_no].order_line_id,
                "product_id": eligible[line.line_no].product_id,
                "sku": eligible[line.line_no].sku,
                "name": eligible[line.line_no].name,
                "quantity": line.quantity,
                "received_quantity": 0,
                "reason": line.reason,
                "note": line.note.strip(),
            }
            for line in sorted(lines, key=lambda line: line.line_no)
        ],
    )
    summary = ", ".join(
        f"line {line.line_no} {line.quantity} x {eligible[line.line_no].sku} ({line.reason})"
        for line in lines
    )
    code = warehouse_codes(uow.session, [warehouse_id])[warehouse_id]
    note_on_orders(
        uow,
        [(order["id"], order["status"])],
        action="return_requested",
        reason=f"{number}: {summary}" + (f"; window overridden: {override}" if override else ""),
        details={"return": number, "requested_by": requested_by.value, "warehouse": code},
        at=now,
    )
    uow.record(
        ReturnRequested(
            aggregate_id=return_id,
            number=number,
            order_id=order["id"],
            order_number=order["number"],
            customer_id=order["customer_id"],
            requested_by=requested_by.value,
            lines=[
                {
                    "line_no": line.line_no,
                    "sku": eligible[line.line_no].sku,
                    "quantity": line.quantity,
                    "reason": line.reason,
                }
                for line in lines
            ],
            window_overridden=bool(override),
        )
    )
    return return_id
