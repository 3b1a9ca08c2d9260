"""Gapless counters come after every row lock, in one order of series (ADR 0034).

The rule is checked on both databases, so a path that breaks it fails every test that
runs it, not only a race on PostgreSQL: a stock row locked while a counter is held, or
a counter taken after one that comes later in the order, is refused as a bug.
"""

from __future__ import annotations

import pytest

from ordersmith import clock
from ordersmith.billing.numbering import (
    CREDIT_NOTE_PREFIX,
    INVOICE_PREFIX,
    PAYMENT_PREFIX,
    RECEIPT_PREFIX,
    next_document_number,
)
from ordersmith.inventory.queries import stock_levels
from ordersmith.inventory.services import receive_stock
from ordersmith.lock_order import LockOrderViolation
from ordersmith.uow import Database
from tests.integration.conftest import Shop

YEAR = clock.today().year


def _next_invoice_number(db: Database) -> str:
    with db.unit_of_work(actor="test") as uow:
        return next_document_number(uow, INVOICE_PREFIX, YEAR)[1]


def _numbers_then_stock(db: Database) -> None:
    with db.unit_of_work(actor="test") as uow:
        next_document_number(uow, INVOICE_PREFIX, YEAR)
        receive_stock(uow, warehouse="MAIN", sku="A-1", quantity=1, reference="late")


def _numbers(db: Database, *prefixes: str) -> list[str]:
    with db.unit_of_work(actor="test") as uow:
        return [next_document_number(uow, prefix, YEAR)[1] for prefix in prefixes]


def test_stock_is_never_locked_while_a_gapless_counter_is_held(shop: Shop) -> None:
    # given / when a unit of work takes an invoice number, then asks for a stock row
    with pytest.raises(LockOrderViolation):
        _numbers_then_stock(shop.db)
    # then it is refused as a bug and rolled back whole: no stock, the number is free
    with shop.db.reader() as session:
        assert [level.on_hand for level in stock_levels(session, sku="A-1")] in ([], [0])
    assert _numbers(shop.db, INVOICE_PREFIX) == [f"INV-{YEAR}-000001"]


def test_gapless_counters_are_taken_in_one_order_of_series(db: Database) -> None:
    # given / when a unit of work holding a receipt number asks for a payment number
    with pytest.raises(LockOrderViolation):
        _numbers(db, RECEIPT_PREFIX, PAYMENT_PREFIX)
    # then it is refused; in the order (and a series again) the numbers are given
    numbers = _numbers(db, PAYMENT_PREFIX, RECEIPT_PREFIX, CREDIT_NOTE_PREFIX, CREDIT_NOTE_PREFIX)
    assert numbers == [
        f"PAY-{YEAR}-000001",
        f"RCT-{YEAR}-000001",
        f"CN-{YEAR}-000001",
        f"CN-{YEAR}-000002",
    ]
