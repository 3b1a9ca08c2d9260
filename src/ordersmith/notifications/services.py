"""Use cases of the communications log: queue a message, and the mail queue's moves.

``queue_message`` renders a message from its templates and inserts it as ``queued``,
at most once per (source event, kind): handling an event again queues nothing twice.
The sending side is claim → send (outside any transaction) → mark sent / failed, each
a short transaction of its own (see ``ordersmith.jobs.mailing``). Status changes are
conditional UPDATEs derived from ``status.TRANSITIONS``; the lease end a worker got at
claim time is its token, so a worker whose lease ran out cannot overwrite the row.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
import structlog

from ordersmith import clock
from ordersmith.customers.errors import CustomerNotFound
from ordersmith.customers.queries import get_customer
from ordersmith.db import insert_ignoring_conflicts, table_of
from ordersmith.ids import new_id
from ordersmith.notifications.models import Channel, Communication, MessageKind
from ordersmith.notifications.rendering import render
from ordersmith.notifications.status import MessageAction, MessageStatus, sources
from ordersmith.uow import UnitOfWork

log = structlog.get_logger(__name__)

ERROR_LENGTH = 2000
_T = table_of(Communication)


def queue_message(
    uow: UnitOfWork,
    *,
    kind: MessageKind,
    customer_id: uuid.UUID,
    context: Mapping[str, Any],
    source_event_id: uuid.UUID | None = None,
    order_id: uuid.UUID | None = None,
    shipment_id: uuid.UUID | None = None,
    attachments: list[dict[str, Any]] | None = None,
    recipient: str | None = None,
) -> uuid.UUID | None:
    """Render and queue one email to the customer; its id, or None when nothing was queued
    (the customer is unknown or has no email address — logged, never an error — or this
    event already queued this kind of message). ``attachments`` name documents to render
    and attach when the mail is sent (``Communication.attachments``). ``recipient``: an
    address of the customer's other than its main one (a portal account's)."""
    try:
        customer = get_customer(uow.session, customer_id)
    except CustomerNotFound:
        log.warning(
            "message_skipped",
            reason="unknown_customer",
            kind=kind.value,
            customer_id=str(customer_id),
            event_id=str(source_event_id),
        )
        return None
    address = (recipient if recipient is not None else customer.email).strip()
    if not address:
        log.info(
            "message_skipped",
            reason="no_email",
            kind=kind.value,
            customer=customer.number,
            event_id=str(source_event_id),
        )
        return None
    settings = uow.settings
    rendered = render(
        kind,
        {
            **context,
            "customer_name": customer.name,
            "company_name": settings.company_name,
            "company_email": settings.company_email,
        },
    )
    now = clock.now()
    message_id = new_id()
    inserted = insert_ignoring_conflicts(
        uow.session,
        _T,
        {
            "id": message_id,
            "customer_id": customer.id,
            "order_id": order_id,
            "shipment_id": shipment_id,
            "kind": kind,
            "channel": Channel.EMAIL,
            "recipient": address,
            "subject": rendered.subject,
            "body_text": rendered.text,
            "body_html": rendered.html,
            "status": MessageStatus.QUEUED,
            "attempts": 0,
            "next_attempt_at": now,
            "lease_until": None,
            "last_error": "",
            "created_at": now,
            "sent_at": None,
            "source_event_id": source_event_id,
            "attachments": attachments or None,
        },
    )
    return message_id if inserted else None


def queue_supplier_message(
    uow: UnitOfWork,
    *,
    kind: MessageKind,
    supplier_id: uuid.UUID,
    recipient: str,
    greeting_name: str,
    context: Mapping[str, Any],
    source_event_id: uuid.UUID | None = None,
    attachments: list[dict[str, Any]] | None = None,
) -> uuid.UUID | None:
    """``queue_message`` for a supplier (a purchase order): the caller names the address
    and whom to greet, since notifications do not read suppliers. None when there is no
    address or this event already queued this kind of message."""
    if not recipient.strip():
        log.info(
            "message_skipped", reason="no_email", kind=kind.value, event_id=str(source_event_id)
        )
        return None
    settings = uow.settings
    rendered = render(
        kind,
        {
            **context,
            "customer_name": greeting_name,
            "company_name": settings.company_name,
            "company_email": settings.company_email,
        },
    )
    now, message_id = clock.now(), new_id()
    inserted = insert_ignoring_conflicts(
        uow.session,
        _T,
        {
            "id": message_id,
            "customer_id": None,
            "supplier_id": supplier_id,
            "order_id": None,
            "shipment_id": None,
            "kind": kind,
            "channel": Channel.EMAIL,
            "recipient": recipient.strip(),
            "subject": rendered.subject,
            "body_text": rendered.text,
            "body_html": rendered.html,
            "status": MessageStatus.QUEUED,
            "attempts": 0,
            "next_attempt_at": now,
            "lease_until": None,
            "last_error": "",
            "created_at": now,
            "sent_at": None,
            "source_event_id": source_event_id,
            "attachments": attachments or None,
        },
    )
    return message_id if inserted else None


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """A claimed message: everything needed to send it without the database."""

    id: uuid.UUID
    recipient: str
    subject: str
    body_text: str
    body_html: str
    attempts: int
    """Tries so far, this one included."""
    lease_until: datetime
    """The claim's token: only the worker holding this lease may finish the message."""
    attachments: tuple[dict[str, Any], ...] = ()
    """Documents to render and attach at send time (ordersmith.jobs.attachments)."""


def claim_due_messages(
    uow: UnitOfWork, *, now: datetime, lease: timedelta, limit: int, max_attempts: int
) -> list[OutgoingMessage]:
    """Take up to ``limit`` due messages (oldest due first) for sending until now + lease.

    A message whose lease ran out on its last allowed try is given up (dead) instead.
    PostgreSQL skips rows another worker is claiming (``FOR UPDATE SKIP LOCKED``);
    SQLite's BEGIN IMMEDIATE lets one claimer in at a time."""
    session = uow.session
    session.execute(
        sa.update(_T)
        .where(
            _T.c.status == MessageStatus.SENDING,
            _T.c.next_attempt_at <= now,
            _T.c.attempts >= max_attempts,
        )
        .values(
            status=MessageStatus.DEAD,
            lease_until=None,
            last_error="the worker stopped while sending the last allowed try "
            "(it may have been sent)",
        )
    )
    due = (
        sa.select(_T.c.id)
        .where(_T.c.status.in_(sources(MessageAction.CLAIM)), _T.c.next_attempt_at <= now)
        .order_by(_T.c.next_attempt_at, _T.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    until = now + lease
    rows = session.execute(
        sa.update(_T)
        .where(_T.c.id.in_(due.scalar_subquery()))
        .values(
            status=MessageStatus.SENDING,
            attempts=_T.c.attempts + 1,
            lease_until=until,
            next_attempt_at=until,
        )
        .returning(
            _T.c.id,
            _T.c.recipient,
            _T.c.subject,
            _T.c.body_text,
            _T.c.body_html,
            _T.c.attempts,
            _T.c.next_attempt_at,
            _T.c.attachments,
        )
    ).all()
    return sorted((_outgoing(row) for row in rows), key=lambda m: m.id)


def _outgoing(row: Any) -> OutgoingMessage:
    return OutgoingMessage(
        id=row[0],
        recipient=row[1],
        subject=row[2],
        body_text=row[3],
        body_html=row[4],
        attempts=row[5],
        lease_until=row[6],
        attachments=tuple(row[7] or ()),
    )


def mark_sent(uow: UnitOfWork, message: OutgoingMessage, *, now: datetime) -> bool:
    """Record a sent message; False when this worker's lease had run out and another
    worker took the message over (it then may be sent twice: at-least-once)."""
    return _finish(
        uow,
        message,
        MessageAction.SENT,
        status=MessageStatus.SENT,
        sent_at=now,
        lease_until=None,
        last_error="",
    )


def mark_failed(
    uow: UnitOfWork, message: OutgoingMessage, *, error: str, retry_at: datetime | None
) -> bool:
    """Record a failed try: queued again at ``retry_at``, or dead when None."""
    if retry_at is None:
        return _finish(
            uow,
            message,
            MessageAction.GIVE_UP,
            status=MessageStatus.DEAD,
            lease_until=None,
            last_error=error[:ERROR_LENGTH],
        )
    return _finish(
        uow,
        message,
        MessageAction.RETRY,
        status=MessageStatus.QUEUED,
        lease_until=None,
        next_attempt_at=retry_at,
        last_error=error[:ERROR_LENGTH],
    )


def _finish(
    uow: UnitOfWork, message: OutgoingMessage, action: MessageAction, **values: Any
) -> bool:
    row = uow.session.execute(
        sa.update(_T)
        .where(
            _T.c.id == message.id,
            _T.c.status.in_(sources(action)),
            _T.c.lease_until == message.lease_until,
        )
        .values(**values)
        .returning(_T.c.id)
    ).first()
    return row is not None


def replay_dead_messages(uow: UnitOfWork, *, now: datetime | None = None) -> int:
    """Make every dead message due again with a fresh count of tries; how many."""
    rows = uow.session.execute(
        sa.update(_T)
        .where(_T.c.status.in_(sources(MessageAction.REPLAY)))
        .values(
            status=MessageStatus.QUEUED,
            attempts=0,
            next_attempt_at=now or clock.now(),
            lease_until=None,
        )
        .returning(_T.c.id)
    ).all()
    return len(rows)
