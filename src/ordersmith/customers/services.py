"""Customer use cases: create and change customers, add their addresses.

Functions take the caller's unit of work and never commit. Creating customers takes
their numbers (CUST-000123) before the first SQL statement, as the unit of work needs.
Per customer and kind (billing, shipping) exactly one address is the default.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypedDict, Unpack

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.customers.errors import CustomerNotFound
from ordersmith.customers.events import CustomerAddressAdded, CustomerCreated, CustomerUpdated
from ordersmith.customers.models import AccountType, AddressKind, Customer, CustomerAddress
from ordersmith.customers.queries import (
    AddressView,
    CustomerView,
    address_view,
    customer_filter,
    customer_view,
    refuse_merged,
)
from ordersmith.errors import FieldError, ValidationFailed
from ordersmith.ids import new_id
from ordersmith.uow import UnitOfWork
from ordersmith.validation import (
    Amount,
    FieldChecks,
    boolean,
    currency_code,
    group_code,
    one_of,
    parse_amount,
    text,
)

NUMBER_SERIES = "CUST"
DEFAULT_TERMS_DAYS = 30
MAX_TERMS_DAYS = 365


# --- pure checks ---


def email_address(value: Any) -> str:
    """A basic email check (one @, a dotted domain, no spaces); stored lower-case."""
    clean = text(254)(value).lower()
    local, _, domain = clean.rpartition("@")
    labels = domain.split(".")
    if (
        not local
        or "@" in local
        or len(local) > 64
        or any(c.isspace() for c in clean)
        or len(labels) < 2
        or not all(labels)
    ):
        raise ValueError("is not a valid email address (name@example.com)")
    return clean


def _country(value: Any) -> str:
    clean = text(2)(value).upper()
    if len(clean) != 2 or not (clean.isascii() and clean.isalpha()):
        raise ValueError("must be a two-letter ISO 3166 country code such as DE")
    return clean


def _terms_days(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_TERMS_DAYS:
        raise ValueError(f"must be a whole number of days from 0 to {MAX_TERMS_DAYS}")
    return value


_CUSTOMER_FIELDS = {
    "name": text(200),
    "company": text(200, required=False),
    "email": email_address,
    "phone": text(40, required=False),
    "customer_group": group_code,
    "account_type": one_of(AccountType),
    "currency": currency_code,
}
_ADDRESS_FIELDS = {
    "kind": one_of(AddressKind),
    "name": text(200, required=False),
    "line1": text(200),
    "line2": text(200, required=False),
    "city": text(120),
    "region": text(120, required=False),
    "postcode": text(20, required=False),
    "country": _country,
    "is_default": boolean,
}


def _account_terms(
    checks: FieldChecks, account_type: AccountType | None, terms: Any, credit_limit: Any
) -> tuple[int, Decimal | None]:
    """Cash customers pay on order (0 days, no credit limit); account customers get
    30 days unless given, and an optional credit limit."""
    if account_type is AccountType.CASH:
        if terms is not None and terms != 0:
            checks.fail("payment_terms_days", "a cash customer pays on order: leave it out or 0")
        if credit_limit is not None:
            checks.fail("credit_limit", "a cash customer has no credit limit")
        return 0, None
    days = checks.run("payment_terms_days", _terms_days, terms) if terms is not None else None
    limit = (
        checks.run("credit_limit", parse_amount, credit_limit) if credit_limit is not None else None
    )
    return DEFAULT_TERMS_DAYS if terms is None else (days or 0), limit


def choose_defaults(kinds: Sequence[AddressKind], requested: Sequence[bool]) -> list[bool]:
    """Which of a new customer's addresses are defaults: per kind the last one asked to
    be default, else the first of that kind."""
    chosen: dict[AddressKind, int] = {}
    for i, (kind, wanted) in enumerate(zip(kinds, requested, strict=True)):
        if wanted or kind not in chosen:
            chosen[kind] = i
    return [chosen[kind] == i for i, kind in enumerate(kinds)]


@dataclass(frozen=True, slots=True)
class AddressInput:
    kind: AddressKind | str
    line1: str
    city: str
    country: str
    name: str = ""
    line2: str = ""
    region: str = ""
    postcode: str = ""
    is_default: bool = False


def check_address(checks: FieldChecks, prefix: str, address: AddressInput) -> dict[str, Any]:
    return {
        name: checks.run(prefix + name, check, getattr(address, name))
        for name, check in _ADDRESS_FIELDS.items()
    }


@dataclass(frozen=True, slots=True)
class NewCustomer:
    """A checked customer, ready for ``create_customers``."""

    values: dict[str, Any]
    addresses: tuple[dict[str, Any], ...] = field(default=())


def prepare_customer(
    *,
    default_currency: str,
    name: str,
    email: str,
    account_type: AccountType | str,
    company: str = "",
    phone: str = "",
    customer_group: str = "retail",
    payment_terms_days: int | None = None,
    credit_limit: Amount | None = None,
    currency: str | None = None,
    addresses: Sequence[AddressInput] = (),
) -> NewCustomer:
    """Check a new customer without touching the database; raises ValidationFailed."""
    checks = FieldChecks()
    given = {
        "name": name,
        "company": company,
        "email": email,
        "phone": phone,
        "customer_group": customer_group,
        "account_type": account_type,
        "currency": currency or default_currency,
    }
    values: dict[str, Any] = {k: checks.run(k, _CUSTOMER_FIELDS[k], v) for k, v in given.items()}
    values["payment_terms_days"], values["credit_limit"] = _account_terms(
        checks, values["account_type"], payment_terms_days, credit_limit
    )
    checked = [check_address(checks, f"addresses.{i}.", a) for i, a in enumerate(addresses)]
    checks.raise_if_any("the customer is not valid")
    defaults = choose_defaults([a["kind"] for a in checked], [a["is_default"] for a in checked])
    for address, is_default in zip(checked, defaults, strict=True):
        address["is_default"] = is_default
    return NewCustomer(values, tuple(checked))


# --- use cases ---


def create_customer(
    uow: UnitOfWork,
    *,
    name: str,
    email: str,
    account_type: AccountType | str,
    company: str = "",
    phone: str = "",
    customer_group: str = "retail",
    payment_terms_days: int | None = None,
    credit_limit: Amount | None = None,
    currency: str | None = None,
    addresses: Sequence[AddressInput] = (),
) -> CustomerView:
    """Add a customer with a new number (call first in its unit of work: it takes the
    number before any SQL). Raises ValidationFailed; Forbidden without customers:write."""
    uow.authorize(Permission.CUSTOMERS_WRITE)
    new = prepare_customer(
        default_currency=uow.settings.default_currency,
        name=name,
        email=email,
        account_type=account_type,
        company=company,
        phone=phone,
        customer_group=customer_group,
        payment_terms_days=payment_terms_days,
        credit_limit=credit_limit,
        currency=currency,
        addresses=addresses,
    )
    return create_customers(uow, customers=[new])[0]


def create_customers(uow: UnitOfWork, *, customers: Sequence[NewCustomer]) -> list[CustomerView]:
    """Add checked customers (see ``prepare_customer``), numbered in order."""
    numbers = [f"{NUMBER_SERIES}-{uow.next_number(NUMBER_SERIES):06d}" for _ in customers]
    session, at = uow.session, clock.now()
    rows = [
        Customer(id=new_id(), number=number, created_at=at, updated_at=at, **new.values)
        for number, new in zip(numbers, customers, strict=True)
    ]
    session.add_all(rows)
    session.flush()
    for row, new in zip(rows, customers, strict=True):
        uow.record(
            CustomerCreated(
                aggregate_id=row.id,
                number=row.number,
                name=row.name,
                email=row.email,
                customer_group=row.customer_group,
                account_type=row.account_type,
            )
        )
        for values in new.addresses:
            _insert_address(uow, row, values)
    session.flush()
    return [customer_view(row) for row in rows]


class CustomerChanges(TypedDict, total=False):
    name: str
    company: str
    email: str
    phone: str
    customer_group: str
    account_type: AccountType | str
    payment_terms_days: int | None
    credit_limit: Amount | None
    currency: str


def update_customer(
    uow: UnitOfWork, *, customer: str | uuid.UUID, **changes: Unpack[CustomerChanges]
) -> CustomerView:
    """Change the given fields of the customer with this id or number (the number never
    changes). Moving to cash clears terms and credit limit; moving to account gives 30
    days unless given. Raises ValidationFailed, CustomerNotFound."""
    if "number" in changes:
        raise ValidationFailed(
            "a customer's number cannot change", fields=[FieldError("number", "cannot be changed")]
        )
    row = _lock_customer(uow.session, customer)
    checks = FieldChecks()
    values: dict[str, Any] = {}
    for key, value in changes.items():
        if key in _CUSTOMER_FIELDS:
            values[key] = checks.run(key, _CUSTOMER_FIELDS[key], value)
        elif key not in ("payment_terms_days", "credit_limit"):
            checks.fail(key, "is not a customer field")
    account_type = values.get("account_type", row.account_type)
    same = account_type == row.account_type
    terms = changes.get("payment_terms_days", row.payment_terms_days if same else None)
    credit = changes.get("credit_limit", row.credit_limit if same else None)
    values["payment_terms_days"], values["credit_limit"] = _account_terms(
        checks, account_type, terms, credit
    )
    checks.raise_if_any("the customer is not valid")
    changed = {k: v for k, v in values.items() if getattr(row, k) != v}
    if changed:
        for key, value in changed.items():
            setattr(row, key, value)
        row.updated_at = clock.now()
        uow.session.flush()
        uow.record(CustomerUpdated(aggregate_id=row.id, number=row.number, changes=changed))
    return customer_view(row)


def add_address(
    uow: UnitOfWork, *, customer: str | uuid.UUID, address: AddressInput
) -> AddressView:
    """Add an address to the customer with this id or number. The first address of a
    kind becomes its default; a new default replaces the old one. Raises
    ValidationFailed, CustomerNotFound, CustomerMerged."""
    uow.authorize(Permission.CUSTOMERS_WRITE)
    checks = FieldChecks()
    values = check_address(checks, "", address)
    checks.raise_if_any("the address is not valid")
    row = lock_active_customer(uow.session, customer)
    has_default = uow.session.scalar(
        sa.select(CustomerAddress.id)
        .where(
            CustomerAddress.customer_id == row.id,
            CustomerAddress.kind == values["kind"],
            CustomerAddress.is_default.is_(True),
        )
        .limit(1)
    )
    values["is_default"] = values["is_default"] or has_default is None
    if values["is_default"] and has_default is not None:
        uow.session.execute(
            sa.update(CustomerAddress)
            .where(CustomerAddress.customer_id == row.id, CustomerAddress.kind == values["kind"])
            .values(is_default=False)
        )
    address_row = _insert_address(uow, row, values)
    uow.session.flush()
    return address_view(address_row)


def _insert_address(uow: UnitOfWork, customer: Customer, values: dict[str, Any]) -> CustomerAddress:
    address = CustomerAddress(
        id=new_id(), customer_id=customer.id, created_at=clock.now(), **values
    )
    uow.session.add(address)
    uow.record(
        CustomerAddressAdded(
            aggregate_id=customer.id,
            number=customer.number,
            address_id=address.id,
            kind=address.kind,
            is_default=address.is_default,
        )
    )
    return address


def _lock_customer(session: Session, ref: str | uuid.UUID) -> Customer:
    row = session.scalars(
        sa.select(Customer).where(customer_filter(ref)).with_for_update(key_share=True)
    ).first()
    if row is None:
        raise CustomerNotFound(f"no customer with id or number {str(ref)!r}")
    return row


def lock_active_customer(session: Session, ref: str | uuid.UUID) -> Customer:
    """The customer's row, locked (FOR NO KEY UPDATE), to add something new to it:
    refused when merged into another (``customer_merged``)."""
    row = _lock_customer(session, ref)
    refuse_merged(row.number, row.merged_into_id)
    return row
