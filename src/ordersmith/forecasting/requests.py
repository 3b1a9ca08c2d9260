"""A forecast run's request: checked, and its SKUs and warehouses resolved.

Everything wrong is reported at once (``FieldChecks``) before anything is read or
written: a horizon outside 1..52 weeks, a service level outside 0.5..0.999, more than
1,000 SKUs or warehouses, an unknown SKU, a SKU that is not stocked, a warehouse that
does not exist or is not active.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.catalog.queries import get_products_by_sku
from ordersmith.config import Settings
from ordersmith.db import table_of
from ordersmith.inventory.models import Warehouse
from ordersmith.inventory.queries import warehouse_code
from ordersmith.validation import FieldChecks, matchable

DEFAULT_HORIZON = 13
MAX_HORIZON = 52
MAX_FILTER = 1000
MIN_SERVICE_LEVEL, MAX_SERVICE_LEVEL = Decimal("0.5"), Decimal("0.999")


@dataclass(frozen=True, slots=True)
class RunRequest:
    horizon: int = DEFAULT_HORIZON
    skus: Sequence[str] = ()
    warehouses: Sequence[str] = ()  # codes (any case) or ids
    service_level: Decimal | None = None  # None: the forecast_service_level setting


@dataclass
class RunScope:
    horizon: int
    service_level: Decimal
    product_ids: list[uuid.UUID] = field(default_factory=list)
    warehouse_ids: list[uuid.UUID] = field(default_factory=list)


def check_request(session: Session, settings: Settings, request: RunRequest) -> RunScope:
    """Validate a run request and resolve its SKUs and warehouses (all problems at once)."""
    checks = FieldChecks()
    if not 1 <= request.horizon <= MAX_HORIZON:
        checks.fail("horizon", f"from 1 to {MAX_HORIZON} weeks")
    level = settings.forecast_service_level
    if request.service_level is not None:
        level = request.service_level
        if not (level.is_finite() and MIN_SERVICE_LEVEL <= level <= MAX_SERVICE_LEVEL):
            checks.fail("service_level", "from 0.5 to 0.999, e.g. 0.95")
    scope = RunScope(request.horizon, level)
    for name, given in (("skus", request.skus), ("warehouses", request.warehouses)):
        if len(given) > MAX_FILTER:
            checks.fail(name, f"at most {MAX_FILTER}")
    checks.raise_if_any("the forecast run request is not valid")
    products = get_products_by_sku(session, request.skus)
    for i, sku in enumerate(request.skus):
        product = products.get(sku)
        if product is None:
            checks.fail(f"skus.{i}", f"no product with SKU {sku!r}")
        elif not product.stocked:
            checks.fail(f"skus.{i}", f"{sku} is not stocked: it has no stock to forecast")
        else:
            scope.product_ids.append(product.id)
    found = _warehouses(session, request.warehouses)
    for i, ref in enumerate(request.warehouses):
        if ref in found:
            scope.warehouse_ids.append(found[ref])
        else:
            checks.fail(f"warehouses.{i}", f"no active warehouse {ref!r}")
    checks.raise_if_any("the forecast run request names unknown products or warehouses")
    return scope


def _warehouses(session: Session, refs: Sequence[str]) -> dict[str, uuid.UUID]:
    """Active warehouses by each reference as given (a code in any case, or an id)."""
    if not refs:
        return {}
    table = table_of(Warehouse)
    rows = session.execute(
        sa.select(table.c.id, table.c.code).where(table.c.active.is_(True))
    ).all()
    by_code = {code: warehouse_id for warehouse_id, code in rows}
    by_id = {str(warehouse_id): warehouse_id for warehouse_id, _ in rows}
    found = {}
    for ref in refs:
        if not matchable(ref):
            continue
        hit = by_code.get(warehouse_code(ref)) or by_id.get(ref.strip().lower())
        if hit is not None:
            found[ref] = hit
    return found
