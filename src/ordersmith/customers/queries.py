"""Customer read side: customers and their addresses as frozen views.

List functions use keyset pagination: they take the sort key of the last row already
seen and return ``(items, has_more)``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, Session

from ordersmith import clock
from ordersmith.customers.errors import CustomerMerged, CustomerNotFound
from ordersmith.customers.models import AccountType, AddressKind, Customer, CustomerAddress
from ordersmith.validation import matchable

CustomerOrder = Literal["newest", "number"]
_IN_CHUNK = 500  # bound on IN (...) parameters per statement


@dataclass(frozen=True, slots=True)
class CustomerView:
    id: uuid.UUID
    number: str
    name: str
    company: str
    email: str
    phone: str
    customer_group: str
    account_type: AccountType
    payment_terms_days: int
    credit_limit: Decimal | None
    currency: str
    created_at: datetime
    updated_at: datetime
    tier: str | None = None
    tier_since: datetime | None = None
    merged_into_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class AddressView:
    id: uuid.UUID
    customer_id: uuid.UUID
    kind: AddressKind
    is_default: bool
    name: str
    line1: str
    line2: str
    city: str
    region: str
    postcode: str
    country: str
    created_at: datetime

    def snapshot(self) -> dict[str, str]:
        """The address as an order stores it (a copy, unaffected by later edits)."""
        return {
            "name": self.name,
            "line1": self.line1,
            "line2": self.line2,
            "city": self.city,
            "region": self.region,
            "postcode": self.postcode,
            "country": self.country,
        }


def customer_view(customer: Customer) -> CustomerView:
    return CustomerView(
        id=customer.id,
        number=customer.number,
        name=customer.name,
        company=customer.company,
        email=customer.email,
        phone=customer.phone,
        customer_group=customer.customer_group,
        account_type=AccountType(customer.account_type),
        payment_terms_days=customer.payment_terms_days,
        credit_limit=customer.credit_limit,
        currency=customer.currency,
        created_at=customer.created_at,
        updated_at=customer.updated_at,
        tier=customer.tier,
        tier_since=customer.tier_since,
        merged_into_id=customer.merged_into_id,
    )


def address_view(address: CustomerAddress) -> AddressView:
    return AddressView(
        id=address.id,
        customer_id=address.customer_id,
        kind=AddressKind(address.kind),
        is_default=address.is_default,
        name=address.name,
        line1=address.line1,
        line2=address.line2,
        city=address.city,
        region=address.region,
        postcode=address.postcode,
        country=address.country,
        created_at=address.created_at,
    )


def customer_filter(ref: str | uuid.UUID) -> sa.ColumnElement[bool]:
    """WHERE clause matching a customer by id or number (``cust-000001`` works too)."""
    if isinstance(ref, uuid.UUID):
        return Customer.id == ref
    if not matchable(ref):
        return sa.false()
    try:
        return Customer.id == uuid.UUID(ref)
    except ValueError:
        return Customer.number == ref.strip().upper()


def find_customer(session: Session, ref: str | uuid.UUID) -> CustomerView | None:
    """The customer with this id or number, or None."""
    customer = session.scalars(sa.select(Customer).where(customer_filter(ref))).first()
    return customer_view(customer) if customer else None


def get_customer(session: Session, ref: str | uuid.UUID) -> CustomerView:
    """The customer with this id or number; raises CustomerNotFound."""
    view = find_customer(session, ref)
    if view is None:
        raise CustomerNotFound(f"no customer with id or number {str(ref)!r}")
    return view


def refuse_merged(number: str, merged_into_id: uuid.UUID | None) -> None:
    """Nothing new is opened for a customer merged into another (ADR 0022): no order,
    case, payment, credit note, return, contact, address or token. CustomerMerged
    (409 ``customer_merged``) names the survivor to use instead."""
    if merged_into_id is not None:
        raise CustomerMerged(
            f"customer {number} was merged into another customer: use the surviving record",
            extra={"customer": number, "merged_into_id": str(merged_into_id)},
        )


def active_customer(session: Session, ref: str | uuid.UUID) -> CustomerView:
    """The customer with this id or number, to open something new for: CustomerNotFound,
    or CustomerMerged when it was merged into another (``refuse_merged``)."""
    view = get_customer(session, ref)
    refuse_merged(view.number, view.merged_into_id)
    return view


def _contains(column: InstrumentedAttribute[str], text: str) -> sa.ColumnElement[bool]:
    return sa.func.lower(column).contains(text.lower(), autoescape=True)


_PHONE_NOISE = (" ", "+", "-", ".", "/", "(", ")")  # as duplicate detection's phone key
_PHONE_LIKE = re.compile(r"\+?[0-9 ()./-]{6,40}")


def _phone_digits(column: InstrumentedAttribute[str]) -> sa.ColumnElement[str]:
    expr: sa.ColumnElement[str] = column.expression
    for ch in _PHONE_NOISE:
        expr = sa.func.replace(expr, ch, "")
    return expr


def customer_search(text: str) -> sa.ColumnElement[bool]:
    """WHERE clause for a searched text: the number (unique), the e-mail
    (``ix_customers_email``), the start of the name as typed, capitalised or title-cased
    (``ix_customers_name`` ranges) and, when the text looks like a phone number, the
    phone's digits (``+49 (30) 123-45`` finds ``4930 12345``). No substring search: it
    would scan every customer."""
    term = text.strip()
    if not term or not matchable(term) or len(term) > 200:
        return sa.false()
    found: list[sa.ColumnElement[bool]] = [
        Customer.number == term.upper(),
        Customer.email == term.lower(),
        *(
            sa.and_(Customer.name >= start, Customer.name < start + "\uffff")
            for start in sorted({term, term.capitalize(), term.title()})
        ),
    ]
    digits = "".join(ch for ch in term if ch not in _PHONE_NOISE)
    if _PHONE_LIKE.fullmatch(term) and digits.isdigit() and len(digits) >= 5:
        found.append(sa.and_(Customer.phone != "", _phone_digits(Customer.phone) == digits))
    return sa.or_(*found)


def list_customers(
    session: Session,
    *,
    q: str | None = None,
    search: str | None = None,
    account_type: AccountType | None = None,
    customer_group: str | None = None,
    tier: str | None = None,
    order: CustomerOrder = "newest",
    after: tuple[datetime, uuid.UUID] | None = None,
    after_number: str | None = None,
    limit: int = 50,
) -> tuple[list[CustomerView], bool]:
    """Customers newest first (keyset ``after`` = (created_at, id)) or by number
    (``after_number``). ``q`` matches name, email, number or company, case-insensitive;
    ``search`` as ``customer_search`` (indexed: the back office's search box); ``tier`` a
    loyalty tier's code. Customers merged into another are left out (they live on in the
    survivor)."""
    if not matchable(q, customer_group, after_number, tier):
        return [], False
    query = sa.select(Customer).where(Customer.merged_into_id.is_(None)).limit(limit + 1)
    if order == "newest":
        query = query.order_by(Customer.created_at.desc(), Customer.id.desc())
        if after is not None:
            at, row_id = clock.as_utc(after[0]), after[1]  # a naive cursor time counts as UTC
            query = query.where(
                sa.or_(
                    Customer.created_at < at,
                    sa.and_(Customer.created_at == at, Customer.id < row_id),
                )
            )
    else:
        query = query.order_by(Customer.number)
        if after_number is not None:
            query = query.where(Customer.number > after_number)
    if q:
        query = query.where(
            sa.or_(
                *(_contains(c, q) for c in (Customer.name, Customer.email, Customer.number)),
                _contains(Customer.company, q),
            )
        )
    if search is not None:
        query = query.where(customer_search(search))
    if tier is not None:
        query = query.where(Customer.tier == tier)
    if account_type is not None:
        query = query.where(Customer.account_type == account_type)
    if customer_group is not None:
        query = query.where(Customer.customer_group == customer_group.strip().lower())
    rows = [customer_view(c) for c in session.scalars(query)]
    return rows[:limit], len(rows) > limit


def list_addresses(
    session: Session, customer_id: uuid.UUID, *, kind: AddressKind | None = None
) -> list[AddressView]:
    """A customer's addresses: by kind, the default first, then oldest first."""
    query = (
        sa.select(CustomerAddress)
        .where(CustomerAddress.customer_id == customer_id)
        .order_by(
            CustomerAddress.kind,
            CustomerAddress.is_default.desc(),
            CustomerAddress.created_at,
            CustomerAddress.id,
        )
    )
    if kind is not None:
        query = query.where(CustomerAddress.kind == kind)
    return [address_view(a) for a in session.scalars(query)]


def default_address(
    session: Session, customer_id: uuid.UUID, kind: AddressKind
) -> AddressView | None:
    """The customer's default address of this kind (billing or shipping), if any."""
    address = session.scalars(
        sa.select(CustomerAddress).where(
            CustomerAddress.customer_id == customer_id,
            CustomerAddress.kind == kind,
            CustomerAddress.is_default.is_(True),
        )
    ).first()
    return address_view(address) if address else None


def numbers_by_email(session: Session, emails: Collection[str]) -> dict[str, str]:
    """For each of these (lower-case) emails that a customer has: one such customer's number."""
    wanted = sorted(email for email in set(emails) if matchable(email))
    found: dict[str, str] = {}
    for start in range(0, len(wanted), _IN_CHUNK):
        chunk = wanted[start : start + _IN_CHUNK]
        rows = session.execute(
            sa.select(Customer.email, Customer.number).where(Customer.email.in_(chunk))
        )
        found.update((email, number) for email, number in rows)
    return found


def numbers_and_names(
    session: Session, ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, tuple[str, str]]:
    """(number, name) of each of these customers (by primary key): a list page's labels."""
    found: dict[uuid.UUID, tuple[str, str]] = {}
    wanted = sorted(set(ids), key=str)
    for start in range(0, len(wanted), _IN_CHUNK):
        rows = session.execute(
            sa.select(Customer.id, Customer.number, Customer.name).where(
                Customer.id.in_(wanted[start : start + _IN_CHUNK])
            )
        )
        found.update((row_id, (number, name)) for row_id, number, name in rows)
    return found
