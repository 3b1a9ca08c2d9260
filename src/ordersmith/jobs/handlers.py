"""Event handlers: what the worker does with each outbox event type.

A handler runs inside the worker's transaction (in a savepoint of its own), so what it
writes commits together with the event being marked delivered. Handlers must be safe
to run twice for one event (delivery is at-least-once): the customer messages are, by
the communications log's UNIQUE(source_event_id, kind).

Payloads are read tolerantly: events written by older versions may lack keys, and
shipment and backorder events come from other areas by their type string and payload
alone. What cannot be found (a customer, an order) is logged and skipped, never an
error that would retry forever.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

import structlog

from ordersmith.billing.errors import CreditNoteNotFound, InvoiceNotFound
from ordersmith.billing.queries import get_credit_note, get_invoice
from ordersmith.billing.views import InvoiceView
from ordersmith.jobs.purchasing_mail import purchase_order_sent
from ordersmith.jobs.replenishment_triggers import replenish_on_stock_event
from ordersmith.jobs.returns_mail import returns_handlers
from ordersmith.money import money_str
from ordersmith.notifications.models import MessageKind
from ordersmith.notifications.services import queue_message
from ordersmith.orders.errors import OrderNotFound
from ordersmith.orders.queries import get_order, order_id
from ordersmith.orders.views import OrderView
from ordersmith.uow import UnitOfWork

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class OutboxRecord:
    """One claimed outbox event, as handlers see it."""

    id: uuid.UUID
    event_type: str
    aggregate_type: str
    aggregate_id: uuid.UUID
    payload: dict[str, Any]
    actor: str
    created_at: datetime
    attempts: int
    """Tries before this one."""


Handler = Callable[[UnitOfWork, OutboxRecord], None]
Handlers = Mapping[str, Sequence[Handler]]


def order_received(uow: UnitOfWork, event: OutboxRecord) -> None:
    """``order.placed`` → "we have received your order" (not for drafts)."""
    payload = event.payload
    if payload.get("status") == "draft":
        return
    order = _order(uow, event.aggregate_id)
    customer_id = _uuid(payload.get("customer_id")) or (order.customer_id if order else None)
    if customer_id is None:
        _skip(event, "no customer")
        return
    lines = [
        {"sku": line.sku, "name": line.name, "quantity": line.quantity}
        for line in (order.lines if order else [])
    ]
    currency = _text(payload.get("currency")) or (order.currency if order else "")
    queue_message(
        uow,
        kind=MessageKind.ORDER_RECEIVED,
        customer_id=customer_id,
        order_id=order.id if order else None,
        source_event_id=event.id,
        context={
            "order_number": _text(payload.get("number")) or (order.number if order else ""),
            "lines": lines,
            "total": _amount(payload.get("total"), currency)
            or (money_str(order.total, order.currency) if order else ""),
            "currency": currency,
            "backordered": bool(payload.get("backordered")),
        },
    )


def order_dispatched(uow: UnitOfWork, event: OutboxRecord) -> None:
    """``shipment.dispatched`` → one "on its way" message per shipment, with the
    carrier, the tracking number and the tracking link."""
    payload = event.payload
    order_ids, numbers = _shipment_orders(uow, payload)
    customer_id = _uuid(payload.get("customer_id"))
    if customer_id is None:
        _skip(event, "no customer")
        return
    queue_message(
        uow,
        kind=MessageKind.ORDER_DISPATCHED,
        customer_id=customer_id,
        order_id=order_ids[0] if order_ids else None,
        shipment_id=event.aggregate_id,
        source_event_id=event.id,
        context={
            "order_numbers": numbers,
            "shipment_number": _text(payload.get("number")),
            "carrier_name": _text(payload.get("carrier_name")) or _text(payload.get("carrier")),
            "service_level": _text(payload.get("service_level")),
            "tracking_number": _text(payload.get("tracking_number")),
            "tracking_url": _web_link(payload.get("tracking_url")),
            "promised_delivery_date": _long_date(payload.get("promised_delivery_date")),
        },
    )


def order_delivered(uow: UnitOfWork, event: OutboxRecord) -> None:
    """``shipment.delivered`` → "your order has been delivered"."""
    payload = event.payload
    order_ids, numbers = _shipment_orders(uow, payload)
    customer_id = _uuid(payload.get("customer_id"))
    if customer_id is None:
        _skip(event, "no customer")
        return
    queue_message(
        uow,
        kind=MessageKind.ORDER_DELIVERED,
        customer_id=customer_id,
        order_id=order_ids[0] if order_ids else None,
        shipment_id=event.aggregate_id,
        source_event_id=event.id,
        context={
            "order_numbers": numbers,
            "shipment_number": _text(payload.get("number")),
            "delivered_on": _long_date(payload.get("delivered_at")),
        },
    )


def backorder_delay(uow: UnitOfWork, event: OutboxRecord) -> None:
    """``order.backordered`` → which items come later, and when they are expected."""
    payload = event.payload
    order = _order(uow, event.aggregate_id)
    customer_id = _uuid(payload.get("customer_id")) or (order.customer_id if order else None)
    if customer_id is None:
        _skip(event, "no customer")
        return
    raw_lines = payload.get("lines")
    lines = [
        {
            "sku": _text(line.get("sku")),
            "name": _text(line.get("name")) or _text(line.get("sku")),
            "quantity": _text(line.get("quantity")),
            "expected_date": _long_date(line.get("expected_date")),
        }
        for line in (raw_lines if isinstance(raw_lines, list) else [])
        if isinstance(line, dict)
    ]
    queue_message(
        uow,
        kind=MessageKind.BACKORDER_DELAY,
        customer_id=customer_id,
        order_id=order.id if order else None,
        source_event_id=event.id,
        context={
            "order_number": _text(payload.get("number")) or (order.number if order else ""),
            "lines": lines,
        },
    )


def backorder_allocated(uow: UnitOfWork, event: OutboxRecord) -> None:
    """``order.allocated`` after stock arrived → the waiting items are on their way out."""
    payload = event.payload
    if payload.get("trigger") != "stock_arrived":
        return
    order = _order(uow, event.aggregate_id)
    if order is None:
        _skip(event, "no order")
        return
    queue_message(
        uow,
        kind=MessageKind.BACKORDER_ALLOCATED,
        customer_id=order.customer_id,
        order_id=order.id,
        source_event_id=event.id,
        context={
            "order_number": order.number,
            "still_waiting": sum(line.backordered_quantity for line in order.lines),
        },
    )


def invoice_issued(uow: UnitOfWork, event: OutboxRecord) -> None:
    """``invoice.issued`` → the invoice (or receipt) by mail, its PDF attached at send time."""
    invoice = _invoice(uow, event.aggregate_id)
    if invoice is None:
        _skip(event, "no invoice")
        return
    _queue_invoice_mail(uow, event, MessageKind.INVOICE_ISSUED, invoice, {})


def payment_reminder(uow: UnitOfWork, event: OutboxRecord) -> None:
    """``invoice.reminder_due`` → a payment reminder with the invoice attached (nothing
    when the invoice was settled since the reminder was decided)."""
    invoice = _invoice(uow, event.aggregate_id)
    if invoice is None or invoice.balance <= 0:
        _skip(event, "no invoice" if invoice is None else "settled since")
        return
    extra = {"days_overdue": _text(event.payload.get("days_overdue"))}
    _queue_invoice_mail(uow, event, MessageKind.PAYMENT_REMINDER, invoice, extra)


def credit_note_issued(uow: UnitOfWork, event: OutboxRecord) -> None:
    """``credit_note.issued`` → the credit note by mail, its PDF attached at send time."""
    try:
        note = get_credit_note(uow.session, event.aggregate_id)
    except CreditNoteNotFound:
        _skip(event, "no credit note")
        return
    queue_message(
        uow,
        kind=MessageKind.CREDIT_NOTE_ISSUED,
        customer_id=note.customer_id,
        source_event_id=event.id,
        context={
            "credit_note_number": note.number,
            "invoice_number": note.invoice_number,
            "total": money_str(note.total, note.currency),
            "applied": money_str(note.amount_applied, note.currency),
            "credit": money_str(note.unapplied, note.currency),
            "has_credit": note.unapplied > 0,
            "currency": note.currency,
        },
        attachments=[{"kind": "credit_note", "id": str(note.id), "filename": f"{note.number}.pdf"}],
    )


def statement_requested(uow: UnitOfWork, event: OutboxRecord) -> None:
    """``customer.statement_requested`` → the statement of the period as a PDF."""
    payload = event.payload
    start, end = _text(payload.get("date_from")), _text(payload.get("date_to"))
    queue_message(
        uow,
        kind=MessageKind.STATEMENT,
        customer_id=event.aggregate_id,
        source_event_id=event.id,
        context={"date_from": start, "date_to": end},
        attachments=[
            {
                "kind": "statement",
                "id": str(event.aggregate_id),
                "filename": f"statement-{_text(payload.get('customer_number'))}-{end}.pdf",
                "date_from": start,
                "date_to": end,
            }
        ],
    )


def _invoice(uow: UnitOfWork, invoice_id: uuid.UUID) -> InvoiceView | None:
    try:
        return get_invoice(uow.session, invoice_id)
    except InvoiceNotFound:
        return None


def _queue_invoice_mail(
    uow: UnitOfWork,
    event: OutboxRecord,
    kind: MessageKind,
    invoice: InvoiceView,
    extra: dict[str, str],
) -> None:
    queue_message(
        uow,
        kind=kind,
        customer_id=invoice.customer_id,
        order_id=invoice.order_id,
        shipment_id=invoice.shipment_id,
        source_event_id=event.id,
        context={
            "document_word": "receipt" if invoice.kind == "receipt" else "invoice",
            "invoice_number": invoice.number,
            "total": money_str(invoice.total, invoice.currency),
            "balance": money_str(invoice.balance, invoice.currency),
            "currency": invoice.currency,
            "due_date": _long_date(invoice.due_date.isoformat()),
            "settled": invoice.balance <= 0,
            **extra,
        },
        attachments=[
            {"kind": "invoice", "id": str(invoice.id), "filename": f"{invoice.number}.pdf"}
        ],
    )


def default_handlers() -> dict[str, list[Handler]]:
    """The handlers the worker runs, by event type."""
    return {
        "order.placed": [order_received],
        "order.backordered": [backorder_delay],
        "order.allocated": [backorder_allocated],
        "shipment.dispatched": [order_dispatched],
        "shipment.delivered": [order_delivered],
        "invoice.issued": [invoice_issued],
        "invoice.reminder_due": [payment_reminder],
        "credit_note.issued": [credit_note_issued],
        "customer.statement_requested": [statement_requested],
        "purchase_order.sent": [purchase_order_sent],
        "stock.low": [replenish_on_stock_event],
        "stock.out": [replenish_on_stock_event],
        **returns_handlers(),
    }


def _order(uow: UnitOfWork, aggregate_id: uuid.UUID) -> OrderView | None:
    try:
        return get_order(uow.session, str(aggregate_id))
    except OrderNotFound:
        return None


def _shipment_orders(
    uow: UnitOfWork, payload: Mapping[str, Any]
) -> tuple[list[uuid.UUID], list[str]]:
    """The shipment's orders that exist (ids for the log's foreign key) and its order
    numbers (as the event gave them)."""
    ids: list[uuid.UUID] = []
    for raw in _items(payload.get("order_ids")):
        candidate = _uuid(raw)
        if candidate is None:
            continue
        try:
            ids.append(order_id(uow.session, str(candidate)))
        except OrderNotFound:
            continue
    numbers = [_text(n) for n in _items(payload.get("order_numbers")) if _text(n)]
    return ids, numbers


def _skip(event: OutboxRecord, reason: str) -> None:
    log.warning(
        "message_skipped", reason=reason, event_type=event.event_type, event_id=str(event.id)
    )


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: Any) -> str:
    return "" if value is None else " ".join(str(value).split())


def _uuid(value: Any) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def _amount(value: Any, currency: str) -> str:
    """An amount as the API shows it ("25.00"); text that is no amount, as it is."""
    text = _text(value)
    try:
        return money_str(Decimal(text), currency or None) if text else ""
    except (InvalidOperation, ValueError):
        return text


def _web_link(value: Any) -> str:
    """An http(s) link, or nothing (a ``javascript:`` link never reaches an href)."""
    link = _text(value)
    try:
        parts = urlsplit(link)
    except ValueError:
        return ""
    return link if parts.scheme in ("http", "https") and parts.netloc else ""


def _long_date(value: Any) -> str:
    """An ISO date or date-time as "Tuesday 3 March 2026"; other text as it is."""
    text = _text(value)
    try:
        day = date.fromisoformat(text[:10])
    except ValueError:
        return text
    return f"{day:%A} {day.day} {day:%B %Y}"
