"""Catalog use cases: products, price lists and their items.

Each function takes the caller's unit of work and never commits. Input is checked in
full before anything changes, and every problem comes back in one ValidationFailed.
The field checks at the top are pure, and the customers area uses them too.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypedDict, TypeVar, Unpack

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ordersmith import clock
from ordersmith.catalog.errors import (
    BarcodeAlreadyExists,
    PriceListCodeExists,
    PriceListItemNotFound,
    PriceListNotFound,
    ProductNotFound,
    SkuAlreadyExists,
)
from ordersmith.catalog.events import (
    PriceListCreated,
    PriceListItemRemoved,
    PriceListItemsReplaced,
    ProductCreated,
    ProductStatusChanged,
    ProductUpdated,
)
from ordersmith.catalog.models import PriceList, PriceListItem, Product
from ordersmith.catalog.queries import (
    PriceListView,
    ProductView,
    matchable,
    price_list_filter,
    price_list_view,
    product_filter,
    product_view,
)
from ordersmith.catalog.status import ProductStatus, check_transition
from ordersmith.db import table_of
from ordersmith.errors import FieldError, OmsError, ValidationFailed
from ordersmith.ids import new_id
from ordersmith.money import is_valid_currency, parse_decimal
from ordersmith.uow import UnitOfWork

T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)
Amount = Decimal | str | int
MAX_AMOUNT = Decimal("999999999999.9999")  # fits NUMERIC(19, 4) and SQLite's scaled BIGINT
MAX_QUANTITY = 2**31 - 1  # INTEGER columns
MAX_ITEMS = 5000
_ALLOWED_CONTROL = frozenset("\n\r\t")
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_GROUP = re.compile(r"[a-z0-9][a-z0-9._-]*")


# --- pure field checks: each returns the clean value or raises ValueError(message) ---


class FieldChecks:
    """Collects field errors so that one ValidationFailed lists every problem."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def fail(self, field: str, message: str) -> None:
        self.errors.append(FieldError(field, message))

    def run(self, field: str, check: Callable[[Any], T], value: Any) -> T | None:
        try:
            return check(value)
        except ValueError as exc:
            self.fail(field, str(exc))
            return None

    def raise_if_any(self, detail: str) -> None:
        if self.errors:
            raise ValidationFailed(detail, fields=list(self.errors))


def parse_amount(value: object) -> Decimal:
    """A storable amount: a decimal string, int or Decimal from 0 to MAX_AMOUNT with
    at most 4 decimals (never rounded, never a float)."""
    if isinstance(value, float):
        raise ValueError('send amounts as decimal strings such as "12.50", not floats')
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise ValueError('must be a decimal string such as "12.50"')
    try:
        amount = parse_decimal(value.strip() if isinstance(value, str) else value)
    except ValueError:
        raise ValueError(f"{value!r} is not a decimal number") from None
    if amount < 0:
        raise ValueError("must not be negative")
    if amount > MAX_AMOUNT:
        raise ValueError(f"must be at most {MAX_AMOUNT}")
    scaled = amount.scaleb(4)
    if scaled != scaled.to_integral_value():
        raise ValueError("has more than 4 decimals")
    return amount + 0  # drops a negative zero's sign


def tax_rate(value: object) -> Decimal:
    rate = parse_amount(value)
    if rate >= 1:
        raise ValueError("is a fraction from 0 to below 1 (0.2000 for 20 %)")
    return rate


def text(
    max_length: int, *, required: bool = True, multiline: bool = False
) -> Callable[[Any], str]:
    """A check for a stripped text of at most ``max_length`` characters."""

    def check(value: Any) -> str:
        if value is None:
            if required:
                raise ValueError("is required")
            return ""
        if not isinstance(value, str):
            raise ValueError("must be text")
        clean = value.strip()
        if required and not clean:
            raise ValueError("must not be empty")
        if len(clean) > max_length:
            raise ValueError(f"must be at most {max_length} characters")
        allowed = _ALLOWED_CONTROL if multiline else frozenset()
        if any((ord(c) < 32 or ord(c) == 127) and c not in allowed for c in clean):
            raise ValueError("must not contain control characters")
        return clean

    return check


def identifier(max_length: int) -> Callable[[Any], str]:
    """A check for an identifier without spaces (SKUs, barcodes)."""
    base = text(max_length)

    def check(value: Any) -> str:
        clean = base(value)
        if any(c.isspace() for c in clean):
            raise ValueError("must not contain spaces")
        return clean

    return check


def price_list_code(value: Any) -> str:
    clean = text(40)(value)
    if not _CODE.fullmatch(clean):
        raise ValueError("use letters, digits, '.', '_' or '-', starting with a letter or digit")
    return clean


def group_code(value: Any) -> str:
    """A customer group: lower-case letters, digits, '.', '_' or '-' (stored lower-case)."""
    clean = text(40)(value).lower()
    if not _GROUP.fullmatch(clean):
        raise ValueError("use letters, digits, '.', '_' or '-', starting with a letter or digit")
    return clean


def currency_code(value: Any) -> str:
    if isinstance(value, str) and is_valid_currency(value.strip().upper()):
        return value.strip().upper()
    raise ValueError("must be a three-letter ISO 4217 code such as EUR")


def quantity(value: Any, *, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("must be a whole number")
    if not minimum <= value <= MAX_QUANTITY:
        raise ValueError(f"must be from {minimum} to {MAX_QUANTITY}")
    return value


def _optional(check: Callable[[Any], T]) -> Callable[[Any], T | None]:
    return lambda value: None if value is None or value == "" else check(value)


def one_of(enum: type[E]) -> Callable[[Any], E]:
    """A check for a value of a StrEnum, naming the allowed values when it fails."""

    def check(value: Any) -> E:
        try:
            return enum(value)
        except ValueError:
            raise ValueError(f"must be one of {', '.join(m.value for m in enum)}") from None

    return check


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


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
    "weight_kg": _optional(parse_amount),
    "stocked": boolean,
    "status": one_of(ProductStatus),
    "barcode": _optional(identifier(64)),
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
    return _create_product(
        uow, {"sku": sku, "name": name, "price": price, "currency": currency, **options}
    )


def update_product(
    uow: UnitOfWork, *, product: str | uuid.UUID, **changes: Unpack[ProductChanges]
) -> ProductView:
    """Change the given fields of the product with this id or SKU (the SKU never changes).

    A status change must pass ``check_transition``. Raises ValidationFailed,
    ProductNotFound, InvalidTransition, BarcodeAlreadyExists."""
    if "sku" in changes:
        raise ValidationFailed(
            "a product's sku cannot change; add a new product and discontinue this one",
            fields=[FieldError("sku", "cannot be changed")],
        )
    values = check_product_fields(changes)
    session = uow.session
    row = session.scalars(
        sa.select(Product).where(product_filter(product)).limit(1).with_for_update()
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

    _save(session, apply, _product_conflicts(row.sku))
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
    _save(session, lambda: session.add(product), _product_conflicts(product.sku))
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


def _save(session: Session, change: Callable[[], None], conflicts: dict[str, OmsError]) -> None:
    """Apply and flush a change in a savepoint, turning a lost uniqueness race into a 409.

    ``conflicts`` maps a unique column to the error to raise when it is violated."""
    try:
        with session.begin_nested():
            change()
            session.flush()
    except IntegrityError as exc:
        diag = getattr(exc.orig, "diag", None)  # PostgreSQL names the constraint
        violated = getattr(diag, "constraint_name", None) or str(exc.orig)
        for column, error in conflicts.items():
            if violated.endswith(("_" + column, "." + column)):
                raise error from exc
        raise


# --- price lists ---


@dataclass(frozen=True, slots=True)
class PriceItemInput:
    """One price: ``price`` per unit when ordering at least ``min_quantity`` units."""

    sku: str
    price: Amount
    min_quantity: int = 1


def _date(value: Any) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValueError("must be a date (YYYY-MM-DD)")
    return value


def _priority(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > 1_000_000:
        raise ValueError("must be a whole number from -1000000 to 1000000")
    return value


def create_price_list(
    uow: UnitOfWork,
    *,
    code: str,
    name: str,
    customer_group: str,
    currency: str | None = None,
    valid_from: date | None = None,
    valid_to: date | None = None,
    priority: int = 0,
    items: Sequence[PriceItemInput] = (),
) -> PriceListView:
    """Add a price list (dates inclusive, open-ended when null) with optional items.

    Raises ValidationFailed (including unknown SKUs) and PriceListCodeExists."""
    checks = FieldChecks()
    values = {
        "code": checks.run("code", price_list_code, code),
        "name": checks.run("name", text(200), name),
        "customer_group": checks.run("customer_group", group_code, customer_group),
        "currency": checks.run(
            "currency", currency_code, currency or uow.settings.default_currency
        ),
        "valid_from": checks.run("valid_from", _optional(_date), valid_from),
        "valid_to": checks.run("valid_to", _optional(_date), valid_to),
        "priority": checks.run("priority", _priority, priority),
    }
    start, end = values["valid_from"], values["valid_to"]
    if isinstance(start, date) and isinstance(end, date) and end < start:
        checks.fail("valid_to", "must not be before valid_from")
    session = uow.session
    rows = _check_items(checks, session, items)
    checks.raise_if_any("the price list is not valid")
    if session.scalar(sa.select(PriceList.id).where(PriceList.code == values["code"])):
        raise PriceListCodeExists(f"a price list with code {values['code']!r} already exists")
    price_list = PriceList(id=new_id(), created_at=clock.now(), **values)
    conflict = PriceListCodeExists(f"a price list with code {price_list.code!r} already exists")
    _save(session, lambda: session.add(price_list), {"code": conflict})
    _insert_items(session, price_list.id, rows)
    uow.record(
        PriceListCreated(
            aggregate_id=price_list.id,
            code=price_list.code,
            customer_group=price_list.customer_group,
            currency=price_list.currency,
            item_count=len(rows),
        )
    )
    return price_list_view(session, price_list)


def replace_price_list_items(
    uow: UnitOfWork, *, price_list: str | uuid.UUID, items: Sequence[PriceItemInput]
) -> PriceListView:
    """Replace all items of the price list with this id or code."""
    session = uow.session
    row = _lock_price_list(session, price_list)
    checks = FieldChecks()
    rows = _check_items(checks, session, items)
    checks.raise_if_any("the price list items are not valid")
    table = table_of(PriceListItem)
    session.execute(sa.delete(table).where(table.c.price_list_id == row.id))
    _insert_items(session, row.id, rows)
    uow.record(PriceListItemsReplaced(aggregate_id=row.id, code=row.code, item_count=len(rows)))
    return price_list_view(session, row)


def remove_price_list_item(
    uow: UnitOfWork, *, price_list: str | uuid.UUID, sku: str, min_quantity: int = 1
) -> PriceListView:
    """Remove one item (a SKU's price from ``min_quantity``); raises PriceListItemNotFound."""
    session = uow.session
    row = _lock_price_list(session, price_list)
    product_id = session.scalar(
        sa.select(Product.id).where(Product.sku == sku if matchable(sku) else sa.false())
    )
    table = table_of(PriceListItem)
    result = session.execute(
        sa.delete(table).where(
            table.c.price_list_id == row.id,
            table.c.product_id == product_id,
            table.c.min_quantity == min_quantity,
        )
    )
    if product_id is None or not result.rowcount:  # type: ignore[attr-defined]
        raise PriceListItemNotFound(
            f"price list {row.code!r} has no price for {sku!r} from {min_quantity} units"
        )
    uow.record(
        PriceListItemRemoved(
            aggregate_id=row.id,
            code=row.code,
            product_id=product_id,
            sku=sku,
            min_quantity=min_quantity,
        )
    )
    return price_list_view(session, row)


def _lock_price_list(session: Session, ref: str | uuid.UUID) -> PriceList:
    row = session.scalars(
        sa.select(PriceList).where(price_list_filter(ref)).limit(1).with_for_update()
    ).first()
    if row is None:
        raise PriceListNotFound(f"no price list with id or code {str(ref)!r}")
    return row


def _check_items(
    checks: FieldChecks, session: Session, items: Sequence[PriceItemInput]
) -> list[tuple[uuid.UUID, int, Decimal]]:
    """Check items (SKUs must exist, one price per SKU and min_quantity)."""
    if len(items) > MAX_ITEMS:
        checks.fail("items", f"at most {MAX_ITEMS} items per request")
        return []
    parsed = [
        (
            checks.run(f"items.{i}.sku", identifier(64), item.sku),
            checks.run(f"items.{i}.price", parse_amount, item.price),
            checks.run(f"items.{i}.min_quantity", quantity, item.min_quantity),
        )
        for i, item in enumerate(items)
    ]
    skus = sorted({sku for sku, _, _ in parsed if sku is not None})
    ids: dict[str, uuid.UUID] = {}
    for start in range(0, len(skus), 500):
        chunk = skus[start : start + 500]
        query = sa.select(Product.sku, Product.id).where(Product.sku.in_(chunk))
        ids.update((sku, product_id) for sku, product_id in session.execute(query))
    rows: list[tuple[uuid.UUID, int, Decimal]] = []
    seen: dict[tuple[str, int], int] = {}
    for i, (sku, price, min_quantity) in enumerate(parsed):
        if sku is not None and sku not in ids:
            checks.fail(f"items.{i}.sku", f"no product with sku {sku!r}")
        if sku is None or price is None or min_quantity is None or sku not in ids:
            continue
        if (sku, min_quantity) in seen:
            checks.fail(
                f"items.{i}.min_quantity",
                f"item {seen[sku, min_quantity]} already prices {sku} from {min_quantity} units",
            )
            continue
        seen[sku, min_quantity] = i
        rows.append((ids[sku], min_quantity, price))
    return rows


def _insert_items(
    session: Session, price_list_id: uuid.UUID, rows: list[tuple[uuid.UUID, int, Decimal]]
) -> None:
    if rows:
        session.execute(
            sa.insert(table_of(PriceListItem)),
            [
                {"price_list_id": price_list_id, "product_id": pid, "min_quantity": q, "price": p}
                for pid, q, p in rows
            ],
        )
