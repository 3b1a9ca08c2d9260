"""Human document numbers (SO-2026-000123) without a hot row on the placement path.

Each process takes a block of numbers from the ``number_series`` counter row in its
own short transaction and hands them out from memory, so placing an order never
touches the counter. Numbers are unique and increasing per process; they may have gaps
(a block not used up when a process stops). Invoice numbers, which must be gapless,
do not use this (billing issue). See ADR 0003.
"""

from __future__ import annotations

import threading

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from ordersmith.db import Base, table_of


class NumberSeries(Base):
    __tablename__ = "number_series"

    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    next_value: Mapped[int] = mapped_column(sa.BigInteger)


class NumberAllocator:
    def __init__(self, engine: Engine, block_size: int = 20) -> None:
        self._engine = engine
        self._block_size = block_size
        self._blocks: dict[str, tuple[int, int]] = {}  # series -> (next, end exclusive)
        self._lock = threading.Lock()

    def next(self, series: str) -> int:
        with self._lock:
            current, end = self._blocks.get(series, (0, 0))
            if current >= end:
                current, end = self._take_block(series)
            self._blocks[series] = (current + 1, end)
            return current

    def _take_block(self, series: str) -> tuple[int, int]:
        table = table_of(NumberSeries)
        for _ in range(3):
            with self._engine.begin() as conn:
                start = conn.execute(
                    sa.update(table)
                    .where(table.c.name == series)
                    .values(next_value=table.c.next_value + self._block_size)
                    .returning(table.c.next_value - self._block_size)
                ).scalar_one_or_none()
                if start is not None:
                    return int(start), int(start) + self._block_size
            try:
                with self._engine.begin() as conn:
                    conn.execute(
                        sa.insert(table).values(name=series, next_value=1 + self._block_size)
                    )
                return 1, 1 + self._block_size
            except IntegrityError:
                continue  # another process created the series first: take a block from it
        raise RuntimeError(f"could not allocate numbers for series {series}")
