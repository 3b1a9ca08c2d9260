from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ordersmith.db import Base


class OutboxEvent(Base):
    """One domain event waiting for (or done with) delivery by the worker."""

    __tablename__ = "outbox_events"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    event_type: Mapped[str] = mapped_column(sa.String(80))
    aggregate_type: Mapped[str] = mapped_column(sa.String(40))
    aggregate_id: Mapped[uuid.UUID]
    payload: Mapped[dict[str, Any]]
    actor: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        sa.Index("ix_outbox_events_pending", "delivered_at", "created_at"),
        sa.Index("ix_outbox_events_aggregate", "aggregate_id", "created_at"),
    )
