"""Order history for the forecasting tests: weekly demand imported as completed orders.

Every test runs on a set clock, ``TODAY`` = Wednesday 4 March 2026, 12:00 UTC: the
current week starts Monday 2 March (the first forecast week), and the last complete
week of history is the one starting Monday 23 February (``LAST_WEEK``).
"""

from __future__ import annotations

import itertools
import random
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from ordersmith.orders.history_import import (
    HistoricalLine,
    HistoricalOrder,
    import_historical_orders,
)
from ordersmith.orders.models import Channel
from ordersmith.orders.status import OrderStatus
from ordersmith.uow import Database

TODAY = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
THIS_WEEK = date(2026, 3, 2)
LAST_WEEK = date(2026, 2, 23)
WEEK = timedelta(days=7)
_refs = itertools.count(1)


def tuesday_of(week: date, hour: int = 10) -> datetime:
    return datetime.combine(week + timedelta(days=1), time(hour), tzinfo=UTC)


def import_weekly_history(
    db: Database,
    customer_id: uuid.UUID,
    sku: str,
    weekly: Sequence[int],
    *,
    last_week: date = LAST_WEEK,
    status: OrderStatus = OrderStatus.COMPLETED,
) -> None:
    """One historical order per week with demand, on the week's Tuesday; the last
    value is the week starting ``last_week``."""
    first = last_week - (len(weekly) - 1) * WEEK
    orders = [
        HistoricalOrder(
            customer_id=customer_id,
            channel=Channel.IMPORT,
            external_ref=f"H-{sku}-{next(_refs)}",
            created_at=tuesday_of(first + i * WEEK),
            status=status,
            lines=[HistoricalLine(sku=sku, quantity=units, unit_price=Decimal("1.00"))],
        )
        for i, units in enumerate(weekly)
        if units > 0
    ]
    with db.unit_of_work(actor="test") as uow:
        import_historical_orders(uow, orders)


def steady_weeks(weeks: int, *, level: int = 20, spread: int = 4, seed: int = 1) -> list[int]:
    """A regular seller: ``level`` ± ``spread`` units every week."""
    rng = random.Random(seed)
    return [level + rng.randint(-spread, spread) for _ in range(weeks)]
