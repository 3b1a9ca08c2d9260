"""The case thread: ``add_note``.

A note is ``internal`` (staff only) or for the ``customer``. A staff note for the
customer is emailed to them in the same transaction (``notifications.queue_message``,
kind ``case_reply``: the mail queue the worker sends from, ADR 0008) and names its
``communications`` row, which carries the case's order so the order timeline shows it;
with ``wait`` it also moves the case to ``waiting_on_customer`` (the SLA clock stops).
A customer's note reopens a case that waits on them or was resolved. A closed case
takes no notes (``case_closed``).
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.customer_service import inputs
from ordersmith.customer_service.errors import CaseClosed
from ordersmith.customer_service.events import CaseNoteAdded
from ordersmith.customer_service.models import Case, CaseNote, Party, Visibility
from ordersmith.customer_service.queries import get_case
from ordersmith.customer_service.services import Locked, lock_case, move, reopen
from ordersmith.customer_service.status import CaseAction, CaseStatus
from ordersmith.customer_service.views import CaseView
from ordersmith.db import table_of
from ordersmith.ids import new_id
from ordersmith.notifications.models import MessageKind
from ordersmith.notifications.services import queue_message
from ordersmith.orders.models import Order
from ordersmith.uow import UnitOfWork
from ordersmith.validation import FieldChecks, one_of

_C, _N = table_of(Case), table_of(CaseNote)


def add_note(
    uow: UnitOfWork,
    *,
    case_id: uuid.UUID,
    body: str,
    visibility: str = Visibility.INTERNAL.value,
    author_kind: Party = Party.STAFF,
    wait: bool = False,
) -> CaseView:
    """Append a note to the case's thread (see the module's doc for its effects)."""
    uow.authorize(Permission.CASES_WRITE)
    checks = FieldChecks()
    clean = checks.run("body", inputs.BODY, body) or ""
    seen_by = checks.run("visibility", one_of(Visibility), visibility)
    if author_kind is Party.CUSTOMER and seen_by is Visibility.INTERNAL:
        checks.fail("visibility", "a customer's note is always for the customer")
    if wait and (author_kind is Party.CUSTOMER or seen_by is not Visibility.CUSTOMER):
        checks.fail("wait", "only a staff note to the customer waits for their answer")
    checks.raise_if_any("the note is not valid")
    assert seen_by is not None
    locked = lock_case(uow, case_id)
    if locked.status is CaseStatus.CLOSED:
        raise CaseClosed(f"case {locked.row['number']} is closed: it takes no more notes")
    now, note_id = clock.now(), new_id()
    mail_id = None
    if author_kind is Party.STAFF and seen_by is Visibility.CUSTOMER:
        mail_id = _email(uow, locked, clean)
    uow.session.execute(
        sa.insert(_N).values(
            id=note_id,
            case_id=case_id,
            author=uow.actor,
            author_kind=author_kind.value,
            visibility=seen_by.value,
            body=clean,
            communication_id=mail_id,
            created_at=now,
        )
    )
    uow.session.execute(sa.update(_C).where(_C.c.id == case_id).values(updated_at=now))
    uow.record(
        CaseNoteAdded(
            **locked.event_head(),
            note_id=note_id,
            author_kind=author_kind.value,
            visibility=seen_by.value,
            emailed=mail_id is not None,
        )
    )
    if wait:
        move(uow, locked, CaseAction.WAIT)
    elif author_kind is Party.CUSTOMER and locked.status is not CaseStatus.OPEN:
        reopen(uow, locked)  # the customer answered
    return get_case(uow.session, case_id)


def _email(uow: UnitOfWork, locked: Locked, body: str) -> uuid.UUID | None:
    """Queue the note to the customer; None when they have no email address."""
    order_number = ""
    if locked.row["order_id"] is not None:
        orders = table_of(Order)
        order_number = (
            uow.session.scalar(
                sa.select(orders.c.number).where(orders.c.id == locked.row["order_id"])
            )
            or ""
        )
    return queue_message(
        uow,
        kind=MessageKind.CASE_REPLY,
        customer_id=locked.row["customer_id"],
        order_id=locked.row["order_id"],
        shipment_id=locked.row["shipment_id"],
        context={
            "case_number": locked.row["number"],
            "case_subject": locked.row["subject"],
            "order_number": order_number,
            "body": body,
        },
    )
