"""Consistency at the end of every run: TPC-C's conditions in Ordersmith terms.

* ``ordersmith check`` (``ordersmith.checks.run_checks``): the stock ledger closes
  (projection = sum of movements), reserved = open reservations, nothing negative or
  over-reserved, only open orders hold reservations, lines agree with reservations,
  order totals = sum of lines;
* every acknowledged order is present, with all its lines (the ids the workload got
  back, Ordersmith's and the raw baseline's);
* orders with an unknown SKU left nothing behind (none of their external_refs exists);
* no unexpected error during the run (a refused good order, a 5xx, a deadlock...);
* invoice/payment balances: not applicable yet (no billing area).

Any violation makes the verdict FAIL and the command exit non-zero.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from ordersmith.checks import run_checks
from ordersmith.db import table_of
from ordersmith.orders.models import Order, OrderLine
from ordersmith.uow import Database

CHUNK = 500


@dataclass
class Verdict:
    checks: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(c["status"] != "FAIL" for c in self.checks.values())

    def add(self, name: str, violations: list[str], *, status: str | None = None) -> None:
        self.checks[name] = {
            "status": status or ("PASS" if not violations else "FAIL"),
            "violations": len(violations),
            "examples": violations[:5],
        }

    def as_dict(self) -> dict[str, Any]:
        return {"verdict": "PASS" if self.passed else "FAIL", "checks": self.checks}


def _chunks(items: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def verify(
    db: Database,
    *,
    acked: dict[uuid.UUID, int],
    bad_refs: Iterable[str],
    errors: dict[str, int],
    error_samples: list[str],
) -> Verdict:
    verdict = Verdict()
    orders, lines = table_of(Order), table_of(OrderLine)
    with db.reader() as session:
        for name, found in run_checks(session).items():
            verdict.add(f"check:{name}", [v.detail for v in found])
        missing: list[str] = []
        ids = list(acked)
        for chunk in _chunks(ids):
            counts: dict[uuid.UUID, int] = dict(
                session.execute(
                    sa.select(lines.c.order_id, sa.func.count())
                    .where(lines.c.order_id.in_(chunk))
                    .group_by(lines.c.order_id)
                ).all()
            )
            present = set(
                session.scalars(sa.select(orders.c.id).where(orders.c.id.in_(chunk))).all()
            )
            for order_id in chunk:
                if order_id not in present:
                    missing.append(f"acknowledged order {order_id} is missing")
                elif counts.get(order_id, 0) != acked[order_id]:
                    missing.append(
                        f"order {order_id}: {counts.get(order_id, 0)} lines, "
                        f"{acked[order_id]} acknowledged"
                    )
        verdict.add("acknowledged_orders_present", missing)
        leftovers: list[str] = []
        for chunk in _chunks(sorted(set(bad_refs))):
            leftovers += [
                f"order {number} with an unknown SKU was written"
                for number in session.scalars(
                    sa.select(orders.c.number).where(orders.c.external_ref.in_(chunk))
                )
            ]
        verdict.add("unknown_sku_orders_left_nothing", leftovers)
    verdict.add("no_unexpected_errors", [f"{n} x {op}" for op, n in errors.items() if n])
    verdict.checks["no_unexpected_errors"]["examples"] += error_samples[:5]
    verdict.checks["invoice_payment_balances"] = {
        "status": "not applicable yet",
        "violations": 0,
        "examples": ["no billing area yet: no invoices or payments to balance"],
    }
    verdict.checks["acknowledged_orders_present"]["checked"] = len(ids)
    return verdict
