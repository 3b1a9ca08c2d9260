from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ordersmith.db import Base, enum_column


class Role(StrEnum):
    ADMIN = "admin"  # everything, including tokens and settings
    STAFF = "staff"  # back-office work: catalog, customers, stock, orders
    # shops, marketplaces: read catalog/stock, keep customers, capture and manage their orders
    INTEGRATION = "integration"
    # one customer's own token: only that customer's returns (ADR 0019); the portal extends it
    CUSTOMER = "customer"


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    role: Mapped[Role] = mapped_column(enum_column(Role, 20))
    prefix: Mapped[str] = mapped_column(sa.String(16))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    customer_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("customers.id"))
    """Set for (and only for) a ``customer`` token: the customer whose data it may see."""
