"""Send queued messages: claim in a short transaction, send outside any transaction.

    claim (one short write transaction): due rows → ``sending``, leased until now + lease
    send each through the Mailer — no transaction open, so SQLite's one write lock is
        never held while waiting on a mail server; documents named as attachments are
        rendered just before (ordersmith.jobs.attachments), in a read-only session
    finish each (its own short transaction): ``sent``, or ``queued`` again with backoff,
        or ``dead`` after ``outbox_max_attempts`` tries (at once for a permanent refusal)

At-least-once: a worker that stops between sending and recording leaves the message
``sending``; when its lease runs out the message is due again and is sent again. The
Message-ID header is the message's id, the same on every try, so mail programs can
recognise the copy. The lease is long enough for a slow server (ten SMTP timeouts,
at least five minutes); a worker whose lease ran out cannot record its result over
another worker's claim (the lease end is checked as a token).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

import sqlalchemy as sa
import structlog

from ordersmith import clock
from ordersmith.adapters.mail import MailDeliveryFailed, Mailer
from ordersmith.config import Settings
from ordersmith.db import table_of
from ordersmith.jobs.attachments import (
    AttachmentFailed,
    Renderers,
    attach,
    default_renderers,
    render_attachments,
)
from ordersmith.jobs.retry import retry_at
from ordersmith.notifications.models import Communication
from ordersmith.notifications.services import (
    OutgoingMessage,
    claim_due_messages,
    mark_failed,
    mark_sent,
)
from ordersmith.notifications.status import MessageAction, sources
from ordersmith.uow import Database

log = structlog.get_logger(__name__)

WORKER_ACTOR = "worker"
_C = table_of(Communication)


@dataclass(frozen=True, slots=True)
class Batch:
    claimed: int
    done: int
    """Delivered events, or sent messages."""
    failed: int


def send_due_messages(
    db: Database, mailer: Mailer, *, limit: int, now: datetime | None = None
) -> int:
    """Send up to ``limit`` due messages; how many were sent. ``now`` is when "due" is
    judged and retries are scheduled from (tests move it forward)."""
    return send_batch(db, mailer, limit=limit, now=now).done


def send_batch(
    db: Database,
    mailer: Mailer,
    *,
    limit: int,
    now: datetime | None = None,
    renderers: Renderers | None = None,
) -> Batch:
    """``send_due_messages`` with the full tally: claimed, sent, failed. ``renderers``
    make the documents attached to a message (default: ``attachments.default_renderers``)."""
    settings = db.settings
    renderers = default_renderers() if renderers is None else renderers
    claim_time = now or clock.now()
    if not _messages_due(db, claim_time):
        return Batch(0, 0, 0)
    with db.unit_of_work(actor=WORKER_ACTOR) as uow:
        claimed = claim_due_messages(
            uow,
            now=claim_time,
            lease=lease_for(settings),
            limit=limit,
            max_attempts=settings.outbox_max_attempts,
        )
    sent = 0
    for message in claimed:  # no transaction is open here
        if _send_one(db, mailer, message, now, renderers):
            sent += 1
    return Batch(len(claimed), sent, len(claimed) - sent)


def lease_for(settings: Settings) -> timedelta:
    """How long a claimed message is left to its worker before others may take it."""
    return max(timedelta(minutes=5), timedelta(seconds=settings.smtp_timeout_seconds) * 10)


def compose(message: OutgoingMessage, settings: Settings) -> EmailMessage:
    """The email for a queued message: text and HTML alternatives, stable Message-ID."""
    email = EmailMessage()
    email["From"] = settings.mail_from
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = format_datetime(clock.now())
    email["Message-ID"] = f"<{message.id}@{_domain(settings.mail_from)}>"
    email["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
    if settings.company_email:
        email["Reply-To"] = settings.company_email
    email.set_content(message.body_text)
    email.add_alternative(message.body_html, subtype="html")
    return email


def _send_one(
    db: Database,
    mailer: Mailer,
    message: OutgoingMessage,
    now: datetime | None,
    renderers: Renderers,
) -> bool:
    settings = db.settings
    try:
        email = compose(message, settings)
    except (ValueError, TypeError) as exc:  # e.g. a recipient that is not an address
        return _failed(db, message, f"cannot compose the message: {exc}", now, permanent=True)
    # the attachment hook: documents are rendered now, as they stand, in a read-only
    # session that is closed again before the mail server is contacted
    try:
        attach(email, render_attachments(db, message.attachments, renderers))
    except AttachmentFailed as exc:
        return _failed(db, message, exc.detail, now, permanent=exc.permanent)
    try:
        mailer.send(email)
    except MailDeliveryFailed as exc:
        return _failed(db, message, exc.detail, now, permanent=exc.permanent)
    except Exception as exc:  # a mailer bug must not stop the others
        log.exception("mailer_failed", message_id=str(message.id))
        return _failed(db, message, f"{type(exc).__name__}: {exc}", now, permanent=False)
    with db.unit_of_work(actor=WORKER_ACTOR) as uow:
        if not mark_sent(uow, message, now=now or clock.now()):
            log.warning("message_lease_lost", message_id=str(message.id), outcome="sent")
    return True


def _failed(
    db: Database, message: OutgoingMessage, error: str, now: datetime | None, *, permanent: bool
) -> bool:
    max_attempts = db.settings.outbox_max_attempts
    retry = None if permanent else retry_at(now or clock.now(), message.attempts, max_attempts)
    log.warning(
        "message_failed",
        message_id=str(message.id),
        attempt=message.attempts,
        error=error,
        retry_at=retry.isoformat() if retry else None,
    )
    with db.unit_of_work(actor=WORKER_ACTOR) as uow:
        if not mark_failed(uow, message, error=error, retry_at=retry):
            log.warning("message_lease_lost", message_id=str(message.id), outcome="failed")
    return False


def _messages_due(db: Database, now: datetime) -> bool:
    with db.reader() as session:
        query = (
            sa.select(_C.c.id)
            .where(_C.c.status.in_(sources(MessageAction.CLAIM)), _C.c.next_attempt_at <= now)
            .limit(1)
        )
        return session.execute(query).first() is not None


def _domain(mail_from: str) -> str:
    address = parseaddr(mail_from)[1]
    return address.rpartition("@")[2] or "ordersmith.invalid"
