"""Everything the rules need about many (warehouse, SKU) pairs, read set-based.

``read_snapshot`` reads, for every active stocked product (or some products) at every
active warehouse where it has a stock level, a policy, a forecast or an open request: the
stock level and its reorder point, the position's parts (``forecasting.supply``:
backordered, on order, in transit; purchasing's draft orders; inventory's draft
transfers), the policy, the newest forecast's buffer, the preferred supplier's order
rules and the open or approved requests. A fixed number of statements per 500 products,
never one per pair; the rules then run in memory (``rules``).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.catalog.models import Product
from ordersmith.catalog.status import ProductStatus
from ordersmith.config import Settings
from ordersmith.db import table_of
from ordersmith.forecasting.queries import latest_buffers
from ordersmith.forecasting.supply import stock_positions
from ordersmith.inventory.models import StockLevel, Warehouse
from ordersmith.inventory.transfer_queries import draft_transfer_units
from ordersmith.purchasing.queries import list_suppliers, on_order, supplier_products
from ordersmith.replenishment.models import (
    PolicyKind,
    ReplenishmentPolicy,
    ReplenishmentRequest,
    RequestKind,
    RequestReason,
)
from ordersmith.replenishment.rules import (
    Forecast,
    PolicyRule,
    Source,
    Stock,
    SupplierOption,
    Target,
    resolve_target,
)
from ordersmith.replenishment.status import ACTIVE_STATUSES, RequestStatus

Key = tuple[uuid.UUID, uuid.UUID]  # (warehouse_id, product_id)
_IN_CHUNK = 500
_RQ, _POL = table_of(ReplenishmentRequest), table_of(ReplenishmentPolicy)


@dataclass(frozen=True, slots=True)
class Pair:
    warehouse_id: uuid.UUID
    product_id: uuid.UUID
    warehouse: str
    sku: str
    reorder_point: int
    stock: Stock
    target: Target | None
    """None: replenished by hand only (a manual policy)."""


@dataclass(frozen=True, slots=True)
class ActiveRequest:
    id: uuid.UUID
    status: RequestStatus
    kind: RequestKind
    reason: RequestReason
    supplier_id: uuid.UUID | None
    source_warehouse_id: uuid.UUID | None
    suggested_quantity: int
    quantity: int | None
    edited_at: datetime | None

    @property
    def order_quantity(self) -> int:
        return self.quantity if self.quantity is not None else self.suggested_quantity


@dataclass
class Snapshot:
    pairs: dict[Key, Pair]
    suppliers: dict[uuid.UUID, SupplierOption]
    """The preferred active supplier by product."""
    requests: dict[Key, ActiveRequest]
    draft_out: dict[Key, int] = field(default_factory=dict)
    """Units on draft transfers out of (warehouse, product)."""
    _warehouses_of: dict[uuid.UUID, list[uuid.UUID]] = field(default_factory=dict)
    _transfers_of: dict[uuid.UUID, list[tuple[uuid.UUID, ActiveRequest]]] = field(
        default_factory=dict
    )

    def __post_init__(self) -> None:
        for warehouse_id, product_id in self.pairs:
            self._warehouses_of.setdefault(product_id, []).append(warehouse_id)
        for (to, product_id), request in self.requests.items():
            if request.kind is RequestKind.TRANSFER:
                self._transfers_of.setdefault(product_id, []).append((to, request))

    def ordered_keys(self) -> list[Key]:
        """Every pair, by SKU then warehouse code."""
        return sorted(self.pairs, key=lambda k: (self.pairs[k].sku, self.pairs[k].warehouse))

    def sources_for(self, key: Key) -> list[Source]:
        """The other warehouses holding the product whose own level is known, with what
        they already promised to other warehouses (draft transfers, transfer requests)."""
        warehouse_id, product_id = key
        out = []
        for other in self._warehouses_of.get(product_id, ()):
            pair = self.pairs[(other, product_id)]
            if other == warehouse_id or pair.target is None or not pair.target.knows_level:
                continue
            committed = self.draft_out.get((other, product_id), 0) + sum(
                r.order_quantity
                for to, r in self._transfers_of.get(product_id, ())
                if to != warehouse_id and r.source_warehouse_id == other
            )
            out.append(
                Source(
                    other,
                    pair.warehouse,
                    pair.stock.available,
                    pair.stock.backordered,
                    committed,
                    pair.target.order_up_to,
                )
            )
        return out


def _chunks(ids: Collection[uuid.UUID] | None) -> Iterator[list[uuid.UUID] | None]:
    """Product ids 500 at a time; None (every product) once."""
    if ids is None:
        yield None
        return
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), _IN_CHUNK):
        yield ordered[start : start + _IN_CHUNK]


def _in(column: Any, chunk: list[uuid.UUID] | None) -> Any:
    return sa.true() if chunk is None else column.in_(chunk)


def read_snapshot(
    session: Session,
    settings: Settings,
    product_ids: Collection[uuid.UUID] | None = None,
    *,
    lock: bool = False,
) -> Snapshot:
    """Every pair of the products (None: all active stocked products) at active warehouses
    that has a stock level, a policy, a forecast or an active request. ``lock``: the active
    requests' rows are locked (PostgreSQL ``FOR UPDATE``) for the caller to change."""
    warehouses = {
        row.id: row.code
        for row in session.execute(
            sa.select(table_of(Warehouse).c.id, table_of(Warehouse).c.code).where(
                table_of(Warehouse).c.active.is_(True)
            )
        )
    }
    skus, levels, rules, requests = _reads(session, product_ids, lock)
    forecasts: dict[Key, Forecast] = {}
    for chunk in _chunks(product_ids):
        for key, b in latest_buffers(session, product_ids=chunk).items():
            forecasts[key] = Forecast(b.run_id, b.reorder_point, b.order_up_to, b.lead_time_days)
    keys = {
        key
        for key in (*levels, *rules, *forecasts, *requests)
        if key[0] in warehouses and key[1] in skus
    }
    positions = stock_positions(session, keys)
    drafts_in, draft_out = _drafts(session, product_ids)
    pairs: dict[Key, Pair] = {}
    for key in keys:
        position, reorder_point = positions[key], levels.get(key, (0, 0))[1]
        stock = Stock(
            available=position.available,
            backordered=position.backordered,
            on_order=position.on_order,
            on_draft_orders=drafts_in.get(("po", *key), 0),
            in_transit=position.in_transit,
            in_draft_transfers=drafts_in.get(("tr", *key), 0),
        )
        target = resolve_target(
            rules.get(key),
            settings.replenishment_default_policy,
            forecasts.get(key),
            reorder_point,
            settings.replenishment_fallback_max_multiple,
        )
        pairs[key] = Pair(*key, warehouses[key[0]], skus[key[1]], reorder_point, stock, target)
    suppliers = _preferred_suppliers(session, product_ids)
    return Snapshot(pairs, suppliers, {k: r for k, r in requests.items() if k in keys}, draft_out)


def _reads(
    session: Session, product_ids: Collection[uuid.UUID] | None, lock: bool
) -> tuple[
    dict[uuid.UUID, str],
    dict[Key, tuple[int, int]],
    dict[Key, PolicyRule],
    dict[Key, ActiveRequest],
]:
    products, stock = table_of(Product), table_of(StockLevel)
    skus: dict[uuid.UUID, str] = {}
    levels: dict[Key, tuple[int, int]] = {}
    rules: dict[Key, PolicyRule] = {}
    requests: dict[Key, ActiveRequest] = {}
    for chunk in _chunks(product_ids):
        for pid, sku in session.execute(
            sa.select(products.c.id, products.c.sku).where(
                products.c.status == ProductStatus.ACTIVE.value,
                products.c.stocked.is_(True),
                _in(products.c.id, chunk),
            )
        ):
            skus[pid] = sku
        for w, p, available, reorder_point in session.execute(
            sa.select(
                stock.c.warehouse_id,
                stock.c.product_id,
                stock.c.on_hand - stock.c.reserved,
                stock.c.reorder_point,
            ).where(_in(stock.c.product_id, chunk))
        ):
            levels[(w, p)] = (int(available), int(reorder_point))
        for row in session.execute(sa.select(_POL).where(_in(_POL.c.product_id, chunk))):
            rules[(row.warehouse_id, row.product_id)] = PolicyRule(
                PolicyKind(row.kind), row.min_quantity, row.max_quantity
            )
        active = (
            sa.select(_RQ)
            .where(
                _RQ.c.status.in_(sorted(s.value for s in ACTIVE_STATUSES)),
                _in(_RQ.c.product_id, chunk),
            )
            .order_by(_RQ.c.id)  # one lock order for every review and trigger: no deadlock
        )
        for row in session.execute(active.with_for_update() if lock else active):
            requests[(row.warehouse_id, row.product_id)] = ActiveRequest(
                row.id,
                RequestStatus(row.status),
                RequestKind(row.kind),
                RequestReason(row.reason),
                row.supplier_id,
                row.source_warehouse_id,
                row.suggested_quantity,
                row.quantity,
                row.edited_at,
            )
    return skus, levels, rules, requests


def _drafts(
    session: Session, product_ids: Collection[uuid.UUID] | None
) -> tuple[dict[tuple[Any, ...], int], dict[Key, int]]:
    """Units coming on draft purchase orders (``("po", w, p)``) and draft transfers
    (``("tr", w, p)``), and units going out on draft transfers by (source, product)."""
    coming: dict[tuple[Any, ...], int] = {}
    going: dict[Key, int] = {}
    for chunk in _chunks(product_ids):
        for row in on_order(session, product_ids=chunk, drafts=True):
            coming[("po", row.warehouse_id, row.product_id)] = row.quantity
        for t in draft_transfer_units(session, product_ids=chunk):
            into = ("tr", t.to_warehouse_id, t.product_id)
            coming[into] = coming.get(into, 0) + t.quantity
            out = (t.from_warehouse_id, t.product_id)
            going[out] = going.get(out, 0) + t.quantity
    return coming, going


def _preferred_suppliers(
    session: Session, product_ids: Collection[uuid.UUID] | None
) -> dict[uuid.UUID, SupplierOption]:
    inactive: set[uuid.UUID] = set()
    after: str | None = None
    while True:  # inactive suppliers are few: one page, rarely two
        page, more = list_suppliers(session, active=False, after=after, limit=1000)
        inactive.update(s.id for s in page)
        if not more:
            break
        after = page[-1].code
    found: dict[uuid.UUID, SupplierOption] = {}
    for chunk in _chunks(product_ids):
        for item in supplier_products(session, product_ids=chunk):
            if item.preferred and item.supplier_id not in inactive:
                found[item.product_id] = SupplierOption(
                    item.supplier_id,
                    item.supplier,
                    item.lead_time_days,
                    item.min_order_quantity,
                    item.pack_multiple,
                )
    return found


def with_claimed(
    sources: list[Source], claimed: dict[Key, int], product_id: uuid.UUID
) -> list[Source]:
    """``sources`` with the units already given to other destinations in this evaluation
    counted as committed."""
    return [
        replace(s, committed_out=s.committed_out + claimed.get((s.warehouse_id, product_id), 0))
        for s in sources
    ]
