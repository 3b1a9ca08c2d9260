"""The replenishment rules, pure (no database): which levels apply to a (warehouse, SKU),
whether it needs stock, how much, from a supplier or from another warehouse, and the
numbers and the sentence that explain it.

    projected position = available - backordered + on order + on draft orders
                         + in transit + on draft transfers in
    needs stock        when projected position <= reorder level
    need               = order-up-to level - projected position
    purchase quantity  = need raised to the supplier's minimum order quantity, then up
                         to a multiple of its pack                    (never rounded down)
    surplus elsewhere  = available - backordered - committed out - its order-up-to level
    transfer           when another warehouse's surplus covers the whole need (the
                         largest surplus wins; ties by warehouse code); quantity = need

The levels (``resolve_target``): a ``min_max`` policy's min and max; a ``forecast``
policy's latest forecast reorder point and order-up-to level; without either (no
forecast yet, or pairs without a policy under the ``min_max`` default) min = the stock
level's reorder point and max = ``fallback multiple`` x it. ``manual`` is never
suggested.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ordersmith.config import ReplenishmentDefault
from ordersmith.replenishment.models import PolicyKind, RequestKind

FORECAST, MIN_MAX, REORDER_POINT = "forecast", "min_max", "reorder_point"
"""The basis of a target's levels."""


@dataclass(frozen=True, slots=True)
class PolicyRule:
    """A (warehouse, SKU)'s own policy row."""

    kind: PolicyKind
    min_quantity: int | None = None
    max_quantity: int | None = None


@dataclass(frozen=True, slots=True)
class Forecast:
    """The buffer of the newest forecast of the pair (forecasting.queries.latest_buffers)."""

    run_id: uuid.UUID
    reorder_point: int
    order_up_to: int
    lead_time_days: int


@dataclass(frozen=True, slots=True)
class Target:
    """The levels a pair is replenished to."""

    policy: PolicyKind
    origin: str
    """``policy`` (the pair's own) or ``default`` (the setting)."""
    basis: str
    reorder_at: int
    order_up_to: int
    forecast: Forecast | None = None
    note: str = ""

    @property
    def knows_level(self) -> bool:
        """Whether the order-up-to level means something (surplus is what lies above it):
        a reorder point of 0 with no forecast and no policy says nothing about it."""
        return self.basis != REORDER_POINT or self.reorder_at > 0

    def numbers(self) -> dict[str, Any]:
        out: dict[str, Any] = {"policy": self.policy.value, "policy_origin": self.origin}
        out["basis"] = self.basis
        if self.forecast is not None:
            out["reorder_point"], out["order_up_to"] = self.reorder_at, self.order_up_to
            out["forecast_run_id"] = str(self.forecast.run_id)
            out["lead_time_days"] = self.forecast.lead_time_days
        else:
            out["min"], out["max"] = self.reorder_at, self.order_up_to
        if self.note:
            out["note"] = self.note
        return out


def resolve_target(
    rule: PolicyRule | None,
    default: ReplenishmentDefault,
    forecast: Forecast | None,
    reorder_point: int,
    fallback_multiple: int,
) -> Target | None:
    """The levels of a pair, or None when it is replenished by hand only."""
    kind = rule.kind if rule is not None else PolicyKind(default.value)
    origin = "policy" if rule is not None else "default"
    if kind is PolicyKind.MANUAL:
        return None
    if kind is PolicyKind.MIN_MAX and rule is not None:
        assert rule.min_quantity is not None
        assert rule.max_quantity is not None
        return Target(kind, origin, MIN_MAX, rule.min_quantity, rule.max_quantity)
    if kind is PolicyKind.FORECAST and forecast is not None:
        return Target(
            kind, origin, FORECAST, forecast.reorder_point, forecast.order_up_to, forecast
        )
    why = "no completed forecast yet" if kind is PolicyKind.FORECAST else "the default min/max"
    note = (
        f"{why}: min is the stock level's reorder point {reorder_point}, "
        f"max {fallback_multiple} x it"
    )
    return Target(
        kind, origin, REORDER_POINT, reorder_point, reorder_point * fallback_multiple, note=note
    )


@dataclass(frozen=True, slots=True)
class Stock:
    """A pair's stock and what is coming (the projected position's parts)."""

    available: int = 0
    backordered: int = 0
    on_order: int = 0
    on_draft_orders: int = 0
    in_transit: int = 0
    in_draft_transfers: int = 0

    @property
    def position(self) -> int:
        return (
            self.available
            - self.backordered
            + self.on_order
            + self.on_draft_orders
            + self.in_transit
            + self.in_draft_transfers
        )

    def breakdown(self) -> str:
        parts = [f"available {self.available}", f"- backordered {self.backordered}"]
        parts += [f"+ on order {self.on_order}"]
        if self.on_draft_orders:
            parts.append(f"+ on draft orders {self.on_draft_orders}")
        parts.append(f"+ in transit {self.in_transit}")
        if self.in_draft_transfers:
            parts.append(f"+ on draft transfers {self.in_draft_transfers}")
        return " ".join(parts)

    def numbers(self) -> dict[str, Any]:
        return {
            "available": self.available,
            "backordered": self.backordered,
            "on_order": self.on_order,
            "on_draft_orders": self.on_draft_orders,
            "in_transit": self.in_transit,
            "in_draft_transfers": self.in_draft_transfers,
            "projected_position": self.position,
        }


@dataclass(frozen=True, slots=True)
class SupplierOption:
    """The preferred (active) supplier of a product and its order rules."""

    supplier_id: uuid.UUID
    code: str
    lead_time_days: int
    min_order_quantity: int
    pack_multiple: int

    def round(self, need: int) -> int:
        """``need`` raised to the minimum order quantity, then up to a whole pack."""
        quantity = max(need, self.min_order_quantity)
        return -(-quantity // self.pack_multiple) * self.pack_multiple

    def rounding(self, need: int) -> str:
        quantity = self.round(need)
        if quantity == need:
            return f"{need} meets its order rules"
        return (
            f"{need} rounded up to {quantity}: it sells from {self.min_order_quantity} "
            f"in packs of {self.pack_multiple}"
        )

    def numbers(self, need: int) -> dict[str, Any]:
        return {
            "supplier_id": str(self.supplier_id),
            "supplier": self.code,
            "lead_time_days": self.lead_time_days,
            "min_order_quantity": self.min_order_quantity,
            "pack_multiple": self.pack_multiple,
            "quantity": self.round(need),
            "rounding": self.rounding(need),
        }


@dataclass(frozen=True, slots=True)
class Source:
    """Another warehouse that holds the product, and how much it can spare."""

    warehouse_id: uuid.UUID
    code: str
    available: int
    backordered: int
    committed_out: int
    """Already promised away: on draft transfers and on other open transfer requests."""
    order_up_to: int

    @property
    def surplus(self) -> int:
        return self.available - self.backordered - self.committed_out - self.order_up_to

    def numbers(self, need: int) -> dict[str, Any]:
        return {
            "source_warehouse_id": str(self.warehouse_id),
            "source_warehouse": self.code,
            "source_available": self.available,
            "source_backordered": self.backordered,
            "source_committed_out": self.committed_out,
            "source_order_up_to": self.order_up_to,
            "surplus": self.surplus,
            "quantity": need,
        }


def pick_source(sources: Iterable[Source], need: int) -> Source | None:
    """The warehouse whose surplus covers ``need``: the largest surplus, then by code."""
    covering = [s for s in sources if s.surplus >= need > 0]
    return min(covering, key=lambda s: (-s.surplus, s.code), default=None)


@dataclass(frozen=True, slots=True)
class Suggestion:
    kind: RequestKind
    quantity: int
    supplier_id: uuid.UUID | None
    source_warehouse_id: uuid.UUID | None
    numbers: dict[str, Any]
    explanation: str


def need_of(stock: Stock, target: Target) -> int:
    """Units to order now: up to the order-up-to level once at or below the reorder level."""
    if stock.position > target.reorder_at:
        return 0
    return max(0, target.order_up_to - stock.position)


_TRIGGER = {MIN_MAX: "its min", FORECAST: "the forecast reorder point", REORDER_POINT: "its min"}
_LEVEL = {MIN_MAX: "its max", FORECAST: "the order-up-to level", REORDER_POINT: "its max"}


def suggest(
    warehouse: str,
    stock: Stock,
    target: Target,
    supplier: SupplierOption | None,
    source: Source | None,
) -> Suggestion | None:
    """What to do for one pair, or None when it needs nothing. ``source`` is only used
    when its surplus covers the whole need (see ``pick_source``)."""
    need = need_of(stock, target)
    if need <= 0:
        return None
    numbers = {**target.numbers(), **stock.numbers(), "need": need}
    numbers["purchase"] = supplier.numbers(need) if supplier else None
    use_source = source is not None and source.surplus >= need
    numbers["transfer"] = source.numbers(need) if source is not None and use_source else None
    opening = (
        f"{warehouse} projects {stock.position} ({stock.breakdown()}), at or below "
        f"{_TRIGGER[target.basis]} {target.reorder_at}, so {need} are needed to reach "
        f"{_LEVEL[target.basis]} {target.order_up_to}"
    )
    if source is not None and use_source:
        instead = (
            f"instead of buying {supplier.round(need)} from {supplier.code}"
            if supplier
            else "there is no preferred supplier to buy from"
        )
        text = (
            f"{opening}: transfer them from {source.code}, which has {source.surplus} above "
            f"its own level ({instead})."
        )
        return Suggestion(RequestKind.TRANSFER, need, None, source.warehouse_id, numbers, text)
    buying = (
        f"buy {supplier.round(need)} from {supplier.code} ({supplier.rounding(need)})"
        if supplier
        else "there is no preferred supplier: choose one before ordering"
    )
    text = f"{opening}: {buying}." if supplier else f"{opening}; {buying}."
    quantity = supplier.round(need) if supplier else need
    supplier_id = supplier.supplier_id if supplier else None
    return Suggestion(RequestKind.PURCHASE, quantity, supplier_id, None, numbers, text)
