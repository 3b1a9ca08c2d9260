"""Factories for customer service cases, over the real services."""

from __future__ import annotations

import uuid
from typing import Any

from ordersmith.customer_service.models import Party
from ordersmith.customer_service.notes import add_note
from ordersmith.customer_service.opening import open_case
from ordersmith.customer_service.services import (
    close_case,
    reopen_case,
    resolve_case,
    wait_on_customer,
)
from ordersmith.customer_service.views import CaseView
from ordersmith.uow import Database


def make_case(
    db: Database,
    customer_id: uuid.UUID,
    *,
    case_type: str = "enquiry",
    subject: str = "Where is my order?",
    actor: str = "user:sam",
    **kw: Any,
) -> CaseView:
    """An open case of the customer (``kw``: priority, order_id, description, ...)."""
    with db.unit_of_work(actor=actor) as uow:
        return open_case(uow, customer_id=customer_id, case_type=case_type, subject=subject, **kw)


def note(
    db: Database,
    case: CaseView,
    body: str,
    visibility: str = "internal",
    *,
    by_customer: bool = False,
    wait: bool = False,
) -> CaseView:
    actor = "customer:ann" if by_customer else "user:sam"
    with db.unit_of_work(actor=actor) as uow:
        return add_note(
            uow,
            case_id=case.id,
            body=body,
            visibility=visibility,
            author_kind=Party.CUSTOMER if by_customer else Party.STAFF,
            wait=wait,
        )


def wait(db: Database, case: CaseView) -> CaseView:
    with db.unit_of_work(actor="user:sam") as uow:
        return wait_on_customer(uow, case_id=case.id)


def reopen(db: Database, case: CaseView) -> CaseView:
    with db.unit_of_work(actor="user:sam") as uow:
        return reopen_case(uow, case_id=case.id)


def resolve(db: Database, case: CaseView, resolution: str = "answered") -> CaseView:
    with db.unit_of_work(actor="user:sam") as uow:
        return resolve_case(uow, case_id=case.id, resolution=resolution)


def close(db: Database, case: CaseView) -> CaseView:
    with db.unit_of_work(actor="user:sam") as uow:
        return close_case(uow, case_id=case.id)
