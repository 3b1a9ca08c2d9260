"""Return lifecycle use cases: authorise, reject, ship (the customer sent it), receive,
cancel. Inspection is ``returns.inspection``, resolution ``returns.resolution``.

Every use case locks the return's order first, then the return (``lock_return``: orders
are always locked before what hangs off them, so a return and the order's own work
cannot deadlock), checks the transition table (``returns.status``), moves the return
with a conditional UPDATE (the status it was read in is the backstop), notes the step
in the order's history and records an event — in the caller's transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ordersmith import clock
from ordersmith.adapters.carriers import new_tracking_number, validate_tracking_number
from ordersmith.auth.permissions import Permission
from ordersmith.db import table_of
from ordersmith.errors import FieldError, InvalidTransition, ValidationFailed
from ordersmith.fulfillment.incidents import report_damage, report_wrong_item
from ordersmith.inventory.queries import get_warehouse, warehouse_codes
from ordersmith.orders.history import note_on_orders
from ordersmith.orders.locking import lock_order
from ordersmith.returns import inputs
from ordersmith.returns.errors import ReturnNotFound
from ordersmith.returns.events import (
    ReturnAuthorised,
    ReturnCancelled,
    ReturnReceived,
    ReturnRejected,
    ReturnShipped,
)
from ordersmith.returns.inputs import ReceivedLineInput
from ordersmith.returns.models import Return, ReturnLine, ReturnReason
from ordersmith.returns.queries import get_return
from ordersmith.returns.status import ReturnAction, ReturnStatus, check_transition
from ordersmith.returns.views import ReturnView
from ordersmith.shipping.carriers import adapter_for, get_carrier
from ordersmith.uow import UnitOfWork
from ordersmith.validation import FieldChecks, optional

_R, _RL = table_of(Return), table_of(ReturnLine)


@dataclass(frozen=True, slots=True)
class Locked:
    """A return's row and its order's row, both locked for this unit of work."""

    row: Any
    order: Any

    @property
    def status(self) -> ReturnStatus:
        return ReturnStatus(self.row["status"])

    def event_head(self) -> dict[str, Any]:
        return {
            "aggregate_id": self.row["id"],
            "number": self.row["number"],
            "order_id": self.order["id"],
            "order_number": self.order["number"],
            "customer_id": self.row["customer_id"],
        }


def lock_return(uow: UnitOfWork, return_id: uuid.UUID) -> Locked:
    """The return and its order, locked (the order first); ReturnNotFound if none."""
    order_id = uow.session.scalar(sa.select(_R.c.order_id).where(_R.c.id == return_id))
    if order_id is None:
        raise ReturnNotFound(f"no return {return_id}")
    order = lock_order(uow, order_id)
    row = (
        uow.session.execute(sa.select(_R).where(_R.c.id == return_id).with_for_update())
        .mappings()
        .one()
    )
    return Locked(row, order)


def move(uow: UnitOfWork, locked: Locked, action: ReturnAction, **values: Any) -> ReturnStatus:
    """Take ``action`` (InvalidTransition unless the table allows it) and write ``values``."""
    target = check_transition(locked.status, action)
    moved = uow.session.execute(
        sa.update(_R)
        .where(_R.c.id == locked.row["id"], _R.c.status == locked.status.value)
        .values(status=target.value, updated_at=clock.now(), **values)
        .returning(_R.c.id)
    ).first()
    if moved is None:  # the lock makes this unreachable; the WHERE is the backstop
        raise InvalidTransition(f"return {locked.row['number']} changed meanwhile; try again")
    return target


def record_history(
    uow: UnitOfWork, locked: Locked, action: str, reason: str, **details: Any
) -> None:
    """One row in the order's history about this return."""
    note_on_orders(
        uow,
        [(locked.order["id"], locked.order["status"])],
        action=action,
        reason=f"{locked.row['number']}: {reason}" if reason else locked.row["number"],
        details={"return": locked.row["number"], **details},
    )


def line_rows(uow: UnitOfWork, return_id: uuid.UUID) -> list[Any]:
    return list(
        uow.session.execute(
            sa.select(_RL).where(_RL.c.return_id == return_id).order_by(_RL.c.line_no)
        ).mappings()
    )


def _reason(field: str, value: str, *, required: bool) -> str:
    checks = FieldChecks()
    clean = checks.run(field, inputs.REQUIRED_REASON if required else inputs.REASON, value)
    checks.raise_if_any(f"the {field} is not valid")
    return clean or ""


def authorise_return(
    uow: UnitOfWork, *, return_id: uuid.UUID, warehouse: str | None = None, note: str = ""
) -> ReturnView:
    """Accept the request: the customer may send the goods (to ``warehouse``, default
    the return's). Lines returned as ``damaged`` or ``wrong_item`` are recorded against
    the original order's perfect order now (a damage / wrong_item incident): the
    business has accepted that the order arrived so (ADR 0019)."""
    uow.authorize(Permission.RETURNS_WRITE)
    clean = _reason("note", note, required=False)
    locked = lock_return(uow, return_id)
    values: dict[str, Any] = {"authorised_by": uow.actor, "authorised_at": clock.now()}
    if warehouse:
        values["warehouse_id"] = get_warehouse(uow.session, warehouse).id
    move(uow, locked, ReturnAction.AUTHORISE, **values)
    for line in line_rows(uow, return_id):
        reason = ReturnReason(line["reason"])
        if reason in (ReturnReason.DAMAGED, ReturnReason.WRONG_ITEM):
            report = report_damage if reason is ReturnReason.DAMAGED else report_wrong_item
            report(
                uow,
                order_id=locked.order["id"],
                line_no=line["line_no"],
                quantity=line["quantity"],
                note=f"{locked.row['number']}: {line['quantity']} x {line['sku']} returned "
                f"as {reason.value}" + (f" ({line['note']})" if line["note"] else ""),
            )
    warehouse_id = values.get("warehouse_id", locked.row["warehouse_id"])
    code = warehouse_codes(uow.session, [warehouse_id])[warehouse_id]
    record_history(uow, locked, "return_authorised", clean or f"goods to be sent to {code}")
    uow.record(ReturnAuthorised(**locked.event_head(), warehouse=code))
    return get_return(uow.session, return_id)


def reject_return(uow: UnitOfWork, *, return_id: uuid.UUID, reason: str) -> ReturnView:
    """Refuse the request; ``reason`` (required) is told to the customer."""
    uow.authorize(Permission.RETURNS_WRITE)
    clean = _reason("reason", reason, required=True)
    locked = lock_return(uow, return_id)
    move(
        uow,
        locked,
        ReturnAction.REJECT,
        rejected_by=uow.actor,
        rejected_at=clock.now(),
        reject_reason=clean,
    )
    record_history(uow, locked, "return_rejected", clean)
    uow.record(ReturnRejected(**locked.event_head(), reason=clean))
    return get_return(uow.session, return_id)


def ship_return(
    uow: UnitOfWork,
    *,
    return_id: uuid.UUID,
    carrier: str | None = None,
    tracking_number: str | None = None,
) -> ReturnView:
    """The customer sent the goods: optionally with the carrier (a code) and its tracking
    number. A carrier that makes its own numbers (``local_courier``) gives one when none
    is typed, so a return label can be printed (``returns.labels``); a ``generic``
    carrier needs the number the customer got (``tracking_number_required``)."""
    uow.authorize(Permission.RETURNS_WRITE)
    checks = FieldChecks()
    code = checks.run("carrier", optional(inputs.CODE), carrier)
    checks.raise_if_any("the shipment of the return is not valid")
    tracking = (tracking_number or "").strip()
    if tracking:
        tracking = validate_tracking_number(tracking)
    carrier_id, url = None, ""
    if code:
        view = get_carrier(uow.session, code)
        code = view.code
        if not tracking and view.kind == "local_courier":
            tracking = new_tracking_number(view.code)
        if not tracking:
            raise ValidationFailed(
                f"{view.name} makes its labels on its own site: enter the tracking number",
                code="tracking_number_required",
                fields=[FieldError("tracking_number", "is required")],
            )
        carrier_id, url = view.id, adapter_for(view).tracking_url(tracking)
    locked = lock_return(uow, return_id)
    move(
        uow,
        locked,
        ReturnAction.SHIP,
        carrier_id=carrier_id,
        tracking_number=tracking,
        tracking_url=url,
        shipped_at=clock.now(),
    )
    via = f" with {code}" if code else ""
    record_history(uow, locked, "return_shipped", f"sent back{via} {tracking}".rstrip())
    uow.record(
        ReturnShipped(
            **locked.event_head(),
            carrier=code or "",
            tracking_number=tracking,
            tracking_url=url,
        )
    )
    return get_return(uow.session, return_id)


def receive_return(
    uow: UnitOfWork,
    *,
    return_id: uuid.UUID,
    lines: Sequence[ReceivedLineInput] | None = None,
) -> ReturnView:
    """The parcel arrived: per line the units in it (lines not named: none); without
    ``lines``, every unit asked back. Fewer than asked is allowed; more is refused.
    Nothing goes on hand yet: inspection decides (``returns.inspection``)."""
    uow.authorize(Permission.RETURNS_RECEIVE)
    checks = FieldChecks()
    if lines is not None:
        inputs.check_received_lines(checks, lines)
    checks.raise_if_any("the receipt is not valid")
    locked = lock_return(uow, return_id)
    check_transition(locked.status, ReturnAction.RECEIVE)
    current = line_rows(uow, return_id)
    got = _received(locked, current, lines)
    move(uow, locked, ReturnAction.RECEIVE, received_by=uow.actor, received_at=clock.now())
    uow.session.execute(
        sa.update(_RL)
        .where(_RL.c.return_id == return_id)
        .values(
            received_quantity=sa.case(*((_RL.c.line_no == n, q) for n, q in got.items()), else_=0)
        )
    )
    summary = [
        {
            "line_no": r["line_no"],
            "sku": r["sku"],
            "expected": r["quantity"],
            "received": got.get(r["line_no"], 0),
        }
        for r in current
    ]
    units = sum(got.values())
    short = sum(r["quantity"] for r in current) - units
    record_history(
        uow,
        locked,
        "return_received",
        f"{units} units received" + (f", {short} fewer than asked back" if short else ""),
    )
    uow.record(ReturnReceived(**locked.event_head(), lines=summary))
    return get_return(uow.session, return_id)


def _received(
    locked: Locked, current: list[Any], lines: Sequence[ReceivedLineInput] | None
) -> dict[int, int]:
    expected = {r["line_no"]: int(r["quantity"]) for r in current}
    if lines is None:
        return expected
    problems = []
    for i, line in enumerate(lines):
        if line.line_no not in expected:
            problems.append(
                FieldError(
                    f"lines.{i}.line_no", f"{locked.row['number']} has no line {line.line_no}"
                )
            )
        elif line.quantity > expected[line.line_no]:
            problems.append(
                FieldError(
                    f"lines.{i}.quantity",
                    f"at most {expected[line.line_no]}, the units asked back",
                )
            )
    got = {line.line_no: line.quantity for line in lines if line.quantity}
    if not problems and not got:
        problems.append(
            FieldError("lines", "nothing received: cancel the return if nothing will come")
        )
    if problems:
        raise ValidationFailed("the receipt is not valid", fields=problems)
    return got


def cancel_return(uow: UnitOfWork, *, return_id: uuid.UUID, reason: str = "") -> ReturnView:
    """Call the return off before the goods arrive (the customer or staff)."""
    uow.authorize(Permission.RETURNS_WRITE)
    clean = _reason("reason", reason, required=False)
    locked = lock_return(uow, return_id)
    move(
        uow,
        locked,
        ReturnAction.CANCEL,
        cancelled_by=uow.actor,
        cancelled_at=clock.now(),
        cancel_reason=clean,
    )
    record_history(uow, locked, "return_cancelled", clean)
    uow.record(ReturnCancelled(**locked.event_head(), reason=clean))
    return get_return(uow.session, return_id)
