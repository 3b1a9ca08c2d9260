"""Who pays how in the demo, and which customers and orders the billing story picks."""

from __future__ import annotations

import random
import uuid
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest

from ordersmith.billing.models import PaymentMethod
from ordersmith.demo.billing import (
    Account,
    end_of_next_month,
    habit_of,
    last_weekday_of_month,
    weekday_from,
)
from ordersmith.demo.billing_story import ROLES, cast, invoice_day

LAST_DAY = date(2026, 11, 27)  # a Friday
FIRST_DAY = LAST_DAY - timedelta(days=41)


def _accounts(count: int, terms: int = 30) -> list[Account]:
    return [Account(uuid.UUID(int=i + 1), f"CUST-{i + 1:06d}", terms) for i in range(count)]


def _daily_orders(accounts: list[Account], days: int = 170):
    """An order a day for every customer, the biggest on even days."""
    return {
        a.id: [
            (
                LAST_DAY - timedelta(days=d),
                Decimal(100 + (d % 2) * 50),
                f"SO-{a.number}-{d:03d}",
                uuid.uuid4(),
            )
            for d in range(days, 0, -1)
        ]
        for a in accounts
    }


def test_the_same_customer_number_always_pays_the_same_way():
    # when
    first = [habit_of(42, f"CUST-{n:06d}") for n in range(1, 200)]
    again = [habit_of(42, f"CUST-{n:06d}") for n in range(1, 200)]
    # then
    assert first == again


def test_most_customers_pay_by_transfer_before_the_due_date():
    # when
    habits = [habit_of(42, f"CUST-{n:06d}") for n in range(1, 1001)]
    methods = Counter(h.method for h in habits)
    late = sum(1 for h in habits if not h.monthly and h.delay > 0)
    # then
    assert methods[PaymentMethod.BANK_TRANSFER] > 3 * methods[PaymentMethod.CHEQUE] > 0
    assert 0 < late < 200
    assert 200 < sum(h.monthly for h in habits) < 400


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 3), date(2026, 11, 30)),  # a Monday
        (date(2026, 10, 1), date(2026, 10, 30)),  # the 31st is a Saturday
        (date(2026, 5, 20), date(2026, 5, 29)),  # the 30th and 31st are a weekend
    ],
)
def test_the_payment_run_is_on_the_last_weekday_of_the_month(day, expected):
    # when
    run = last_weekday_of_month(day)
    # then
    assert run == expected


def test_a_payment_run_pays_what_falls_due_before_the_next_one():
    # when
    until = [end_of_next_month(date(2026, 1, 30)), end_of_next_month(date(2026, 12, 31))]
    # then
    assert until == [date(2026, 2, 28), date(2027, 1, 31)]


def test_an_invoice_day_is_a_weekday_its_terms_and_days_overdue_before_the_last_day():
    # when
    days = [invoice_day(LAST_DAY, terms, overdue) for terms in (30, 60) for overdue in (45, 5)]
    # then
    assert all(day.weekday() < 5 for day in days)
    assert days[0] == weekday_from(LAST_DAY - timedelta(days=75))
    assert all(
        (LAST_DAY - day).days <= terms + overdue
        for day, (terms, overdue) in zip(days, [(30, 45), (30, 5), (60, 45), (60, 5)], strict=True)
    )


def test_every_role_gets_its_own_customer_and_every_invoice_its_own_order():
    # given
    accounts = _accounts(12)
    orders = _daily_orders(accounts)
    # when
    casts = cast(random.Random(1), accounts, orders, FIRST_DAY, LAST_DAY)
    # then
    assert [c.role.name for c in casts] == [r.name for r in ROLES]
    assert len({c.account.id for c in casts}) == len(ROLES)
    picked = [o for c in casts for o in c.orders if o is not None]
    assert len({order_id for _day, order_id in picked}) == len(picked)
    assert all(day < FIRST_DAY for day, _order in picked)


def test_an_invoice_takes_the_biggest_order_of_the_week_before_its_day():
    # given
    accounts = _accounts(6)
    orders = _daily_orders(accounts)
    # when
    casts = cast(random.Random(2), accounts, orders, FIRST_DAY, LAST_DAY)
    # then
    assert sum(o is not None for c in casts for o in c.orders) >= 14
    for c in casts:
        mine = {order_id: (day, total) for day, total, _n, order_id in orders[c.account.id]}
        for found in filter(None, c.orders):
            day, order_id = found
            ordered, total = mine[order_id]
            assert day - timedelta(days=7) <= ordered < day
            assert total == Decimal(150)


def test_customers_with_the_preferred_terms_are_cast_first():
    # given
    accounts = _accounts(6, terms=30) + [
        Account(uuid.UUID(int=100 + i), f"CUST-{100 + i:06d}", 60) for i in range(3)
    ]
    orders = _daily_orders(accounts, days=200)
    # when
    casts = {c.role.name: c for c in cast(random.Random(3), accounts, orders, FIRST_DAY, LAST_DAY)}
    # then
    assert casts["cheque"].account.terms == 60
    assert casts["arrears"].account.terms == 30


def test_invoices_the_history_is_too_short_for_are_left_out():
    # given: a month of history
    accounts = _accounts(8)
    orders = _daily_orders(accounts, days=60)
    # when
    casts = cast(random.Random(4), accounts, orders, FIRST_DAY, LAST_DAY)
    # then
    found = [o for c in casts for o in c.orders if o is not None]
    assert found
    assert all(day > LAST_DAY - timedelta(days=68) for day, _order in found)
    assert any(o is None for c in casts for o in c.orders)


def test_without_account_customers_nobody_is_cast():
    # when
    casts = cast(random.Random(5), [], {}, FIRST_DAY, LAST_DAY)
    # then
    assert casts == []
