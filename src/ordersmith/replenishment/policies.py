"""Replenishment policies per (warehouse, SKU): set one, remove one (the pair then follows
``ORDERSMITH_REPLENISHMENT_DEFAULT_POLICY``). One transaction each, never committed here."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ordersmith import clock
from ordersmith.catalog.queries import get_product
from ordersmith.db import core, insert_rows, table_of
from ordersmith.errors import ValidationFailed
from ordersmith.inventory.queries import get_warehouse
from ordersmith.replenishment.errors import PolicyNotFound
from ordersmith.replenishment.models import PolicyKind, ReplenishmentPolicy
from ordersmith.replenishment.queries import find_policy
from ordersmith.replenishment.views import PolicyView
from ordersmith.uow import UnitOfWork
from ordersmith.validation import FieldChecks, one_of, optional, quantity, text

_POL = table_of(ReplenishmentPolicy)
NOTE = text(500, required=False)


def _whole(value: Any) -> int:
    return quantity(value, minimum=0)


def set_policy(
    uow: UnitOfWork,
    *,
    warehouse: str,
    sku: str,
    kind: str | PolicyKind,
    min_quantity: int | None = None,
    max_quantity: int | None = None,
    note: str = "",
) -> PolicyView:
    """Set (create or replace) the policy of a stocked product at a warehouse. ``min_max``
    needs ``min_quantity`` <= ``max_quantity`` (max at least 1); the other kinds take
    neither. ValidationFailed, WarehouseNotFound, ProductNotFound."""
    checks = FieldChecks()
    clean_kind = checks.run("kind", one_of(PolicyKind), kind)
    low = checks.run("min_quantity", optional(_whole), min_quantity)
    high = checks.run("max_quantity", optional(_whole), max_quantity)
    clean_note = checks.run("note", NOTE, note) or ""
    if clean_kind is PolicyKind.MIN_MAX:
        if min_quantity is None:
            checks.fail("min_quantity", "is required for a min_max policy")
        if max_quantity is None:
            checks.fail("max_quantity", "is required for a min_max policy")
        if low is not None and high is not None and high < max(low, 1):
            checks.fail("max_quantity", "must be at least min_quantity and at least 1")
    elif clean_kind is not None:
        for name, value in (("min_quantity", min_quantity), ("max_quantity", max_quantity)):
            if value is not None:
                checks.fail(name, f"only a min_max policy has one, not {clean_kind.value}")
    checks.raise_if_any("the replenishment policy is not valid")
    assert clean_kind is not None
    session = uow.session
    wh = get_warehouse(session, warehouse)
    product = get_product(session, sku)
    if not product.stocked:
        raise ValidationFailed(
            f"{product.sku} is not stocked: it is never replenished", code="not_stocked"
        )
    now = clock.now()
    values = {
        "kind": clean_kind.value,
        "min_quantity": low if clean_kind is PolicyKind.MIN_MAX else None,
        "max_quantity": high if clean_kind is PolicyKind.MIN_MAX else None,
        "note": clean_note,
        "updated_by": uow.actor,
        "updated_at": now,
    }
    key = sa.and_(_POL.c.warehouse_id == wh.id, _POL.c.product_id == product.id)
    exists = session.execute(sa.select(_POL.c.kind).where(key).with_for_update()).first()
    if exists:
        session.execute(sa.update(_POL).where(key).values(**values))
    else:
        insert_rows(
            core(session),
            _POL,
            [{"warehouse_id": wh.id, "product_id": product.id, "created_at": now, **values}],
        )
    found = find_policy(session, wh.id, product.id)
    assert found is not None
    return found


def remove_policy(uow: UnitOfWork, *, warehouse: str, sku: str) -> None:
    """Remove a pair's own policy: it follows the default policy again. PolicyNotFound."""
    session = uow.session
    wh = get_warehouse(session, warehouse)
    product = get_product(session, sku)
    gone = session.execute(
        sa.delete(_POL)
        .where(_POL.c.warehouse_id == wh.id, _POL.c.product_id == product.id)
        .returning(_POL.c.kind)
    ).first()
    if gone is None:
        raise PolicyNotFound(f"{product.sku} at {wh.code} has no policy of its own")
