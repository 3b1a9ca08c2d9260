"""Customers and addresses with sensible defaults, made through the real services."""

from __future__ import annotations

import itertools
from typing import Any

from ordersmith.customers.merge import MergeView, merge_customers
from ordersmith.customers.queries import CustomerView
from ordersmith.customers.services import AddressInput, create_customer
from ordersmith.customers.tiers import TierRun, TierView, recalculate_tiers, save_tier
from ordersmith.uow import Database, UnitOfWork

_numbers = itertools.count(1)


def make_customer(uow: UnitOfWork, **overrides: Any) -> CustomerView:
    """A cash retail customer with a unique email.

    It takes a customer number, so on SQLite call it before anything else in its unit
    of work (see UnitOfWork.next_number)."""
    n = next(_numbers)
    fields: dict[str, Any] = {
        "name": f"Customer {n}",
        "email": f"customer{n}@example.com",
        "account_type": "cash",
    }
    return create_customer(uow, **{**fields, **overrides})


def make_address(**overrides: Any) -> AddressInput:
    """A shipping address in Berlin (not asked to be the default)."""
    fields: dict[str, Any] = {
        "kind": "shipping",
        "name": "Goods in",
        "line1": "1 Example Street",
        "city": "Berlin",
        "postcode": "10115",
        "country": "DE",
    }
    return AddressInput(**{**fields, **overrides})


def make_tier(uow: UnitOfWork, code: str, **overrides: Any) -> TierView:
    """A loyalty tier over the last 365 days; pass ``rank`` and a threshold."""
    fields: dict[str, Any] = {"name": code.title(), "period_days": 365}
    return save_tier(uow, code=code, **{**fields, **overrides})


def merge(
    db: Database, survivor_id: Any, duplicate_id: Any, reason: str = "same person"
) -> MergeView:
    with db.unit_of_work(actor="user:sam") as uow:
        return merge_customers(
            uow, survivor_id=survivor_id, duplicate_id=duplicate_id, reason=reason
        )


def recalc(db: Database, **kw: Any) -> TierRun:
    with db.unit_of_work(actor="user:sam") as uow:
        return recalculate_tiers(uow, **kw)
