"""A customer's contacts: the people to talk to (buyer, accounts, goods in).

At most one contact per customer is primary: a new primary contact takes the flag from
the old one (the partial unique index ``uq_customer_contacts_primary`` is the backstop).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.customers.errors import ContactNotFound
from ordersmith.customers.events import CustomerContactAdded
from ordersmith.customers.history import history_row, record_history
from ordersmith.customers.models import CustomerContact
from ordersmith.customers.services import email_address, lock_active_customer
from ordersmith.errors import FieldError
from ordersmith.ids import new_id
from ordersmith.uow import UnitOfWork
from ordersmith.validation import FieldChecks, boolean, text


@dataclass(frozen=True, slots=True)
class ContactView:
    id: uuid.UUID
    customer_id: uuid.UUID
    name: str
    role: str
    email: str
    phone: str
    is_primary: bool
    created_at: datetime


def _optional_email(value: Any) -> str:
    return "" if value in (None, "") else email_address(value)


_FIELDS = {
    "name": text(200),
    "role": text(80, required=False),
    "email": _optional_email,
    "phone": text(40, required=False),
    "is_primary": boolean,
}


def _view(row: CustomerContact) -> ContactView:
    return ContactView(
        row.id,
        row.customer_id,
        row.name,
        row.role,
        row.email,
        row.phone,
        row.is_primary,
        row.created_at,
    )


def add_contact(
    uow: UnitOfWork,
    *,
    customer: str | uuid.UUID,
    name: str,
    role: str = "",
    email: str = "",
    phone: str = "",
    is_primary: bool = False,
) -> ContactView:
    """Add a contact; the first one, or one sent as primary, becomes the primary contact.
    Raises Forbidden (without ``customers:write``), ValidationFailed, CustomerNotFound,
    CustomerMerged."""
    uow.authorize(Permission.CUSTOMERS_WRITE)
    checks = FieldChecks()
    given = {"name": name, "role": role, "email": email, "phone": phone, "is_primary": is_primary}
    values = {k: checks.run(k, _FIELDS[k], v) for k, v in given.items()}
    checks.raise_if_any("the contact is not valid")
    row = lock_active_customer(uow.session, customer)
    session = uow.session
    has_primary = session.scalar(
        sa.select(CustomerContact.id)
        .where(CustomerContact.customer_id == row.id, CustomerContact.is_primary.is_(True))
        .limit(1)
    )
    values["is_primary"] = values["is_primary"] or has_primary is None
    if values["is_primary"] and has_primary is not None:
        session.execute(
            sa.update(CustomerContact)
            .where(CustomerContact.customer_id == row.id)
            .values(is_primary=False)
        )
    contact = CustomerContact(id=new_id(), customer_id=row.id, created_at=clock.now(), **values)
    session.add(contact)
    session.flush()
    record_history(
        uow,
        [history_row(uow, row.id, "contact_added", {"contact_id": str(contact.id), "name": name})],
    )
    uow.record(
        CustomerContactAdded(
            aggregate_id=row.id,
            number=row.number,
            contact_id=contact.id,
            name=contact.name,
            is_primary=contact.is_primary,
        )
    )
    return _view(contact)


def remove_contact(uow: UnitOfWork, *, customer: str | uuid.UUID, contact_id: uuid.UUID) -> None:
    """Remove one of the customer's contacts (another customer's contact is not found)."""
    uow.authorize(Permission.CUSTOMERS_WRITE)
    row = lock_active_customer(uow.session, customer)
    contact = uow.session.scalars(
        sa.select(CustomerContact).where(
            CustomerContact.id == contact_id, CustomerContact.customer_id == row.id
        )
    ).first()
    if contact is None:
        raise ContactNotFound(
            f"customer {row.number} has no contact {contact_id}",
            fields=[FieldError("contact_id", "not one of this customer's contacts")],
        )
    uow.session.delete(contact)
    uow.session.flush()
    record_history(
        uow,
        [
            history_row(
                uow,
                row.id,
                "contact_removed",
                {"contact_id": str(contact_id), "name": contact.name},
            )
        ],
    )


def list_contacts(session: Session, customer_id: uuid.UUID) -> list[ContactView]:
    """The customer's contacts: the primary first, then oldest first (one page: a customer
    has a handful)."""
    query = (
        sa.select(CustomerContact)
        .where(CustomerContact.customer_id == customer_id)
        .order_by(CustomerContact.is_primary.desc(), CustomerContact.created_at, CustomerContact.id)
    )
    return [_view(c) for c in session.scalars(query)]
