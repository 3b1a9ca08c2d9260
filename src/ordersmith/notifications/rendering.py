"""Messages rendered from Jinja2 templates: ``templates/<kind>.txt`` and ``<kind>.html``.

HTML templates autoescape (a customer called ``<script>`` is shown, never run); the
text part is plain text. The subject is one line built here, free of line breaks.
Templates are strict: a missing variable is a bug, so the context builders in
``ordersmith.notifications.services`` fill every name with a default.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from ordersmith.notifications.models import MessageKind

TEMPLATES = Path(__file__).parent / "templates"
SUBJECT_LENGTH = 300

_SUBJECTS: dict[MessageKind, str] = {
    MessageKind.ORDER_RECEIVED: "We have received your order {order_number}",
    MessageKind.ORDER_DISPATCHED: "On its way: your {order_list}",
    MessageKind.ORDER_DELIVERED: "Delivered: your {order_list}",
    MessageKind.BACKORDER_DELAY: "Part of your order {order_number} will arrive later",
    MessageKind.BACKORDER_ALLOCATED: "Good news: the rest of your order {order_number} is in",
    MessageKind.INVOICE_ISSUED: "Your {document_word} {invoice_number}",
    MessageKind.CREDIT_NOTE_ISSUED: "Credit note {credit_note_number} for invoice {invoice_number}",
    MessageKind.PAYMENT_REMINDER: "Reminder: invoice {invoice_number} is overdue",
    MessageKind.STATEMENT: "Your statement of account, {date_from} to {date_to}",
    MessageKind.PURCHASE_ORDER: "Purchase order {po_number} from {company_name}",
    MessageKind.RETURN_AUTHORISED: "Your return {rma_number} is accepted: how to send it back",
    MessageKind.RETURN_REJECTED: "Your return request {rma_number} for order {order_number}",
    MessageKind.RETURN_RECEIVED: "We have received your return {rma_number}",
    MessageKind.RETURN_RESOLVED: "Your return {rma_number} is complete",
    MessageKind.ORDER_CHANGED: "Your order {order_number} has been changed",
    MessageKind.CASE_REPLY: "[{case_number}] {case_subject}",
    MessageKind.PORTAL_INVITE: "Your {company_name} customer portal account",
    MessageKind.PORTAL_PASSWORD_RESET: "Reset your {company_name} portal password",
}


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str
    html: str


@functools.cache
def _environment() -> jinja2.Environment:
    """Built on first use (never at import), then shared: Environment is thread-safe."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(kind: MessageKind, context: Mapping[str, Any]) -> Rendered:
    env = _environment()
    order_list = _order_list(context.get("order_numbers", ()))
    subject = _SUBJECTS[kind].format_map(
        {**context, "order_number": context.get("order_number", ""), "order_list": order_list}
    )
    subject = one_line(subject)[:SUBJECT_LENGTH]
    values = {**context, "subject": subject, "order_list": order_list}
    text = env.get_template(f"{kind.value}.txt").render(values)
    html = env.get_template(f"{kind.value}.html").render(values)
    return Rendered(subject=subject, text=_tidy(text), html=html)


def _order_list(numbers: Sequence[str]) -> str:
    """ "order SO-1", "orders SO-1, SO-2", or just "order" when none is known."""
    word = "orders" if len(numbers) > 1 else "order"
    return " ".join([word, ", ".join(numbers)]).strip()


def one_line(value: str) -> str:
    """Whitespace (line breaks included: header injection) collapsed to single spaces."""
    return " ".join(value.split())


def _tidy(text: str) -> str:
    """At most one blank line in a row, one newline at the end."""
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
