from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ordersmith.db import Base

PENDING = "delivered_at IS NULL AND dead_at IS NULL"


class OutboxEvent(Base):
    """One domain event waiting for (or done with) delivery by the worker.

    Pending: not delivered and not dead. Due: pending and ``next_attempt_at`` is empty
    (never tried) or past. After ``outbox_max_attempts`` failures ``dead_at`` is set and
    the event waits for an operator's replay (``ordersmith worker --replay-dead``).
    """

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
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    dead_at: Mapped[datetime | None]

    __table_args__ = (
        # the worker's claim: pending events oldest first; partial, so it holds only the
        # few rows still waiting, however long the delivered history grows
        sa.Index(
            "ix_outbox_events_due",
            "created_at",
            sqlite_where=sa.text(PENDING),
            postgresql_where=sa.text(PENDING),
        ),
        sa.Index("ix_outbox_events_aggregate", "aggregate_id", "created_at"),
    )
