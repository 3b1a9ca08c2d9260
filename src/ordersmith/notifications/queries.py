"""Read side of the communications log: what was (or will be) sent to whom, and how."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith import clock
from ordersmith.db import table_of
from ordersmith.notifications.errors import CommunicationNotFound
from ordersmith.notifications.models import Channel, Communication, MessageKind
from ordersmith.notifications.status import MessageStatus


@dataclass(frozen=True, slots=True)
class CommunicationView:
    id: uuid.UUID
    customer_id: uuid.UUID | None
    supplier_id: uuid.UUID | None
    order_id: uuid.UUID | None
    shipment_id: uuid.UUID | None
    kind: MessageKind
    channel: Channel
    recipient: str
    subject: str
    status: MessageStatus
    attempts: int
    next_attempt_at: datetime
    last_error: str
    created_at: datetime
    sent_at: datetime | None
    source_event_id: uuid.UUID | None


@dataclass(frozen=True, slots=True)
class AttachmentRef:
    """A document the message carries, rendered when it is sent (never stored)."""

    kind: str
    id: uuid.UUID
    filename: str


@dataclass(frozen=True, slots=True)
class CommunicationDetail:
    message: CommunicationView
    body_text: str
    body_html: str
    attachments: tuple[AttachmentRef, ...] = ()


_T = table_of(Communication)
_VIEW_COLUMNS = [_T.c[name] for name in CommunicationView.__slots__]


def list_communications(
    session: Session,
    *,
    customer_id: uuid.UUID | None = None,
    order_id: uuid.UUID | None = None,
    status: MessageStatus | None = None,
    supplier_id: uuid.UUID | None = None,
    after: tuple[datetime, uuid.UUID] | None = None,
    limit: int = 50,
) -> tuple[list[CommunicationView], bool]:
    """Messages newest first, keyset-paginated by ``after`` = (created_at, id) of the
    last row of the previous page; and whether more follow."""
    query = (
        sa.select(*_VIEW_COLUMNS).order_by(_T.c.created_at.desc(), _T.c.id.desc()).limit(limit + 1)
    )
    if customer_id is not None:
        query = query.where(_T.c.customer_id == customer_id)
    if order_id is not None:
        query = query.where(_T.c.order_id == order_id)
    if supplier_id is not None:
        query = query.where(_T.c.supplier_id == supplier_id)
    if status is not None:
        query = query.where(_T.c.status == status)
    if after is not None:
        at, row_id = clock.as_utc(after[0]), after[1]
        query = query.where(
            sa.or_(_T.c.created_at < at, sa.and_(_T.c.created_at == at, _T.c.id < row_id))
        )
    rows = [CommunicationView(*row) for row in session.execute(query)]
    return rows[:limit], len(rows) > limit


def get_communication(session: Session, message_id: uuid.UUID) -> CommunicationDetail:
    """One message with its text and HTML bodies and the documents it carries; raises
    CommunicationNotFound."""
    row = session.execute(
        sa.select(*_VIEW_COLUMNS, _T.c.body_text, _T.c.body_html, _T.c.attachments).where(
            _T.c.id == message_id
        )
    ).one_or_none()
    if row is None:
        raise CommunicationNotFound(f"no communication {message_id}")
    *fields, text, html, attachments = row
    refs = tuple(
        AttachmentRef(str(a["kind"]), uuid.UUID(str(a["id"])), str(a.get("filename", "")))
        for a in attachments or ()
    )
    return CommunicationDetail(CommunicationView(*fields), text, html, refs)


def count_by_status(session: Session) -> dict[MessageStatus, int]:
    """How many messages are in each state (every state present, zero included)."""
    counts = dict.fromkeys(MessageStatus, 0)
    query = sa.select(_T.c.status, sa.func.count()).group_by(_T.c.status)
    for status, count in session.execute(query):
        counts[MessageStatus(status)] = count
    return counts
