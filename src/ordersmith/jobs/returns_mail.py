"""The returns area's customer mail (ordersmith.returns, ADR 0019), registered in
``handlers.default_handlers``:

- ``return.authorised`` → what to send back, the RMA number and where to send it;
- ``return.rejected`` → the reason;
- ``return.received`` → what arrived (and that something is missing, if so);
- ``return.resolved`` → what was credited, refunded, or sent as a replacement.

Like every handler they are safe to run twice (UNIQUE(source_event_id, kind)), read the
payload tolerantly, and log and skip what they cannot find, never retrying forever.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

import structlog

from ordersmith.inventory.errors import WarehouseNotFound
from ordersmith.inventory.queries import get_warehouse
from ordersmith.money import money_str
from ordersmith.notifications.models import MessageKind
from ordersmith.notifications.services import queue_message
from ordersmith.returns.errors import ReturnNotFound
from ordersmith.returns.queries import get_return
from ordersmith.returns.views import ReturnView
from ordersmith.shipping.parties import address_party, party
from ordersmith.uow import UnitOfWork

if TYPE_CHECKING:
    from ordersmith.jobs.handlers import OutboxRecord

log = structlog.get_logger(__name__)


def _return(uow: UnitOfWork, event: OutboxRecord) -> ReturnView | None:
    try:
        return get_return(uow.session, event.aggregate_id)
    except ReturnNotFound:
        log.warning("message_skipped", reason="no return", event_id=str(event.id))
        return None


def _queue(uow: UnitOfWork, event: OutboxRecord, kind: MessageKind, context: Any) -> None:
    view = _return(uow, event)
    if view is None:
        return
    queue_message(
        uow,
        kind=kind,
        customer_id=view.customer_id,
        order_id=view.order_id,
        source_event_id=event.id,
        context={"rma_number": view.number, "order_number": view.order_number, **context(view)},
    )


def return_authorised(uow: UnitOfWork, event: OutboxRecord) -> None:
    def context(view: ReturnView) -> dict[str, Any]:
        return {
            "lines": [
                {"sku": line.sku, "name": line.name, "quantity": line.quantity}
                for line in view.lines
            ],
            "return_address": _return_address(uow, view),
            "carrier_name": view.carrier or "",
            "tracking_number": view.tracking_number,
        }

    _queue(uow, event, MessageKind.RETURN_AUTHORISED, context)


def return_rejected(uow: UnitOfWork, event: OutboxRecord) -> None:
    reason = str(event.payload.get("reason") or "")
    _queue(
        uow,
        event,
        MessageKind.RETURN_REJECTED,
        lambda view: {"reason": reason or view.reject_reason},
    )


def return_received(uow: UnitOfWork, event: OutboxRecord) -> None:
    def context(view: ReturnView) -> dict[str, Any]:
        lines = [
            {
                "sku": line.sku,
                "name": line.name,
                "expected": line.quantity,
                "received": line.received_quantity,
            }
            for line in view.lines
        ]
        short = any(line.received_quantity < line.quantity for line in view.lines)
        return {"lines": lines, "short": short}

    _queue(uow, event, MessageKind.RETURN_RECEIVED, context)


def return_resolved(uow: UnitOfWork, event: OutboxRecord) -> None:
    payload = event.payload

    def context(view: ReturnView) -> dict[str, Any]:
        currency = str(payload.get("currency") or view.currency)
        refunded = _decimal(payload.get("refunded"), view.refunded_total)
        return {
            "resolution": str(payload.get("resolution") or view.resolution or ""),
            "credited": money_str(_decimal(payload.get("credited"), view.credited_total), currency),
            "refunded": money_str(refunded, currency),
            "has_refund": refunded > 0,
            "currency": currency,
            "credit_notes": list(payload.get("credit_notes") or view.credit_notes),
            "replacement_order_number": str(
                payload.get("replacement_order_number") or view.replacement_order_number or ""
            ),
        }

    _queue(uow, event, MessageKind.RETURN_RESOLVED, context)


def _decimal(value: Any, default: Decimal) -> Decimal:
    try:
        return Decimal(str(value)) if value is not None else default
    except InvalidOperation:
        return default


def _return_address(uow: UnitOfWork, view: ReturnView) -> list[str]:
    """The return warehouse as printed lines (the company's address if it has none)."""
    company = party(uow.settings)
    try:
        warehouse = get_warehouse(uow.session, str(view.warehouse_id))
    except WarehouseNotFound:
        return [company.name, *company.address_lines]
    if not warehouse.address:
        return [company.name, *company.address_lines]
    printed = address_party(warehouse.address, f"{company.name} — {warehouse.name}")
    return [printed.name, *printed.address_lines]


def returns_handlers() -> dict[str, list[Callable[[UnitOfWork, OutboxRecord], None]]]:
    return {
        "return.authorised": [return_authorised],
        "return.rejected": [return_rejected],
        "return.received": [return_received],
        "return.resolved": [return_resolved],
    }
