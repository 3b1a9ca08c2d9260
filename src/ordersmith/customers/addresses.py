"""Changing a customer's addresses after they were added: edit one, make one the default
of its kind (the customer portal's address book; ``add_address`` adds them). An address
of another customer is not found. Orders keep their own copy, so they never change."""

from __future__ import annotations

import uuid
from dataclasses import replace

import sqlalchemy as sa

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.customers.errors import AddressNotFound
from ordersmith.customers.events import CustomerUpdated
from ordersmith.customers.models import Customer, CustomerAddress
from ordersmith.customers.queries import AddressView, address_view
from ordersmith.customers.services import AddressInput, check_address, lock_active_customer
from ordersmith.uow import UnitOfWork
from ordersmith.validation import FieldChecks


def _address_of(uow: UnitOfWork, customer: Customer, address_id: uuid.UUID) -> CustomerAddress:
    row = uow.session.get(CustomerAddress, address_id)
    if row is None or row.customer_id != customer.id:
        raise AddressNotFound(f"no address {address_id} of customer {customer.number}")
    return row


def _make_default(uow: UnitOfWork, customer: Customer, row: CustomerAddress) -> None:
    uow.session.execute(
        sa.update(CustomerAddress)
        .where(CustomerAddress.customer_id == customer.id, CustomerAddress.kind == row.kind)
        .values(is_default=False)
    )
    uow.session.flush()
    row.is_default = True


def _changed(uow: UnitOfWork, customer: Customer, what: str, address_id: uuid.UUID) -> None:
    customer.updated_at = clock.now()
    uow.record(
        CustomerUpdated(
            aggregate_id=customer.id,
            number=customer.number,
            changes={what: str(address_id)},
        )
    )


def update_address(
    uow: UnitOfWork, *, customer: str | uuid.UUID, address_id: uuid.UUID, address: AddressInput
) -> AddressView:
    """Change an address of the customer (its kind stays; ``is_default`` True also makes
    it the default of its kind). Raises ValidationFailed, AddressNotFound."""
    uow.authorize(Permission.CUSTOMERS_WRITE)
    row_customer = lock_active_customer(uow.session, customer)
    row = _address_of(uow, row_customer, address_id)
    checks = FieldChecks()
    values = check_address(checks, "", replace(address, kind=row.kind))
    checks.raise_if_any("the address is not valid")
    make_default = values.pop("is_default")
    values.pop("kind")
    for key, value in values.items():
        setattr(row, key, value)
    if make_default and not row.is_default:
        _make_default(uow, row_customer, row)
    _changed(uow, row_customer, "address_changed", row.id)
    uow.session.flush()
    return address_view(row)


def set_default_address(
    uow: UnitOfWork, *, customer: str | uuid.UUID, address_id: uuid.UUID
) -> AddressView:
    """Make this address the customer's default of its kind (billing or shipping)."""
    uow.authorize(Permission.CUSTOMERS_WRITE)
    row_customer = lock_active_customer(uow.session, customer)
    row = _address_of(uow, row_customer, address_id)
    if not row.is_default:
        _make_default(uow, row_customer, row)
        _changed(uow, row_customer, "default_address", row.id)
    uow.session.flush()
    return address_view(row)
