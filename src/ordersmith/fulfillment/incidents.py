"""Recording what went wrong with an order after the fact: damage and document corrections.

The warehouse records its own incidents as they happen (backorders at allocation, short
picks at pick confirmation). Damage, wrong items (from returns, ordersmith.returns) and
corrected documents are reported by people, usually after delivery: each report appends
one ``order_incidents`` row (never updated or deleted), one order history row (action
``incident``) and one domain event, in the caller's transaction. The perfect-order KPI
reads them (ordersmith.fulfillment.kpi_facts):
damage fails "damage free", a wrong item fails "complete", a correction fails "correct
documentation".

Which document was corrected is kept at the front of the incident's note
(``"invoice: wrong VAT number"``; ``document_of`` reads it back) and in the history
row's details.
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from ordersmith import clock, validation
from ordersmith.db import insert_rows, table_of
from ordersmith.errors import Conflict, FieldError, ValidationFailed
from ordersmith.fulfillment.events import (
    OrderDamageReported,
    OrderDocumentCorrected,
    OrderWrongItemReported,
)
from ordersmith.fulfillment.models import IncidentKind, OrderIncident
from ordersmith.fulfillment.progress import FulfilmentStatus
from ordersmith.fulfillment.queries import IncidentView
from ordersmith.ids import new_id
from ordersmith.orders.history import note_on_orders
from ordersmith.orders.locking import lock_order
from ordersmith.orders.models import OrderLine
from ordersmith.orders.status import OrderStatus
from ordersmith.uow import UnitOfWork
from ordersmith.validation import FieldChecks, one_of, optional, text

MAX_NOTE = 2_000
DISPATCHED = frozenset(
    {
        FulfilmentStatus.PARTIALLY_SHIPPED.value,
        FulfilmentStatus.SHIPPED.value,
        FulfilmentStatus.DELIVERED.value,
    }
)


class ReportedKind(StrEnum):
    """The incidents people report (the others are recorded by the warehouse work)."""

    DAMAGE = IncidentKind.DAMAGE.value
    DOCUMENT_CORRECTION = IncidentKind.DOCUMENT_CORRECTION.value


class DocumentKind(StrEnum):
    PACKING_SLIP = "packing_slip"
    INVOICE = "invoice"
    LABEL = "label"
    OTHER = "other"


def report_damage(
    uow: UnitOfWork,
    *,
    order_id: uuid.UUID,
    note: str,
    line_no: int | None = None,
    quantity: int = 0,
) -> IncidentView:
    """Record that goods of a dispatched order were damaged. ``line_no`` and
    ``quantity`` say which and how many units, when known (``quantity`` 0: not counted;
    at most the units of that line shipped so far)."""
    return _report_goods(uow, IncidentKind.DAMAGE, order_id, note, line_no, quantity)


def report_wrong_item(
    uow: UnitOfWork,
    *,
    order_id: uuid.UUID,
    note: str,
    line_no: int | None = None,
    quantity: int = 0,
) -> IncidentView:
    """Record that the customer got a wrong item for a line of a dispatched order (a
    return says so, ordersmith.returns): the order fails the perfect order's
    "complete". ``line_no`` and ``quantity`` as for ``report_damage``."""
    return _report_goods(uow, IncidentKind.WRONG_ITEM, order_id, note, line_no, quantity)


_GOODS_WORDS = {
    IncidentKind.DAMAGE: ("damaged", "damage", "damage"),
    IncidentKind.WRONG_ITEM: ("wrong", "wrong item", "a wrong item"),
}


def _report_goods(
    uow: UnitOfWork,
    kind: IncidentKind,
    order_id: uuid.UUID,
    note: str,
    line_no: int | None,
    quantity: int,
) -> IncidentView:
    damaged, report, what = _GOODS_WORDS[kind]
    checks = FieldChecks()
    clean_note = checks.run("note", text(MAX_NOTE, multiline=True), note) or ""
    checks.run("line_no", optional(_line_number), line_no)
    units = checks.run("quantity", _units, quantity) or 0
    if units and line_no is None:
        checks.fail("line_no", f"name the line the {damaged} units belong to")
    checks.raise_if_any(f"the {report} report is not valid")
    order = lock_order(uow, order_id)
    if order["fulfilment_status"] not in DISPATCHED:
        raise Conflict(
            f"nothing of order {order['number']} has been dispatched yet: "
            f"{what} is reported on goods that left the warehouse",
            code="order_not_dispatched",
        )
    line = _line(uow, order, line_no) if line_no is not None else None
    if line is not None and units > line["shipped_quantity"]:
        raise ValidationFailed(
            f"line {line_no} of {order['number']} has {line['shipped_quantity']} units shipped",
            fields=[FieldError("quantity", f"at most {line['shipped_quantity']}")],
        )
    view = _append(
        uow,
        order,
        kind,
        clean_note,
        line_id=line["id"] if line is not None else None,
        units=units,
        details={"line_no": line_no, "quantity": units},
    )
    event = OrderDamageReported if kind is IncidentKind.DAMAGE else OrderWrongItemReported
    uow.record(
        event(
            aggregate_id=order["id"],
            number=order["number"],
            incident_id=view.id,
            line_no=line_no,
            sku=line["sku"] if line is not None else None,
            quantity=units,
            note=clean_note,
        )
    )
    return view


def record_document_correction(
    uow: UnitOfWork, *, order_id: uuid.UUID, document: str, note: str
) -> IncidentView:
    """Record that a document of the order (packing_slip, invoice, label, other) had
    to be corrected after it was issued."""
    checks = FieldChecks()
    checks.run("document", one_of(DocumentKind), document)
    clean_note = checks.run("note", text(MAX_NOTE, multiline=True), note) or ""
    checks.raise_if_any("the document correction is not valid")
    kind = DocumentKind(document)
    order = lock_order(uow, order_id)
    if order["status"] == OrderStatus.DRAFT.value:
        raise Conflict(
            f"order {order['number']} is a draft: it has no documents yet",
            code="order_is_draft",
        )
    view = _append(
        uow,
        order,
        IncidentKind.DOCUMENT_CORRECTION,
        f"{kind.value}: {clean_note}",
        details={"document": kind.value},
    )
    uow.record(
        OrderDocumentCorrected(
            aggregate_id=order["id"],
            number=order["number"],
            incident_id=view.id,
            document=kind.value,
            note=clean_note,
        )
    )
    return view


def record_incident(
    uow: UnitOfWork,
    *,
    order_id: uuid.UUID,
    kind: str,
    note: str,
    line_no: int | None = None,
    quantity: int = 0,
    document: str | None = None,
) -> IncidentView:
    """One entry point for the API and the CLI: ``report_damage`` or
    ``record_document_correction``, refusing the fields the other kind takes."""
    checks = FieldChecks()
    reported = checks.run("kind", one_of(ReportedKind), kind)
    if reported is ReportedKind.DAMAGE and document is not None:
        checks.fail("document", "only for kind document_correction")
    if reported is ReportedKind.DOCUMENT_CORRECTION:
        if line_no is not None:
            checks.fail("line_no", "only for kind damage")
        if quantity:
            checks.fail("quantity", "only for kind damage")
        if document is None:
            checks.fail("document", f"is required: one of {', '.join(DocumentKind)}")
    checks.raise_if_any("the incident is not valid")
    if reported is ReportedKind.DAMAGE:
        return report_damage(uow, order_id=order_id, note=note, line_no=line_no, quantity=quantity)
    return record_document_correction(uow, order_id=order_id, document=document or "", note=note)


def document_of(incident: IncidentView) -> str | None:
    """The document a document_correction incident names (None for other kinds)."""
    if incident.kind != IncidentKind.DOCUMENT_CORRECTION.value:
        return None
    head, sep, _rest = incident.note.partition(": ")
    return head if sep and head in {d.value for d in DocumentKind} else None


def _line_number(value: Any) -> int:
    return validation.quantity(value)


def _units(value: Any) -> int:
    return validation.quantity(value, minimum=0)


def _line(uow: UnitOfWork, order: Any, line_no: int) -> Any:
    lines = table_of(OrderLine)
    row = (
        uow.session.execute(
            sa.select(lines.c.id, lines.c.sku, lines.c.shipped_quantity).where(
                lines.c.order_id == order["id"], lines.c.line_no == line_no
            )
        )
        .mappings()
        .one_or_none()
    )
    if row is None:
        raise ValidationFailed(
            f"order {order['number']} has no line {line_no}",
            fields=[FieldError("line_no", "no such line on this order")],
        )
    return row


def _append(
    uow: UnitOfWork,
    order: Any,
    kind: IncidentKind,
    note: str,
    *,
    line_id: uuid.UUID | None = None,
    units: int = 0,
    details: dict[str, Any],
) -> IncidentView:
    incident_id, now = new_id(), clock.now()
    insert_rows(
        uow.session.connection(),
        table_of(OrderIncident),
        [
            {
                "id": incident_id,
                "order_id": order["id"],
                "line_id": line_id,
                "kind": kind.value,
                "quantity": units,
                "warehouse_id": None,
                "note": note,
                "actor": uow.actor,
                "at": now,
            }
        ],
    )
    note_on_orders(
        uow,
        [(order["id"], order["status"])],
        action="incident",
        reason=note,
        details={"kind": kind.value, "incident_id": str(incident_id), **details},
        at=now,
    )
    return IncidentView(incident_id, kind.value, line_id, units, note, uow.actor, now)
