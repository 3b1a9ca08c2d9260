"""Documents attached to mail, rendered when the mail is sent.

A queued message names its attachments (``Communication.attachments``: kind, id,
filename and, for a statement, its period); nothing but that reference is stored. The
mailing step asks ``render_attachments`` for the bytes just before it sends: the
document is read in a read-only session (closed again before the mail server is
contacted, so no transaction is open while sending) and rendered to PDF, so the mail
carries the document as it stands then (an invoice paid meanwhile prints as paid).

The registry maps a kind to ``render(session, settings, id, options) -> bytes``;
``options`` are the attachment's other keys (a statement's ``date_from``/``date_to``).
A kind nobody renders, or a document that no longer exists, cannot get better by
retrying: ``AttachmentFailed(permanent=True)``; anything else (WeasyPrint, the
database away) is retried like a refused mail.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from email.message import EmailMessage
from typing import Any

import structlog
from sqlalchemy.orm import Session

from ordersmith.billing.documents import (
    credit_note_pdf_bytes,
    invoice_pdf_bytes,
    statement_pdf_bytes,
)
from ordersmith.config import Settings
from ordersmith.errors import NotFound, OmsError, ValidationFailed
from ordersmith.purchasing.documents import purchase_order_pdf_bytes
from ordersmith.uow import Database

log = structlog.get_logger(__name__)

Renderer = Callable[[Session, Settings, uuid.UUID, Mapping[str, Any]], bytes]
Renderers = Mapping[str, Renderer]


class AttachmentFailed(OmsError):
    code = "attachment_failed"
    status = 500
    title = "A document to attach could not be rendered"

    def __init__(self, detail: str, *, permanent: bool) -> None:
        super().__init__(detail)
        self.permanent = permanent


def _invoice(session: Session, settings: Settings, id_: uuid.UUID, _o: Mapping[str, Any]) -> bytes:
    return invoice_pdf_bytes(session, settings, id_)


def _credit_note(
    session: Session, settings: Settings, id_: uuid.UUID, _o: Mapping[str, Any]
) -> bytes:
    return credit_note_pdf_bytes(session, settings, id_)


def _statement(
    session: Session, settings: Settings, id_: uuid.UUID, options: Mapping[str, Any]
) -> bytes:
    try:
        start = date.fromisoformat(str(options.get("date_from")))
        end = date.fromisoformat(str(options.get("date_to")))
    except ValueError as exc:
        raise ValidationFailed(f"the statement's period is not valid: {exc}") from exc
    return statement_pdf_bytes(session, settings, id_, date_from=start, date_to=end)


def _purchase_order(
    session: Session, settings: Settings, id_: uuid.UUID, _o: Mapping[str, Any]
) -> bytes:
    return purchase_order_pdf_bytes(session, settings, id_)


def default_renderers() -> dict[str, Renderer]:
    return {
        "invoice": _invoice,
        "credit_note": _credit_note,
        "statement": _statement,
        "purchase_order": _purchase_order,
    }


def render_attachments(
    db: Database, attachments: Sequence[Mapping[str, Any]], renderers: Renderers
) -> list[tuple[str, bytes]]:
    """(filename, PDF bytes) for each attachment, in order; AttachmentFailed otherwise."""
    if not attachments:
        return []
    rendered: list[tuple[str, bytes]] = []
    with db.reader() as session:
        for item in attachments:
            kind, filename = str(item.get("kind")), str(item.get("filename") or "document.pdf")
            render = renderers.get(kind)
            if render is None:
                raise AttachmentFailed(f"no renderer for {kind!r} attachments", permanent=True)
            try:
                document_id = uuid.UUID(str(item.get("id")))
                rendered.append((filename, render(session, db.settings, document_id, item)))
            except (NotFound, ValidationFailed, ValueError) as exc:
                raise AttachmentFailed(f"cannot attach {filename}: {exc}", permanent=True) from exc
            except Exception as exc:  # a renderer or the database may recover
                log.warning("attachment_failed", filename=filename, exc_info=True)
                raise AttachmentFailed(
                    f"cannot render {filename}: {type(exc).__name__}: {exc}", permanent=False
                ) from exc
    return rendered


def attach(email: EmailMessage, documents: Sequence[tuple[str, bytes]]) -> None:
    """Add each PDF to the email (which becomes multipart/mixed)."""
    for filename, content in documents:
        email.add_attachment(content, maintype="application", subtype="pdf", filename=filename)
