"""Catalog use cases: products, price lists and their items.

Each function takes the caller's unit of work and never commits. Input is checked in
full before anything changes, and every problem comes back in one ValidationFailed.
The field checks come from ``ordersmith.validation``; the price-list use cases live in
``ordersmith.catalog.price_lists`` and are re-exported here.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, TypedDict, Unpack

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.catalog.errors import BarcodeAlreadyExists, ProductNotFound, SkuAlreadyExists
from ordersmith.catalog.events import ProductCreated, ProductStatusChanged, ProductUpdated
from ordersmith.catalog.models import Product
from ordersmith.catalog.price_lists import (
    MAX_ITEMS,
    PriceItemInput,
    create_price_list,
    remove_price_list_item,
    replace_price_list_items,
    save_unique,
    set_price_list_item,
)
from ordersmith.catalog.queries import ProductView, product_filter, product_view
from ordersmith.catalog.status import ProductStatus, check_transition
from ordersmith.errors import FieldError, OmsError, ValidationFailed
from ordersmith.ids import new_id
from ordersmith.uow import UnitOfWork
from ordersmith.validation import (
    Amount,
    FieldChecks,
    boolean,
    currency_code,
    identifier,
    one_of,
    optional,
    parse_amount,
    tax_rate,
    text,
)

__all__ = [
    "MAX_ITEMS",
    "PriceItemInput",
    "ProductChanges",
    "ProductOptions",
    "check_product_fields",
    "create_price_list",
    "create_product",
    "remove_price_list_item",
    "replace_price_list_items",
    "set_price_list_item",
    "update_product",
    "upsert_product",
]


_PRODUCT_FIELDS: dict[str, Callable[[Any], Any]] = {
    "sku": identifier(64),
    "name": text(200),
    "description": text(10_000, required=False, multiline=True),
    "category": text(80, required=False),
    "unit": text(16),
    "price": parse_amount,
    "currency": currency_code,
    "tax_category": text(40),
    "tax_rate": tax_rate,
    "weight_kg": optional(parse_amount),
    "stocked": boolean,
    "status": one_of(ProductStatus),
    "barcode": optional(identifier(64)),
}


def check_product_fields(
    fields: Mapping[str, Any], *, required: Sequence[str] = ()
) -> dict[str, Any]:
    """Check and normalise product fields; raises ValidationFailed listing every problem."""
    checks = FieldChecks()
    for name in required:
        if name not in fields:
            checks.fail(name, "is required")
    values: dict[str, Any] = {}
    for name, value in fields.items():
        if name not in _PRODUCT_FIELDS:
            checks.fail(name, "is not a product field")
        else:
            values[name] = checks.run(name, _PRODUCT_FIELDS[name], value)
    checks.raise_if_any("the product is not valid")
    return values


# --- products ---


class ProductOptions(TypedDict, total=False):
    description: str
    category: str
    unit: str
    tax_category: str
    tax_rate: Amount
    weight_kg: Amount | None
    stocked: bool
    status: ProductStatus | str
    barcode: str | None


class ProductChanges(ProductOptions, total=False):
    name: str
    price: Amount
    currency: str


_PRODUCT_DEFAULTS: dict[str, Any] = {
    "description": "",
    "category": "",
    "unit": "each",
    "tax_category": "standard",
    "tax_rate": Decimal(0),
    "weight_kg": None,
    "stocked": True,
    "status": ProductStatus.ACTIVE,
    "barcode": None,
}


def create_product(
    uow: UnitOfWork,
    *,
    sku: str,
    name: str,
    price: Amount,
    currency: str | None = None,
    **options: Unpack[ProductOptions],
) -> ProductView:
    """Add a product: active, tax rate 0, unit "each", stocked, settings' currency unless given.

    Raises ValidationFailed, SkuAlreadyExists, BarcodeAlreadyExists."""
    uow.authorize(Permission.CATALOG_WRITE)
    return _create_product(
        uow, {"sku": sku, "name": name, "price": price, "currency": currency, **options}
    )


def update_product(
    uow: UnitOfWork, *, product: str | uuid.UUID, **changes: Unpack[ProductChanges]
) -> ProductView:
    """Change the given fields of the product with this id or SKU (the SKU never changes).

    A status change must pass ``check_transition``. Raises ValidationFailed,
    ProductNotFound, InvalidTransition, BarcodeAlreadyExists."""
    uow.authorize(Permission.CATALOG_WRITE)
    if "sku" in changes:
        raise ValidationFailed(
            "a product's sku cannot change; add a new product and discontinue this one",
            fields=[FieldError("sku", "cannot be changed")],
        )
    values = check_product_fields(changes)
    session = uow.session
    row = session.scalars(
        sa.select(Product).where(product_filter(product)).limit(1).with_for_update(key_share=True)
    ).first()
    if row is None:
        raise ProductNotFound(f"no product with id or sku {str(product)!r}")
    old_status = ProductStatus(row.status)
    if "status" in values:
        check_transition(old_status, values["status"])
    changed = {k: v for k, v in values.items() if getattr(row, k) != v}
    if not changed:
        return product_view(row)
    if changed.get("barcode") is not None:
        _ensure_barcode_free(session, changed["barcode"], row.id)

    def apply() -> None:
        for key, value in changed.items():
            setattr(row, key, value)
        row.updated_at = clock.now()

    save_unique(session, apply, _product_conflicts(row.sku))
    uow.record(ProductUpdated(aggregate_id=row.id, sku=row.sku, changes=changed))
    if "status" in changed:
        uow.record(
            ProductStatusChanged(
                aggregate_id=row.id, sku=row.sku, from_status=old_status, to_status=row.status
            )
        )
    return product_view(row)


def upsert_product(
    uow: UnitOfWork, *, sku: str, **fields: Unpack[ProductChanges]
) -> tuple[ProductView, bool]:
    """Create the product with this SKU, or change it if it exists; True when created."""
    clean_sku = check_product_fields({"sku": sku})["sku"]
    existing = uow.session.scalar(sa.select(Product.id).where(Product.sku == clean_sku))
    if existing is not None:
        return update_product(uow, product=existing, **fields), False
    return _create_product(uow, {"sku": sku, **fields}), True


def _create_product(uow: UnitOfWork, given: Mapping[str, Any]) -> ProductView:
    fields = {**_PRODUCT_DEFAULTS, **given}
    fields["currency"] = given.get("currency") or uow.settings.default_currency
    values = check_product_fields(fields, required=("sku", "name", "price"))
    session = uow.session
    if session.scalar(sa.select(Product.id).where(Product.sku == values["sku"])) is not None:
        raise SkuAlreadyExists(f"a product with sku {values['sku']!r} already exists")
    if values["barcode"] is not None:
        _ensure_barcode_free(session, values["barcode"], None)
    at = clock.now()
    product = Product(id=new_id(), created_at=at, updated_at=at, **values)
    save_unique(session, lambda: session.add(product), _product_conflicts(product.sku))
    uow.record(
        ProductCreated(
            aggregate_id=product.id,
            sku=product.sku,
            name=product.name,
            price=product.price,
            currency=product.currency,
            status=product.status,
        )
    )
    return product_view(product)


def _product_conflicts(sku: str) -> dict[str, OmsError]:
    return {
        "sku": SkuAlreadyExists(f"a product with sku {sku!r} already exists"),
        "barcode": BarcodeAlreadyExists("the barcode was just given to another product"),
    }


def _ensure_barcode_free(session: Session, barcode: str, product_id: uuid.UUID | None) -> None:
    owner = session.execute(
        sa.select(Product.id, Product.sku).where(Product.barcode == barcode)
    ).first()
    if owner is not None and owner.id != product_id:
        raise BarcodeAlreadyExists(f"barcode {barcode!r} already belongs to product {owner.sku!r}")
