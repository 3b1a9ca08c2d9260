from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

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

    __table_args__ = (
        sa.Index("ix_customers_email", "email"),
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
