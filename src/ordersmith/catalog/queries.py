"""Catalog read side: products and price lists as frozen views.

List functions use keyset pagination: they take ``after`` (the sort key of the last
row already seen) and return ``(items, has_more)``.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, Session

from ordersmith.catalog.errors import PriceListNotFound, ProductNotFound
from ordersmith.catalog.models import PriceList, PriceListItem, Product
from ordersmith.catalog.status import ProductStatus
from ordersmith.db import core, table_of
from ordersmith.validation import matchable as matchable  # moved there; re-exported

_IN_CHUNK = 500  # bound on IN (...) parameters per statement


@dataclass(frozen=True, slots=True)
class ProductView:
    id: uuid.UUID
    sku: str
    name: str
    description: str
    category: str
    unit: str
    price: Decimal
    currency: str
    tax_category: str
    tax_rate: Decimal
    weight_kg: Decimal | None
    stocked: bool
    status: ProductStatus
    barcode: str | None
    created_at: datetime
    updated_at: datetime

    @property
    def orderable(self) -> bool:
        return self.status is ProductStatus.ACTIVE


@dataclass(frozen=True, slots=True)
class PriceListItemView:
    product_id: uuid.UUID
    sku: str
    min_quantity: int
    price: Decimal


@dataclass(frozen=True, slots=True)
class PriceListSummary:
    id: uuid.UUID
    code: str
    name: str
    customer_group: str
    currency: str
    valid_from: date | None
    valid_to: date | None
    priority: int
    created_at: datetime
    item_count: int


@dataclass(frozen=True, slots=True)
class PriceListView:
    id: uuid.UUID
    code: str
    name: str
    customer_group: str
    currency: str
    valid_from: date | None
    valid_to: date | None
    priority: int
    created_at: datetime
    items: tuple[PriceListItemView, ...]


def product_view(product: Product) -> ProductView:
    return ProductView(
        id=product.id,
        sku=product.sku,
        name=product.name,
        description=product.description,
        category=product.category,
        unit=product.unit,
        price=product.price,
        currency=product.currency,
        tax_category=product.tax_category,
        tax_rate=product.tax_rate,
        weight_kg=product.weight_kg,
        stocked=product.stocked,
        status=ProductStatus(product.status),
        barcode=product.barcode,
        created_at=product.created_at,
        updated_at=product.updated_at,
    )


def _by_id_or_key(
    ref: str | uuid.UUID,
    id_column: InstrumentedAttribute[uuid.UUID],
    key_column: InstrumentedAttribute[str],
) -> sa.ColumnElement[bool]:
    """Match an id, or a human key (a key that happens to look like a UUID still matches)."""
    if isinstance(ref, uuid.UUID):
        return id_column == ref
    if not matchable(ref):
        return sa.false()
    try:
        as_id = uuid.UUID(ref)
    except ValueError:
        return key_column == ref
    return sa.or_(id_column == as_id, key_column == ref)


def product_filter(ref: str | uuid.UUID) -> sa.ColumnElement[bool]:
    """WHERE clause matching a product by id or SKU."""
    return _by_id_or_key(ref, Product.id, Product.sku)


def price_list_filter(ref: str | uuid.UUID) -> sa.ColumnElement[bool]:
    """WHERE clause matching a price list by id or code."""
    return _by_id_or_key(ref, PriceList.id, PriceList.code)


def find_product(session: Session, ref: str | uuid.UUID) -> ProductView | None:
    """The product with this id or SKU, or None."""
    product = session.scalars(sa.select(Product).where(product_filter(ref)).limit(1)).first()
    return product_view(product) if product else None


def get_product(session: Session, ref: str | uuid.UUID) -> ProductView:
    """The product with this id or SKU; raises ProductNotFound."""
    view = find_product(session, ref)
    if view is None:
        raise ProductNotFound(f"no product with id or sku {str(ref)!r}")
    return view


def get_products_by_sku(session: Session, skus: Collection[str]) -> dict[str, ProductView]:
    """The products with these SKUs, by SKU (unknown SKUs are simply absent)."""
    wanted = sorted(sku for sku in set(skus) if matchable(sku))
    found: dict[str, ProductView] = {}
    for start in range(0, len(wanted), _IN_CHUNK):
        chunk = wanted[start : start + _IN_CHUNK]
        for product in session.scalars(sa.select(Product).where(Product.sku.in_(chunk))):
            found[product.sku] = product_view(product)
    return found


@functools.cache
def _product_id_statement() -> sa.Select[Any]:
    """Built once (it runs on every receipt, adjustment and availability look-up)."""
    products = table_of(Product)
    return sa.select(products.c.id).where(products.c.sku == sa.bindparam("sku"))


def product_id_for_sku(session: Session, sku: str) -> uuid.UUID | None:
    """The id of the product with this SKU (exact match), or None."""
    if not matchable(sku):
        return None
    found: uuid.UUID | None = session.execute(
        _product_id_statement(), {"sku": sku}
    ).scalar_one_or_none()  # through the session: pending products are flushed first
    return found


@functools.cache
def _skus_statement() -> sa.Select[Any]:
    products = table_of(Product)
    return sa.select(products.c.id, products.c.sku).where(
        products.c.id.in_(sa.bindparam("ids", expanding=True))
    )


def skus_for(session: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The SKUs of the products with these ids, by id (unknown ids are simply absent)."""
    wanted = sorted(set(ids))
    found: dict[uuid.UUID, str] = {}
    conn = core(session)
    for start in range(0, len(wanted), _IN_CHUNK):
        rows = conn.execute(_skus_statement(), {"ids": wanted[start : start + _IN_CHUNK]})
        found.update({product_id: sku for product_id, sku in rows})
    return found


def _contains(column: InstrumentedAttribute[str], text: str) -> sa.ColumnElement[bool]:
    return sa.func.lower(column).contains(text.lower(), autoescape=True)


def product_search(products: sa.Table, text: str) -> sa.ColumnElement[bool]:
    """Products whose SKU or name starts with ``text`` (as typed, upper-case, capitalised
    or title-cased: ranges over the SKU's unique index and ``ix_products_name``) or whose
    barcode is ``text``. No search inside names: it would read every product."""
    term = text.strip()[:64]
    if not term:
        return sa.true()
    starts = sorted({term, term.upper(), term.capitalize(), term.title()})
    return sa.or_(
        products.c.barcode == term,
        *(
            sa.and_(column >= start, column < start + "\uffff")
            for start in starts
            for column in (products.c.sku, products.c.name)
        ),
    )


def list_products(
    session: Session,
    *,
    q: str | None = None,
    search: str | None = None,
    status: ProductStatus | None = None,
    category: str | None = None,
    after: str | None = None,
    limit: int = 50,
) -> tuple[list[ProductView], bool]:
    """Products by SKU. ``q`` matches SKU or name (case-insensitive, anywhere: a scan);
    ``search`` the start of a SKU or name, or a barcode, through indexes
    (``product_search``)."""
    if not matchable(q, search, category, after):
        return [], False
    query = sa.select(Product).order_by(Product.sku).limit(limit + 1)
    if q:
        query = query.where(sa.or_(_contains(Product.sku, q), _contains(Product.name, q)))
    if search:
        query = query.where(product_search(table_of(Product), search))
    if status is not None:
        query = query.where(Product.status == status)
    if category is not None:
        query = query.where(Product.category == category)
    if after is not None:
        query = query.where(Product.sku > after)
    rows = [product_view(p) for p in session.scalars(query)]
    return rows[:limit], len(rows) > limit


def _items(session: Session, price_list_id: uuid.UUID) -> tuple[PriceListItemView, ...]:
    rows = session.execute(
        sa.select(PriceListItem, Product.sku)
        .join(Product, Product.id == PriceListItem.product_id)
        .where(PriceListItem.price_list_id == price_list_id)
        .order_by(Product.sku, PriceListItem.min_quantity)
    )
    return tuple(
        PriceListItemView(item.product_id, sku, item.min_quantity, item.price) for item, sku in rows
    )


def _price_list_fields(price_list: PriceList) -> dict[str, Any]:
    """The price list's own columns, by the field names PriceListView and
    PriceListSummary share."""
    return {
        "id": price_list.id,
        "code": price_list.code,
        "name": price_list.name,
        "customer_group": price_list.customer_group,
        "currency": price_list.currency,
        "valid_from": price_list.valid_from,
        "valid_to": price_list.valid_to,
        "priority": price_list.priority,
        "created_at": price_list.created_at,
    }


def price_list_view(session: Session, price_list: PriceList) -> PriceListView:
    return PriceListView(**_price_list_fields(price_list), items=_items(session, price_list.id))


def get_price_list(session: Session, ref: str | uuid.UUID) -> PriceListView:
    """The price list with this id or code, with its items; raises PriceListNotFound."""
    price_list = session.scalars(
        sa.select(PriceList).where(price_list_filter(ref)).limit(1)
    ).first()
    if price_list is None:
        raise PriceListNotFound(f"no price list with id or code {str(ref)!r}")
    return price_list_view(session, price_list)


def list_price_lists(
    session: Session,
    *,
    customer_group: str | None = None,
    currency: str | None = None,
    after: str | None = None,
    limit: int = 50,
) -> tuple[list[PriceListSummary], bool]:
    """Price lists by code, each with its number of items."""
    if not matchable(customer_group, currency, after):
        return [], False
    item_count = (
        sa.select(sa.func.count())
        .where(PriceListItem.price_list_id == PriceList.id)
        .correlate(PriceList)
        .scalar_subquery()
    )
    query = sa.select(PriceList, item_count).order_by(PriceList.code).limit(limit + 1)
    if customer_group is not None:
        query = query.where(PriceList.customer_group == customer_group)
    if currency is not None:
        query = query.where(PriceList.currency == currency)
    if after is not None:
        query = query.where(PriceList.code > after)
    rows = [
        PriceListSummary(**_price_list_fields(price_list), item_count=int(count))
        for price_list, count in session.execute(query)
    ]
    return rows[:limit], len(rows) > limit


@dataclass(frozen=True, slots=True)
class ProductPrice:
    """One price of a product in one price list (from ``min_quantity`` units)."""

    price_list: str
    name: str
    customer_group: str
    currency: str
    valid_from: date | None
    valid_to: date | None
    priority: int
    min_quantity: int
    price: Decimal


def product_prices(session: Session, product_id: uuid.UUID) -> list[ProductPrice]:
    """The product's prices in every price list, by list code then quantity
    (``ix_price_list_items_product``)."""
    items, lists = table_of(PriceListItem), table_of(PriceList)
    rows = session.execute(
        sa.select(
            lists.c.code,
            lists.c.name,
            lists.c.customer_group,
            lists.c.currency,
            lists.c.valid_from,
            lists.c.valid_to,
            lists.c.priority,
            items.c.min_quantity,
            items.c.price,
        )
        .join(lists, lists.c.id == items.c.price_list_id)
        .where(items.c.product_id == product_id)
        .order_by(lists.c.code, items.c.min_quantity)
    )
    return [ProductPrice(*row) for row in rows]
