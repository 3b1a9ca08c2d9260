"""What order capture needs to know about a customer, in one statement.

The same statement reads the customer's loyalty tier's price list (ADR 0022), so a tier
adds no statement to order placement; a customer merged into another is refused here,
for every caller that captures an order (``customer_merged``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.customers.errors import CustomerNotFound
from ordersmith.customers.models import (
    AccountType,
    AddressKind,
    Customer,
    CustomerAddress,
    LoyaltyTier,
)
from ordersmith.customers.queries import refuse_merged
from ordersmith.db import core, table_of
from ordersmith.hot_reads import HotRead


@dataclass(frozen=True, slots=True)
class OrderingProfile:
    id: uuid.UUID
    number: str
    name: str
    customer_group: str
    currency: str
    account_type: AccountType
    credit_limit: Decimal | None
    billing_address: dict[str, Any]
    shipping_address: dict[str, Any]
    tier: str | None = None
    tier_price_list: str | None = None
    """The code of the price list the customer's loyalty tier maps to, if any."""


_ADDRESS_FIELDS = ("name", "line1", "line2", "city", "region", "postcode", "country")


def ordering_profile(
    session: Session, customer_id: uuid.UUID, *, advisory_lock: int | None = None
) -> OrderingProfile:
    """The customer's group, currency, terms and default addresses. ``advisory_lock``
    (PostgreSQL only): also take that transaction-level advisory lock, in the same
    statement (placement's twin lock, ``orders.duplicates``: one round trip fewer), and
    have the transaction's prepared statements run their generic plans (ADR 0042)."""
    params: dict[str, Any] = {"customer_id": customer_id}
    if advisory_lock is not None:
        params["advisory_lock"] = advisory_lock
    read = _LOCKING_PROFILE if advisory_lock is not None else _PROFILE
    rows = read.rows(core(session), params)
    if not rows:
        raise CustomerNotFound(f"no customer {customer_id}")
    found: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row.kind is not None:
            found[str(row.kind)] = {
                "name": row.address_name or row.name,
                **{f: getattr(row, f) for f in _ADDRESS_FIELDS[1:]},
            }
    first = rows[0]
    refuse_merged(first.number, first.merged_into_id)
    billing = found.get(AddressKind.BILLING.value) or found.get(AddressKind.SHIPPING.value) or {}
    shipping = found.get(AddressKind.SHIPPING.value) or billing
    return OrderingProfile(
        id=first.id,
        number=first.number,
        name=first.name,
        customer_group=first.customer_group,
        currency=first.currency,
        account_type=AccountType(first.account_type),
        credit_limit=first.credit_limit,
        billing_address=billing,
        shipping_address=shipping,
        tier=first.tier,
        tier_price_list=first.tier_price_list,
    )


def _profile_statement(*, locking: bool = False) -> sa.Select[Any]:
    """A hot read (it runs on every order placement). ``locking`` (placement's first
    statement on PostgreSQL) adds the advisory lock as a column (evaluated for each row
    the customer has: re-taking a transaction lock one already holds is a no-op that is
    released with it) and a transaction-local ``plan_cache_mode`` (ADR 0042)."""
    customers, addresses = table_of(Customer), table_of(CustomerAddress)
    tiers = table_of(LoyaltyTier)
    lock = sa.func.pg_advisory_xact_lock(sa.bindparam("advisory_lock", type_=sa.BigInteger()))
    # and, for the rest of the transaction, prepared statements run their generic plan:
    # placement's prices read was otherwise planned again on every order (ADR 0042)
    generic = sa.func.set_config("plan_cache_mode", "force_generic_plan", sa.true())
    return (
        sa.select(
            customers.c.id,
            customers.c.number,
            customers.c.name,
            customers.c.customer_group,
            customers.c.currency,
            customers.c.account_type,
            customers.c.credit_limit,
            addresses.c.kind,
            *(addresses.c[f] for f in _ADDRESS_FIELDS[1:]),
            addresses.c.name.label("address_name"),
            customers.c.tier,
            customers.c.merged_into_id,
            tiers.c.price_list_code.label("tier_price_list"),
            *([lock.label("advisory_lock"), generic.label("plan_cache_mode")] if locking else []),
        )
        .select_from(customers)
        .outerjoin(tiers, tiers.c.code == customers.c.tier)
        .outerjoin(
            addresses,
            sa.and_(addresses.c.customer_id == customers.c.id, addresses.c.is_default.is_(True)),
        )
        .where(customers.c.id == sa.bindparam("customer_id", type_=sa.Uuid()))
    )


_PROFILE = HotRead(lambda _postgresql: _profile_statement())
_LOCKING_PROFILE = HotRead(lambda _postgresql: _profile_statement(locking=True))
