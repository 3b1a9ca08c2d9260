"""Loyalty tiers: configured rules, and the set-based recalculation that assigns them.

A tier sets ``min_spend`` (in its ``currency``) and/or ``min_orders`` over its last
``period_days``; a customer qualifies when they meet **every** threshold the tier sets,
and holds the highest-ranked tier they qualify for (ADR 0022). Spend and orders count
placed, confirmed, held and completed orders (not drafts, not cancelled ones) created in
the period; spend is the orders' totals. ``recalculate_tiers`` reads every customer's
figures for every tier in one aggregate statement, then writes the changes in a few
grouped UPDATEs, a history row and a ``customer.tier_changed`` event per change.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith import clock
from ordersmith.catalog.models import PriceList
from ordersmith.customers.errors import LoyaltyTierInUse, LoyaltyTierNotFound
from ordersmith.customers.events import CustomerTierChanged
from ordersmith.customers.history import history_row, record_history
from ordersmith.customers.models import Customer, LoyaltyTier
from ordersmith.db import Fixed, table_of
from ordersmith.errors import FieldError, ValidationFailed
from ordersmith.ids import new_id
from ordersmith.orders.models import Order
from ordersmith.uow import UnitOfWork
from ordersmith.validation import (
    MAX_QUANTITY,
    FieldChecks,
    boolean,
    currency_code,
    optional,
    parse_amount,
    price_list_code,
    text,
)

COUNTED_STATUSES = ("placed", "confirmed", "on_hold", "completed")
MAX_PERIOD_DAYS = 3660
MAX_COUNT = MAX_QUANTITY
"""Ranks and order counts are INTEGER columns."""
EARLIEST_AS_OF = datetime(1900, 1, 1, tzinfo=UTC)
"""Recalculating as of an earlier day would reach back before any date a database keeps."""
_CHUNK = 500
ZERO = Decimal(0)
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class TierView:
    code: str
    name: str
    rank: int
    period_days: int
    min_spend: Decimal | None
    min_orders: int | None
    currency: str
    price_list_code: str | None
    free_express_shipping: bool
    return_window_days: int | None

    def qualifies(self, spend: Decimal, orders: int) -> bool:
        """Every threshold the tier sets is met."""
        return (self.min_spend is None or spend >= self.min_spend) and (
            self.min_orders is None or orders >= self.min_orders
        )


@dataclass(frozen=True, slots=True)
class TierStanding:
    """A customer's figures over one tier's period, and whether they qualify."""

    tier: TierView
    spend: Decimal
    orders: int
    qualifies: bool


@dataclass
class TierRun:
    as_of: datetime
    evaluated: int = 0
    upgraded: int = 0
    downgraded: int = 0
    by_tier: dict[str, int] = field(default_factory=dict)
    """Customers moved into each tier ("" for no tier)."""

    @property
    def changed(self) -> int:
        return self.upgraded + self.downgraded


def _view(row: Any) -> TierView:
    return TierView(
        row.code,
        row.name,
        row.rank,
        row.period_days,
        row.min_spend,
        row.min_orders,
        row.currency,
        row.price_list_code,
        row.free_express_shipping,
        row.return_window_days,
    )


def list_tiers(session: Session) -> list[TierView]:
    """Every tier, highest rank first (a handful: one page)."""
    t = table_of(LoyaltyTier)
    return [_view(r) for r in session.execute(sa.select(t).order_by(t.c.rank.desc()))]


def get_tier(session: Session, code: str) -> TierView:
    t = table_of(LoyaltyTier)
    row = session.execute(sa.select(t).where(t.c.code == code.strip().lower())).first()
    if row is None:
        raise LoyaltyTierNotFound(f"no loyalty tier {code!r}")
    return _view(row)


def _days(maximum: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
            raise ValueError(f"a whole number of days from 1 to {maximum}")
        return value

    return check


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
        raise ValueError(f"a whole number from 0 to {MAX_COUNT}")
    return value


def _code(value: Any) -> str:
    return price_list_code(value).lower()


def save_tier(
    uow: UnitOfWork,
    *,
    code: str,
    name: str,
    rank: int,
    period_days: int = 365,
    min_spend: Decimal | str | None = None,
    min_orders: int | None = None,
    currency: str | None = None,
    price_list_code: str | None = None,
    free_express_shipping: bool = False,
    return_window_days: int | None = None,
) -> TierView:
    """Create or replace the tier with this code (customers keep their tier until the
    next recalculation). Raises ValidationFailed."""
    checks = FieldChecks()
    values: dict[str, Any] = {
        "code": checks.run("code", _code, code),
        "name": checks.run("name", text(200), name),
        "rank": checks.run("rank", _count, rank),
        "period_days": checks.run("period_days", _days(MAX_PERIOD_DAYS), period_days),
        "min_spend": checks.run("min_spend", optional(parse_amount), min_spend),
        "min_orders": checks.run("min_orders", optional(_count), min_orders),
        "currency": checks.run(
            "currency", currency_code, currency or uow.settings.default_currency
        ),
        "price_list_code": checks.run("price_list_code", optional(_plain_code), price_list_code),
        "free_express_shipping": checks.run(
            "free_express_shipping", boolean, free_express_shipping
        ),
        "return_window_days": checks.run(
            "return_window_days", optional(_days(3650)), return_window_days
        ),
    }
    if min_spend is None and min_orders is None:
        checks.fail("min_spend", "set min_spend, min_orders or both")
    checks.raise_if_any("the loyalty tier is not valid")
    session, t = uow.session, table_of(LoyaltyTier)
    if values["price_list_code"] is not None:
        known = session.scalar(
            sa.select(PriceList.id).where(PriceList.code == values["price_list_code"])
        )
        if known is None:
            raise ValidationFailed(
                f"no price list {values['price_list_code']!r}",
                fields=[FieldError("price_list_code", "unknown price list")],
            )
    clash = session.scalar(
        sa.select(t.c.code).where(t.c.rank == values["rank"], t.c.code != values["code"])
    )
    if clash is not None:
        raise ValidationFailed(
            f"tier {clash} already has rank {values['rank']}",
            code="tier_rank_taken",
            fields=[FieldError("rank", f"taken by {clash}")],
        )
    now = clock.now()
    existing = session.scalar(sa.select(t.c.id).where(t.c.code == values["code"]).with_for_update())
    if existing is None:
        session.execute(sa.insert(t).values(id=new_id(), created_at=now, updated_at=now, **values))
    else:
        session.execute(sa.update(t).where(t.c.id == existing).values(updated_at=now, **values))
    return get_tier(session, values["code"])


def _plain_code(value: Any) -> str:
    return price_list_code(value)


def delete_tier(uow: UnitOfWork, *, code: str) -> None:
    """Remove a tier nobody holds (recalculate after changing the rules first)."""
    tier = get_tier(uow.session, code)
    holders = uow.session.scalar(
        sa.select(sa.func.count())
        .select_from(Customer)
        .where(Customer.tier == tier.code, Customer.merged_into_id.is_(None))
    )
    if holders:
        raise LoyaltyTierInUse(
            f"{holders} customers hold tier {tier.code}: change its rules and recalculate first",
            extra={"customers": holders},
        )
    uow.session.execute(sa.delete(LoyaltyTier).where(LoyaltyTier.code == tier.code))


def _figures(tiers: Sequence[TierView], as_of: datetime) -> list[sa.ColumnElement[Any]]:
    """Per tier: spend (``s<i>``) and orders (``n<i>``) in its period, as aggregates."""
    o = table_of(Order)
    columns: list[sa.ColumnElement[Any]] = []
    for i, tier in enumerate(tiers):
        in_period = o.c.created_at > as_of - timedelta(days=tier.period_days)
        spend = sa.case((sa.and_(in_period, o.c.currency == tier.currency), o.c.total), else_=ZERO)
        columns.append(sa.func.sum(spend, type_=Fixed(4)).label(f"s{i}"))
        columns.append(sa.func.sum(sa.case((in_period, 1), else_=0)).label(f"n{i}"))
    return columns


def _orders_in_window(tiers: Sequence[TierView], as_of: datetime) -> sa.ColumnElement[bool]:
    o = table_of(Order)
    longest = max(t.period_days for t in tiers)
    return sa.and_(
        o.c.created_at > as_of - timedelta(days=longest),
        o.c.created_at <= as_of,
        o.c.status.in_(COUNTED_STATUSES),
    )


def tier_standing(
    session: Session, customer_id: uuid.UUID, *, as_of: datetime | None = None
) -> list[TierStanding]:
    """The customer's spend and orders over each tier's period (highest rank first), in
    one statement: why they hold their tier, and how far the next one is."""
    tiers, at = list_tiers(session), as_of or clock.now()
    if not tiers:
        return []
    o = table_of(Order)
    row = session.execute(
        sa.select(*_figures(tiers, at)).where(
            o.c.customer_id == customer_id, _orders_in_window(tiers, at)
        )
    ).one()
    standings = []
    for i, tier in enumerate(tiers):
        spend, orders = Decimal(row[2 * i] or 0), int(row[2 * i + 1] or 0)
        standings.append(TierStanding(tier, spend, orders, tier.qualifies(spend, orders)))
    return standings


def recalculate_tiers(
    uow: UnitOfWork, *, as_of: datetime | None = None, progress: Progress | None = None
) -> TierRun:
    """Give every active customer the highest tier they qualify for on ``as_of``
    (default now); record each change. Idempotent: a second run changes nothing."""
    session, at = uow.session, _as_of(as_of)
    tiers = list_tiers(session)
    run = TierRun(as_of=at)
    c, o = table_of(Customer), table_of(Order)
    if tiers:
        figures = (
            sa.select(o.c.customer_id, *_figures(tiers, at))
            .where(_orders_in_window(tiers, at))
            .group_by(o.c.customer_id)
            .subquery()
        )
        query = (
            sa.select(
                c.c.id,
                c.c.number,
                c.c.tier,
                *(figures.c[f"{k}{i}"] for i in range(len(tiers)) for k in "sn"),
            )
            .outerjoin(figures, figures.c.customer_id == c.c.id)
            .where(
                c.c.merged_into_id.is_(None),
                sa.or_(c.c.tier.is_not(None), figures.c.customer_id.is_not(None)),
            )
        )
    else:
        query = sa.select(c.c.id, c.c.number, c.c.tier).where(
            c.c.merged_into_id.is_(None), c.c.tier.is_not(None)
        )
    rank = {t.code: t.rank for t in tiers}
    changes: list[tuple[Any, str | None, Decimal, int]] = []
    for row in session.execute(query):
        run.evaluated += 1
        new, spend, count = None, ZERO, 0
        for i, tier in enumerate(tiers):  # highest rank first
            s, n = Decimal(row[3 + 2 * i] or 0), int(row[4 + 2 * i] or 0)
            if tier.qualifies(s, n):
                new, spend, count = tier.code, s, n
                break
        if new is None and tiers:
            spend, count = Decimal(row[3] or 0), int(row[4] or 0)
        if new != row.tier:
            changes.append((row, new, spend, count))
    _apply(uow, changes, rank, run, at, progress)
    return run


def _as_of(as_of: datetime | None) -> datetime:
    """``as_of`` in UTC (naive means UTC), from 1900 to a day from now; default now."""
    now = clock.now()
    if as_of is None:
        return now
    try:
        at = clock.as_utc(as_of)
    except OverflowError:  # the first or last day of the calendar with an offset
        at = None
    if at is None or not EARLIEST_AS_OF <= at <= now + timedelta(days=1):
        raise ValidationFailed(
            "as_of must be from 1900-01-01 to a day from now",
            fields=[FieldError("as_of", "from 1900-01-01 to a day from now")],
        )
    return at


def _apply(
    uow: UnitOfWork,
    changes: list[tuple[Any, str | None, Decimal, int]],
    rank: dict[str, int],
    run: TierRun,
    at: datetime,
    progress: Progress | None,
) -> None:
    c = table_of(Customer)
    by_target: dict[str | None, list[uuid.UUID]] = {}
    for row, new, _, _ in changes:
        by_target.setdefault(new, []).append(row.id)
        up = new is not None and (row.tier is None or rank[new] > rank.get(row.tier, -1))
        if up:
            run.upgraded += 1
        else:
            run.downgraded += 1
        run.by_tier[new or ""] = run.by_tier.get(new or "", 0) + 1
    done, total = 0, len(changes)
    if progress:
        progress(0, total)
    for target, ids in by_target.items():
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            uow.session.execute(
                sa.update(c)
                .where(c.c.id.in_(chunk))
                .values(tier=target, tier_since=at if target else None, updated_at=clock.now())
            )
            done += len(chunk)
            if progress:
                progress(done, total)
    history = []
    for row, new, spend, count in changes:
        details = {"from": row.tier, "to": new, "spend": str(spend), "orders": count}
        history.append(
            history_row(uow, row.id, "tier_changed", details | {"as_of": at.isoformat()})
        )
        uow.record(
            CustomerTierChanged(
                aggregate_id=row.id,
                number=row.number,
                from_tier=row.tier,
                to_tier=new,
                spend=str(spend),
                orders=count,
            )
        )
    for start in range(0, len(history), _CHUNK):
        record_history(uow, history[start : start + _CHUNK])
