"""Customers and addresses with sensible defaults, made through the real services."""

from __future__ import annotations

import itertools
from typing import Any

from ordersmith.customers.queries import CustomerView
from ordersmith.customers.services import AddressInput, create_customer
from ordersmith.uow import UnitOfWork

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
