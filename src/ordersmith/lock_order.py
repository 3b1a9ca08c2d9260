"""Gapless counters after every row lock: the lock order's last rule, checked (ADR 0034).

A unit of work takes its row locks in one order: stock rows in (warehouse, product)
order (ADR 0002); billing's shipment, orders, customer, invoices and payments (ADR
0013). The gapless document counters (``billing.numbering``: ``PAY``, ``INV``, ``RCT``,
``CN``, then ``JE`` at commit) come after all of them, in that fixed order of series.
A counter row is hot and held to commit: a unit of work that held one while it waited
for a stock row closed a cycle with any dispatch holding that row and waiting, directly
or through a third unit of work, for the counter. On PostgreSQL that is a deadlock, and
an ordinary payment or dispatch refused.

``counter_taken`` notes on the unit of work's session (one transaction per session)
which counter it holds, refusing one that comes earlier in the order; the stock
ledger's locking functions call ``refuse_stock_lock`` first. A violation is a bug in
the calling code (``LockOrderViolation``, a 500). It is raised on SQLite too, so every
test of every path checks the rule, not only a lucky race on PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

_HELD = "ordersmith.gapless_counter_held"


class LockOrderViolation(RuntimeError):
    """A lock asked for out of the lock order: a bug, never the user's input."""


def counter_taken(session: Session, series: str, rank: tuple[int, int]) -> None:
    """Note that the transaction takes ``series``' counter; ``rank`` is its place in the
    fixed order of series. LockOrderViolation if it holds one that comes later."""
    held: tuple[tuple[int, int], str] | None = session.info.get(_HELD)
    if held is not None and rank < held[0]:
        raise LockOrderViolation(
            f"the {series} counter was asked for while {held[1]} is held: take gapless "
            "numbers in the fixed order of series (ADR 0034)"
        )
    if held is None or rank > held[0]:
        session.info[_HELD] = (rank, series)


def refuse_stock_lock(session: Session) -> None:
    """LockOrderViolation if the transaction holds a gapless counter: stock rows are
    locked before any counter is taken, never after."""
    held: tuple[tuple[int, int], str] | None = session.info.get(_HELD)
    if held is not None:
        raise LockOrderViolation(
            f"a stock row lock was asked for while the {held[1]} counter is held: take "
            "gapless numbers after every row lock of the unit of work (ADR 0034)"
        )
