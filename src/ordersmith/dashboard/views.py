"""What the dashboard shows: plain frozen dataclasses, one per widget.

A widget the reader may not see is ``None`` on ``Dashboard`` (``dashboard(...,
allowed=...)``); every widget can say where the list behind each of its numbers is
(``link``), as a path with query parameters of the back office's pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Count:
    """One labelled number, e.g. the orders of one channel today."""

    key: str
    count: int
    link: str


@dataclass(frozen=True, slots=True)
class Amount:
    currency: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Backorders:
    orders: int
    lines: int
    units: int
    link: str


@dataclass(frozen=True, slots=True)
class LowStock:
    sku: str
    name: str
    warehouse: str
    on_hand: int
    available: int
    reorder_point: int
    link: str
    """The SKU's stock page (ledger, reservations, inbound)."""


@dataclass(frozen=True, slots=True)
class LowStockWidget:
    count: int
    """(SKU, warehouse) pairs whose available stock is at or below the reorder point."""
    items: list[LowStock]
    """The lowest first, at most ``LOW_STOCK_SHOWN``."""
    link: str = "/inventory?low=1"


@dataclass(frozen=True, slots=True)
class DispatchesDue:
    day: date
    orders: int
    link: str


@dataclass(frozen=True, slots=True)
class OverdueInvoices:
    count: int
    amounts: list[Amount]
    """The open balance per currency."""
    link: str = "/billing?status=overdue"


@dataclass(frozen=True, slots=True)
class PerfectOrderWeek:
    week_start: date
    orders: int
    perfect: int
    rate: Decimal | None
    components: dict[str, Decimal | None]
    """Each component's rate (on_time, in_full, damage_free, documents...)."""


@dataclass(frozen=True, slots=True)
class SalesWeek:
    week_start: date
    orders: int
    amounts: list[Amount]
    link: str


@dataclass(frozen=True, slots=True)
class Dashboard:
    today: date
    orders_today: list[Count] | None = None
    open_orders: list[Count] | None = None
    on_hold: list[Count] | None = None
    backorders: Backorders | None = None
    low_stock: LowStockWidget | None = None
    dispatches_due: DispatchesDue | None = None
    overdue_invoices: OverdueInvoices | None = None
    perfect_order: list[PerfectOrderWeek] | None = None
    sales_trend: list[SalesWeek] | None = None
