"""The return window: how long after delivery goods may be sent back.

``return_window_days`` is the one place the window is looked up: the
``ORDERSMITH_RETURN_WINDOW_DAYS`` setting (30), or the customer's loyalty tier's window
when that is longer (ADR 0022; a tier never shortens it). A line's window runs from the day
its goods reached the customer (``ReturnableLine.delivered_at``) and closes at the end
of the day ``days`` later, in UTC like every business date here (ADR 0019).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.config import Settings
from ordersmith.customers.models import Customer, LoyaltyTier
from ordersmith.returns.views import ReturnableLine


@dataclass(frozen=True, slots=True)
class ClosedLine:
    line_no: int
    sku: str
    delivered_on: date
    closed_on: date
    """The last day a return could be asked for."""


def return_window_days(session: Session, settings: Settings, customer_id: uuid.UUID) -> int:
    """Days after delivery the customer may ask for a return (one lookup for every
    caller): the setting, or the customer's loyalty tier's window when it is longer."""
    tier_days = session.scalar(
        sa.select(LoyaltyTier.return_window_days)
        .join(Customer, Customer.tier == LoyaltyTier.code)
        .where(Customer.id == customer_id)
    )
    return max(settings.return_window_days, tier_days or 0)


def last_day(delivered_on: date, days: int) -> date:
    """The last day of a window of ``days`` that opened on ``delivered_on``."""
    return delivered_on + timedelta(days=days)


def closed_lines(lines: Iterable[ReturnableLine], *, days: int, today: date) -> list[ClosedLine]:
    """The lines whose window has closed by ``today`` (lines never delivered are not
    closed: nothing to return yet is refused by the quantity rule instead)."""
    closed = []
    for line in lines:
        if line.delivered_at is None:
            continue
        delivered_on = line.delivered_at.date()
        if today > last_day(delivered_on, days):
            closed.append(
                ClosedLine(line.line_no, line.sku, delivered_on, last_day(delivered_on, days))
            )
    return closed
