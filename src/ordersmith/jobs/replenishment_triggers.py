"""Replenishment's reaction to stock events, in the worker (not in the transaction that
made the event: order placement's hot path stays free of it).

``stock.low`` (available fell to the reorder point) and ``stock.out`` (nothing left to
promise, or demand that could not be reserved) → evaluate that (warehouse, SKU), raising
a replenishment request or updating the open one (``replenishment.runs``). Safe to run
twice: a second run updates the same request. An event naming a product that no longer
exists is skipped. Registered in ``handlers.default_handlers``.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import structlog

from ordersmith.replenishment.models import RequestReason
from ordersmith.replenishment.runs import evaluate_stock_event
from ordersmith.uow import UnitOfWork

if TYPE_CHECKING:
    from ordersmith.jobs.handlers import OutboxRecord

log = structlog.get_logger(__name__)
_REASONS = {"stock.low": RequestReason.STOCK_LOW, "stock.out": RequestReason.STOCK_OUT}


def replenish_on_stock_event(uow: UnitOfWork, event: OutboxRecord) -> None:
    raw = event.payload.get("warehouse_id")
    try:
        warehouse_id = uuid.UUID(str(raw)) if raw else None
    except ValueError:
        warehouse_id = None
    outcome = evaluate_stock_event(
        uow,
        product_id=event.aggregate_id,
        warehouse_id=warehouse_id,
        reason=_REASONS.get(event.event_type, RequestReason.STOCK_LOW),
    )
    if not outcome.evaluated:
        log.info("replenishment_skipped", event_id=str(event.id), reason="nothing to evaluate")
