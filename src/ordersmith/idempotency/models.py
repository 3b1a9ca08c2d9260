from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ordersmith.db import Base


class IdempotencyRecord(Base):
    """A key seen from one client: in flight until the response is stored with the change."""

    __tablename__ = "idempotency_keys"

    client_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    method: Mapped[str] = mapped_column(sa.String(8))
    path: Mapped[str] = mapped_column(sa.String(255))
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    claim_token: Mapped[str] = mapped_column(sa.String(32), default="")
    """Which request holds the key now: a takeover gets a new token."""
    response_status: Mapped[int | None]
    response_body: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime]
    locked_until: Mapped[datetime | None]
    expires_at: Mapped[datetime]

    __table_args__ = (sa.Index("ix_idempotency_keys_expires", "expires_at"),)
