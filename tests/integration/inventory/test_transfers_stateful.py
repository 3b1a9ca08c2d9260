"""Stock transfers as a state machine: any sequence of receipts, transfers created (and
maybe dispatched at once), dispatched, received in parts and cancelled keeps every
warehouse's stock and the stock on the way equal to a simple model, and `check` clean.

SQLite only, like tests/integration/inventory/test_ledger_stateful.py (a fresh database
per sequence is a file copy); the same services run on PostgreSQL in test_transfers.py.
"""

from __future__ import annotations

import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from ordersmith.checks import run_checks
from ordersmith.errors import InvalidTransition
from ordersmith.inventory.errors import InsufficientStock, ReceiptExceedsOutstanding
from ordersmith.inventory.queries import stock_levels
from ordersmith.inventory.services import receive_stock
from ordersmith.inventory.transfer_queries import in_transit
from ordersmith.inventory.transfer_receipts import cancel_transfer, receive_transfer
from ordersmith.inventory.transfer_status import TransferStatus
from ordersmith.inventory.transfers import create_transfer, dispatch_transfer
from ordersmith.uow import Database
from tests.conftest import make_settings
from tests.factories.catalog import make_product
from tests.factories.inventory import make_warehouse
from tests.factories.transfers import lines_of

WAREHOUSES = ["NORTH", "SOUTH", "WEST"]
SKUS = ["BOLT", "NUT"]
Key = tuple[str, str]  # (warehouse code, sku)


@dataclass
class Transfer:
    id: uuid.UUID
    source: str
    destination: str
    lines: dict[str, int]
    status: TransferStatus = TransferStatus.DRAFT
    received: dict[str, int] = field(default_factory=dict)

    def outstanding(self, sku: str) -> int:
        """Units on the way (only while the transfer is open)."""
        if self.status not in (TransferStatus.IN_TRANSIT, TransferStatus.PARTIALLY_RECEIVED):
            return 0
        return self.lines[sku] - self.received.get(sku, 0)


def make_machine(template: Path, folder: Path) -> type[RuleBasedStateMachine]:
    class TransferMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            path = folder / f"{uuid.uuid4().hex}.db"
            shutil.copy(template, path)
            self.db = Database.connect(make_settings(folder, f"sqlite:///{path}"))
            with self.db.unit_of_work(actor="test") as uow:
                for code in WAREHOUSES:
                    make_warehouse(uow, code=code)
                for sku in SKUS:
                    make_product(uow, sku=sku)
            self.on_hand: dict[Key, int] = {}
            self.transfers: list[Transfer] = []

        def teardown(self) -> None:
            self.db.dispose()

        def _pick(self, index: int, *statuses: TransferStatus) -> Transfer | None:
            wanted = [t for t in self.transfers if t.status in statuses]
            return wanted[index % len(wanted)] if wanted else None

        @rule(warehouse=st.sampled_from(WAREHOUSES), sku=st.sampled_from(SKUS), q=st.integers(1, 9))
        def receive_stock(self, warehouse: str, sku: str, q: int) -> None:
            with self.db.unit_of_work(actor="test") as uow:
                receive_stock(uow, warehouse=warehouse, sku=sku, quantity=q)
            self.on_hand[(warehouse, sku)] = self.on_hand.get((warehouse, sku), 0) + q

        @rule(
            ends=st.permutations(WAREHOUSES).map(lambda w: (w[0], w[1])),
            lines=st.dictionaries(st.sampled_from(SKUS), st.integers(1, 8), min_size=1),
            at_once=st.booleans(),
        )
        def create(self, ends: tuple[str, str], lines: dict[str, int], at_once: bool) -> None:
            source, destination = ends
            try:
                with self.db.unit_of_work(actor="test") as uow:
                    view = create_transfer(
                        uow,
                        from_warehouse=source,
                        to_warehouse=destination,
                        lines=lines_of(*lines.items()),
                        dispatch=at_once,
                    )
            except InsufficientStock:
                event("create and dispatch: short")
                assert any(q > self.on_hand.get((source, s), 0) for s, q in lines.items())
                return
            transfer = Transfer(view.id, source, destination, dict(lines))
            self.transfers.append(transfer)
            if at_once:
                self._shipped(transfer)

        def _shipped(self, transfer: Transfer) -> None:
            transfer.status = TransferStatus.IN_TRANSIT
            for sku, q in transfer.lines.items():
                self.on_hand[(transfer.source, sku)] -= q

        @precondition(lambda self: any(t.status is TransferStatus.DRAFT for t in self.transfers))
        @rule(index=st.integers(0, 50))
        def dispatch(self, index: int) -> None:
            transfer = self._pick(index, TransferStatus.DRAFT)
            assert transfer is not None
            short = any(
                q > self.on_hand.get((transfer.source, s), 0) for s, q in transfer.lines.items()
            )
            try:
                with self.db.unit_of_work(actor="test") as uow:
                    dispatch_transfer(uow, transfer_id=transfer.id)
            except InsufficientStock:
                event("dispatch: short")
                assert short
                return
            assert not short
            self._shipped(transfer)

        @precondition(lambda self: any(t.outstanding(s) for t in self.transfers for s in t.lines))
        @rule(index=st.integers(0, 50), share=st.integers(0, 10), everything=st.booleans())
        def receive(self, index: int, share: int, everything: bool) -> None:
            transfer = self._pick(
                index, TransferStatus.IN_TRANSIT, TransferStatus.PARTIALLY_RECEIVED
            )
            assert transfer is not None
            wanted = {s: transfer.outstanding(s) for s in transfer.lines}
            if not everything:  # part of one line, sometimes more than is on the way
                sku = sorted(transfer.lines)[share % len(transfer.lines)]
                wanted = {sku: max(1, wanted[sku] * share // 8)}
            try:
                with self.db.unit_of_work(actor="test") as uow:
                    view = receive_transfer(
                        uow,
                        transfer_id=transfer.id,
                        lines=None if everything else lines_of(*wanted.items()),
                    )
            except ReceiptExceedsOutstanding:
                event("receive: too many")
                assert any(q > transfer.outstanding(s) for s, q in wanted.items())
                return
            for sku, q in wanted.items():
                transfer.received[sku] = transfer.received.get(sku, 0) + q
                key = (transfer.destination, sku)
                self.on_hand[key] = self.on_hand.get(key, 0) + q
            done = not any(transfer.outstanding(s) for s in transfer.lines)
            transfer.status = TransferStatus.RECEIVED if done else TransferStatus.PARTIALLY_RECEIVED
            assert view.status is transfer.status

        @precondition(lambda self: bool(self.transfers))
        @rule(index=st.integers(0, 50))
        def cancel(self, index: int) -> None:
            transfer = self.transfers[index % len(self.transfers)]
            cancellable = transfer.status in (TransferStatus.DRAFT, TransferStatus.IN_TRANSIT)
            try:
                with self.db.unit_of_work(actor="test") as uow:
                    cancel_transfer(uow, transfer_id=transfer.id, reason="test")
            except InvalidTransition:
                event("cancel: refused")
                assert not cancellable
                return
            assert cancellable
            for sku in transfer.lines:  # goods in transit go back where they came from
                key = (transfer.source, sku)
                self.on_hand[key] = self.on_hand.get(key, 0) + transfer.outstanding(sku)
            transfer.status = TransferStatus.CANCELLED

        @invariant()
        def stock_and_stock_on_the_way_equal_the_model(self) -> None:
            with self.db.reader() as session:
                stored = {(r.warehouse, r.sku): r.on_hand for r in stock_levels(session, limit=99)}
                moving = {(r.warehouse, r.sku): r.quantity for r in in_transit(session)}
            expected: dict[Key, int] = {}
            for t in self.transfers:
                for sku in t.lines:
                    key = (t.destination, sku)
                    expected[key] = expected.get(key, 0) + t.outstanding(sku)
            assert {k: v for k, v in stored.items() if v} == {
                k: v for k, v in self.on_hand.items() if v
            }
            assert moving == {k: v for k, v in expected.items() if v}

        @invariant()
        def ordersmith_check_is_clean(self) -> None:
            with self.db.reader() as session:
                found = {name: v for name, v in run_checks(session).items() if v}
            assert found == {}

    return TransferMachine


@pytest.mark.slow
def test_any_sequence_of_transfer_operations_keeps_stock_on_hand_and_in_transit_exact(
    sqlite_template: Path, tmp_path: Path
) -> None:
    # given a fresh SQLite shop per sequence; when hypothesis runs the operations in any
    # order; then after every step stock and stock on the way equal the model
    run_state_machine_as_test(
        make_machine(sqlite_template, tmp_path),
        settings=settings(
            max_examples=15,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
