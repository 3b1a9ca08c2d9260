"""Supplier use cases: suppliers, and the products they supply.

A supplier's code is stored upper-case and unique. Its currency is the currency of
every cost it quotes and of its purchase orders, so it may change only while the
supplier has neither products nor purchase orders. At most one supplier is preferred
per product: making one preferred un-prefers the others in the same transaction, and a
partial unique index is the backstop against two made preferred at once.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypedDict, Unpack

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ordersmith import clock
from ordersmith.catalog.errors import ProductNotFound
from ordersmith.catalog.queries import find_product
from ordersmith.db import table_of
from ordersmith.errors import OmsError
from ordersmith.ids import new_id
from ordersmith.purchasing import inputs
from ordersmith.purchasing.errors import (
    PreferredSupplierConflict,
    SupplierCurrencyLocked,
    SupplierExists,
    SupplierProductExists,
)
from ordersmith.purchasing.events import SupplierCreated, SupplierUpdated
from ordersmith.purchasing.models import PurchaseOrder, Supplier, SupplierProduct
from ordersmith.purchasing.queries import get_supplier, get_supplier_product
from ordersmith.purchasing.views import SupplierProductView, SupplierView
from ordersmith.uow import UnitOfWork
from ordersmith.validation import (
    Amount,
    FieldChecks,
    boolean,
    check_address,
    currency_code,
    quantity,
)

_S, _SP, _PO = table_of(Supplier), table_of(SupplierProduct), table_of(PurchaseOrder)

_SUPPLIER_FIELDS: dict[str, Any] = {
    "name": inputs.NAME,
    "contact_name": inputs.CONTACT_NAME,
    "email": inputs.optional_email,
    "phone": inputs.PHONE,
    "currency": currency_code,
    "payment_terms_days": inputs.whole_days(inputs.MAX_TERMS_DAYS),
    "notes": inputs.NOTES,
    "active": boolean,
}
_PRODUCT_FIELDS: dict[str, Any] = {
    "supplier_sku": inputs.SUPPLIER_SKU,
    "unit_cost": inputs.unit_cost,
    "lead_time_days": inputs.whole_days(inputs.MAX_LEAD_TIME_DAYS),
    "min_order_quantity": quantity,
    "pack_multiple": quantity,
    "preferred": boolean,
}


class SupplierChanges(TypedDict, total=False):
    name: str
    contact_name: str
    email: str
    phone: str
    currency: str
    payment_terms_days: int
    address: dict[str, Any] | None
    notes: str
    active: bool


class SupplierProductChanges(TypedDict, total=False):
    supplier_sku: str
    unit_cost: Amount
    lead_time_days: int
    min_order_quantity: int
    pack_multiple: int
    preferred: bool


def _check(checks: FieldChecks, rules: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, value in given.items():
        if name == "address":
            values[name] = check_address(checks, "address", value) if value else {}
        else:
            values[name] = checks.run(name, rules[name], value)
    return values


@contextmanager
def _unique(uow: UnitOfWork, error: OmsError) -> Iterator[None]:
    """Run the block (and flush) in a savepoint; a unique index's refusal becomes ``error``."""
    try:
        with uow.session.begin_nested():
            yield
            uow.session.flush()
    except IntegrityError as exc:
        raise error from exc


def create_supplier(
    uow: UnitOfWork,
    *,
    code: str,
    name: str,
    currency: str | None = None,
    contact_name: str = "",
    email: str = "",
    phone: str = "",
    payment_terms_days: int = 30,
    address: dict[str, Any] | None = None,
    notes: str = "",
) -> SupplierView:
    """A new, active supplier (its currency defaults to the settings' default currency).
    Raises ValidationFailed, SupplierExists."""
    checks = FieldChecks()
    clean_code = checks.run("code", inputs.supplier_code, code)
    given = {
        "name": name,
        "contact_name": contact_name,
        "email": email,
        "phone": phone,
        "currency": currency or uow.settings.default_currency,
        "payment_terms_days": payment_terms_days,
        "address": address,
        "notes": notes,
    }
    values = _check(checks, _SUPPLIER_FIELDS, given)
    checks.raise_if_any("the supplier is not valid")
    now = clock.now()
    supplier = Supplier(
        id=new_id(),
        code=clean_code,
        active=True,
        created_by=uow.actor,
        created_at=now,
        updated_at=now,
        **values,
    )
    with _unique(uow, SupplierExists(f"a supplier with code {clean_code!r} exists")):
        uow.session.add(supplier)
    uow.record(SupplierCreated(aggregate_id=supplier.id, code=supplier.code, name=supplier.name))
    return get_supplier(uow.session, supplier.id)


def update_supplier(
    uow: UnitOfWork, *, supplier: str | uuid.UUID, **changes: Unpack[SupplierChanges]
) -> SupplierView:
    """Change some fields of a supplier (its code never changes). Raises
    SupplierNotFound, ValidationFailed, SupplierCurrencyLocked."""
    current = get_supplier(uow.session, supplier)
    checks = FieldChecks()
    values = _check(checks, _SUPPLIER_FIELDS, dict(changes))
    checks.raise_if_any("the supplier is not valid")
    changed = {k: v for k, v in values.items() if getattr(current, k) != v}
    if "currency" in changed and _currency_in_use(uow, current.id):
        raise SupplierCurrencyLocked(
            f"supplier {current.code} quotes costs and has purchase orders in "
            f"{current.currency}; create a new supplier for another currency"
        )
    if changed:
        uow.session.execute(
            sa.update(_S).where(_S.c.id == current.id).values(updated_at=clock.now(), **changed)
        )
        uow.record(
            SupplierUpdated(aggregate_id=current.id, code=current.code, changes=sorted(changed))
        )
    return get_supplier(uow.session, current.id)


def _currency_in_use(uow: UnitOfWork, supplier_id: uuid.UUID) -> bool:
    session = uow.session
    product = session.scalar(sa.select(_SP.c.id).where(_SP.c.supplier_id == supplier_id).limit(1))
    order = session.scalar(sa.select(_PO.c.id).where(_PO.c.supplier_id == supplier_id).limit(1))
    return product is not None or order is not None


def add_supplier_product(
    uow: UnitOfWork,
    *,
    supplier: str | uuid.UUID,
    sku: str,
    unit_cost: Amount,
    lead_time_days: int,
    supplier_sku: str = "",
    min_order_quantity: int = 1,
    pack_multiple: int = 1,
    preferred: bool = False,
) -> SupplierProductView:
    """The supplier now supplies the product with this SKU (or id), at ``unit_cost`` in
    the supplier's currency. Raises SupplierNotFound, ProductNotFound, ValidationFailed,
    SupplierProductExists, PreferredSupplierConflict."""
    found = get_supplier(uow.session, supplier)
    checks = FieldChecks()
    values = _check(
        checks,
        _PRODUCT_FIELDS,
        {
            "supplier_sku": supplier_sku,
            "unit_cost": unit_cost,
            "lead_time_days": lead_time_days,
            "min_order_quantity": min_order_quantity,
            "pack_multiple": pack_multiple,
            "preferred": preferred,
        },
    )
    checks.raise_if_any("the supplier product is not valid")
    product = find_product(uow.session, sku) if isinstance(sku, str) else None
    if product is None:
        raise ProductNotFound(f"no product with SKU or id {sku!r}")
    exists = SupplierProductExists(
        f"supplier {found.code} already supplies {product.sku}; update it instead"
    )
    taken = uow.session.scalar(
        sa.select(_SP.c.id).where(_SP.c.supplier_id == found.id, _SP.c.product_id == product.id)
    )
    if taken is not None:
        raise exists
    if values["preferred"]:
        _unprefer_others(uow, product.id)
    now = clock.now()
    raced = _preferred_conflict(product.sku) if values["preferred"] else exists
    with _unique(uow, raced):
        uow.session.add(
            SupplierProduct(
                id=new_id(),
                supplier_id=found.id,
                product_id=product.id,
                created_at=now,
                updated_at=now,
                **values,
            )
        )
    return get_supplier_product(uow.session, found.id, product.sku)


def _preferred_conflict(sku: str) -> PreferredSupplierConflict:
    return PreferredSupplierConflict(f"another supplier was made preferred for {sku} meanwhile")


def update_supplier_product(
    uow: UnitOfWork,
    *,
    supplier: str | uuid.UUID,
    sku: str,
    **changes: Unpack[SupplierProductChanges],
) -> SupplierProductView:
    """Change the supplier's cost, lead time, order rules or preference for a product.
    Raises SupplierNotFound, SupplierProductNotFound, ValidationFailed."""
    found = get_supplier(uow.session, supplier)
    current = get_supplier_product(uow.session, found.id, sku)
    checks = FieldChecks()
    values = _check(checks, _PRODUCT_FIELDS, dict(changes))
    checks.raise_if_any("the supplier product is not valid")
    if values.get("preferred") and not current.preferred:
        _unprefer_others(uow, current.product_id)
    if values:
        with _unique(uow, _preferred_conflict(current.sku)):
            uow.session.execute(
                sa.update(_SP)
                .where(_SP.c.id == current.id)
                .values(updated_at=clock.now(), **values)
            )
    return get_supplier_product(uow.session, found.id, current.sku)


def _unprefer_others(uow: UnitOfWork, product_id: uuid.UUID) -> None:
    uow.session.execute(
        sa.update(_SP)
        .where(_SP.c.product_id == product_id, _SP.c.preferred.is_(True))
        .values(preferred=False, updated_at=clock.now())
    )
