from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ordersmith.db import Base, Fixed, enum_column


class AccountType(StrEnum):
    CASH = "cash"  # pays on order
    ACCOUNT = "account"  # invoiceable, payment terms, credit limit


class AddressKind(StrEnum):
    BILLING = "billing"
    SHIPPING = "shipping"


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(24), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    company: Mapped[str] = mapped_column(sa.String(200), default="")
    email: Mapped[str] = mapped_column(sa.String(254))
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    customer_group: Mapped[str] = mapped_column(sa.String(40), default="retail")
    account_type: Mapped[AccountType] = mapped_column(enum_column(AccountType))
    payment_terms_days: Mapped[int] = mapped_column(default=0)
    credit_limit: Mapped[Decimal | None] = mapped_column(Fixed(4))
    currency: Mapped[str] = mapped_column(sa.String(3))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    tier: Mapped[str | None] = mapped_column(sa.String(40))
    """The loyalty tier's code (``loyalty_tiers.code``), set by ``tiers.recalculate_tiers``."""
    tier_since: Mapped[datetime | None]
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("customers.id"))
    """Set when this customer was merged into another (``merge.merge_customers``)."""

    __table_args__ = (
        sa.Index("ix_customers_email", "email"),
        sa.Index("ix_customers_tier", "tier"),
        sa.Index("ix_customers_name", "name"),
        sa.Index("ix_customers_created", "created_at", "id"),
        sa.CheckConstraint("payment_terms_days >= 0", name="terms_not_negative"),
        sa.CheckConstraint("credit_limit IS NULL OR credit_limit >= 0", name="credit_not_negative"),
    )


class CustomerAddress(Base):
    __tablename__ = "customer_addresses"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="CASCADE")
    )
    kind: Mapped[AddressKind] = mapped_column(enum_column(AddressKind, 16))
    is_default: Mapped[bool] = mapped_column(default=False)
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    line1: Mapped[str] = mapped_column(sa.String(200))
    line2: Mapped[str] = mapped_column(sa.String(200), default="")
    city: Mapped[str] = mapped_column(sa.String(120))
    region: Mapped[str] = mapped_column(sa.String(120), default="")
    postcode: Mapped[str] = mapped_column(sa.String(20), default="")
    country: Mapped[str] = mapped_column(sa.String(2))
    created_at: Mapped[datetime]

    __table_args__ = (
        sa.Index("ix_customer_addresses_customer", "customer_id", "kind"),
        # at most one default address per kind (the service keeps it; this is the backstop)
        sa.Index(
            "uq_customer_addresses_default",
            "customer_id",
            "kind",
            unique=True,
            sqlite_where=sa.text("is_default = 1"),
            postgresql_where=sa.text("is_default"),
        ),
    )

    def snapshot(self) -> dict[str, str]:
        return {
            "name": self.name,
            "line1": self.line1,
            "line2": self.line2,
            "city": self.city,
            "region": self.region,
            "postcode": self.postcode,
            "country": self.country,
        }


class CustomerContact(Base):
    """A person to talk to at the customer (buyer, accounts, goods in)."""

    __tablename__ = "customer_contacts"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(80), default="")
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    is_primary: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]

    __table_args__ = (
        sa.Index("ix_customer_contacts_customer", "customer_id", "created_at", "id"),
        # at most one primary contact per customer (the service keeps it; this is the backstop)
        sa.Index(
            "uq_customer_contacts_primary",
            "customer_id",
            unique=True,
            sqlite_where=sa.text("is_primary = 1"),
            postgresql_where=sa.text("is_primary"),
        ),
    )


class LoyaltyTier(Base):
    """A loyalty tier: who qualifies (spend and/or orders over a period) and what it gives
    (a price list, free express shipping, a longer return window). ADR 0022."""

    __tablename__ = "loyalty_tiers"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    rank: Mapped[int] = mapped_column(unique=True)
    period_days: Mapped[int]
    min_spend: Mapped[Decimal | None] = mapped_column(Fixed(4))
    min_orders: Mapped[int | None]
    currency: Mapped[str] = mapped_column(sa.String(3))
    """The currency ``min_spend`` is counted in (orders in other currencies do not add)."""
    price_list_code: Mapped[str | None] = mapped_column(sa.String(40))
    free_express_shipping: Mapped[bool] = mapped_column(default=False)
    return_window_days: Mapped[int | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        sa.CheckConstraint("period_days > 0", name="period_positive"),
        sa.CheckConstraint("min_spend IS NULL OR min_spend >= 0", name="spend_not_negative"),
        sa.CheckConstraint("min_orders IS NULL OR min_orders >= 0", name="orders_not_negative"),
        sa.CheckConstraint("min_spend IS NOT NULL OR min_orders IS NOT NULL", name="has_threshold"),
        sa.CheckConstraint(
            "return_window_days IS NULL OR return_window_days >= 0", name="window_not_negative"
        ),
    )


class CustomerHistory(Base):
    """Append-only audit trail of a customer: tier changes, merges, unmerges, contacts.
    Never updated or deleted (a merge moves a duplicate's rows to the survivor, and an
    unmerge moves exactly those back)."""

    __tablename__ = "customer_history"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="CASCADE")
    )
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(sa.String(120))
    action: Mapped[str] = mapped_column(sa.String(40))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)

    __table_args__ = (sa.Index("ix_customer_history_customer", "customer_id", "at", "id"),)


class CustomerMerge(Base):
    """One duplicate merged into a survivor: the rows it moved, per table and column, so
    ``unmerge_customer`` moves exactly those back."""

    __tablename__ = "customer_merges"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    survivor_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("customers.id"))
    duplicate_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("customers.id"))
    reason: Mapped[str] = mapped_column(sa.String(500))
    moved: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """``{"table.column": [primary keys]}`` of every row moved to the survivor."""
    demoted: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """``{"customer_addresses": [ids], "customer_contacts": [ids]}``: moved defaults and
    primary contacts that lost the flag because the survivor had one."""
    duplicate_tier: Mapped[str | None] = mapped_column(sa.String(40))
    """The tier the duplicate held when merged (a merged customer holds none); the
    unmerge gives it back (migration 0021)."""
    duplicate_tier_since: Mapped[datetime | None]
    merged_by: Mapped[str] = mapped_column(sa.String(120))
    merged_at: Mapped[datetime]
    undone_by: Mapped[str] = mapped_column(sa.String(120), default="")
    undone_at: Mapped[datetime | None]
    undo_reason: Mapped[str] = mapped_column(sa.String(500), default="")

    __table_args__ = (
        sa.Index("ix_customer_merges_merged", "merged_at", "id"),
        sa.Index("ix_customer_merges_survivor", "survivor_id"),
        sa.Index("ix_customer_merges_duplicate", "duplicate_id"),
    )
