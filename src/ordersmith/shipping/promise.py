"""Promised dates: when an order leaves and when it arrives. Pure.

Dispatch: orders allocated before the warehouse cut-off hour (UTC) start handling the
same business day, later ones the next; handling takes ``handling_days`` business days.
Delivery: dispatch + the carrier service's transit days (business days), unless the
customer asked for a later date. Business days are Monday to Friday (no holiday
calendar yet).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta


def add_business_days(start: date, days: int) -> date:
    current = start
    while current.weekday() >= 5:  # a weekend start counts from Monday
        current += timedelta(days=1)
    for _ in range(days):
        current += timedelta(days=1)
        while current.weekday() >= 5:
            current += timedelta(days=1)
    return current


def promised_dispatch(at: datetime, *, cutoff_hour: int, handling_days: int) -> date:
    start = at.date() if at.hour < cutoff_hour else at.date() + timedelta(days=1)
    return add_business_days(start, handling_days)


def promised_delivery(dispatch: date, *, transit_days: int, requested: date | None) -> date:
    arrival = add_business_days(dispatch, transit_days)
    return max(arrival, requested) if requested else arrival
