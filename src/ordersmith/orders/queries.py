"""Read side of orders: detail, filtered keyset lists, history, customer history."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from ordersmith.customers.models import Customer
from ordersmith.db import table_of
from ordersmith.orders.errors import OrderNotFound
from ordersmith.orders.models import Channel, Order, OrderHistory, OrderLine, OrderReservation
from ordersmith.orders.status import (
    OPEN_STATUSES,
    RESERVING_STATUSES,
    HoldReason,
    OrderStatus,
    allowed_actions,
)
from ordersmith.orders.views import HistoryEntry, OrderLineView, OrderSummary, OrderView
from ordersmith.validation import matchable

_LINE_FIELDS = list(OrderLineView.__dataclass_fields__)
_SUMMARY_FIELDS = list(OrderSummary.__dataclass_fields__)
# not fully dispatched (ordersmith.fulfillment.kpi_report.OPEN_FULFILMENT; not imported:
# fulfilment imports this module)
_OPEN_FULFILMENT = ("allocated", "backordered", "partially_shipped")


def _order_filter(order_id_or_number: str) -> sa.ColumnElement[bool]:
    """Match an order by id or number; a text that cannot be stored matches nothing."""
    orders = table_of(Order)
    if not matchable(order_id_or_number):
        return sa.false()
    try:
        return orders.c.id == uuid.UUID(order_id_or_number)
    except ValueError:
        return orders.c.number == order_id_or_number


def get_order(
    session: Session, order_id_or_number: str, *, customer_id: uuid.UUID | None = None
) -> OrderView:
    """One order with its lines; ``customer_id`` scopes the look-up to that customer."""
    orders, lines = table_of(Order), table_of(OrderLine)
    query = sa.select(orders).where(_order_filter(order_id_or_number))
    if customer_id is not None:
        query = query.where(orders.c.customer_id == customer_id)
    row = session.execute(query).mappings().one_or_none()
    if row is None:
        raise OrderNotFound(f"no order {order_id_or_number!r}")
    line_rows = session.execute(
        sa.select(*(lines.c[f] for f in _LINE_FIELDS))
        .where(lines.c.order_id == row["id"])
        .order_by(lines.c.line_no)
    ).all()
    return order_view(row, [OrderLineView(*r) for r in line_rows])


def order_view(row: Any, lines: list[OrderLineView]) -> OrderView:
    status = OrderStatus(row["status"])
    return OrderView(
        id=row["id"],
        number=row["number"],
        channel=str(row["channel"]),
        external_ref=row["external_ref"],
        customer_id=row["customer_id"],
        status=status.value,
        hold_reason=str(row["hold_reason"]) if row["hold_reason"] else None,
        held_from=str(row["held_from"]) if row["held_from"] else None,
        duplicate_of_id=row["duplicate_of_id"],
        backorder_policy=row["backorder_policy"],
        ship_policy=row["ship_policy"],
        fulfilment_status=row["fulfilment_status"],
        promised_dispatch_date=row["promised_dispatch_date"],
        promised_delivery_date=row["promised_delivery_date"],
        currency=row["currency"],
        billing_address=row["billing_address"] or {},
        shipping_address=row["shipping_address"] or {},
        subtotal=row["subtotal"],
        discount_total=row["discount_total"],
        tax_total=row["tax_total"],
        shipping_total=row["shipping_total"],
        total=row["total"],
        requested_delivery_date=row["requested_delivery_date"],
        notes=row["notes"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        lines=lines,
        allowed_actions=[a.value for a in allowed_actions(status)],
        version=row.get("version") or 1,
    )


@dataclass(frozen=True, slots=True)
class OrderFilter:
    status: OrderStatus | None = None
    customer_id: uuid.UUID | None = None
    channel: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    sku: str | None = None
    external_ref: str | None = None
    hold_reason: str | None = None
    # the back office's filters (issue 8); each is served by an index (ADR 0023 pages)
    backordered: bool = False
    """Open orders with a line still waiting for stock."""
    dispatch_due: date | None = None
    """Orders promised to leave on or before this day that have not fully left."""
    search: OrderSearch | None = None
    """Orders matching a searched text (``search_orders``)."""


@dataclass(frozen=True, slots=True)
class OrderSearch:
    """What a searched text matched: orders by number or external ref, customers by
    number, e-mail or name prefix. Empty when nothing matched."""

    order_ids: tuple[uuid.UUID, ...] = ()
    customer_ids: tuple[uuid.UUID, ...] = ()


SEARCH_LIMIT = 50


def search_orders(session: Session, text: str) -> OrderSearch:
    """Resolve a searched text through unique or leading-column indexes only: an order
    number, an external ref (``uq_orders_channel_external_ref``, probed for every
    channel), a customer number or e-mail, or the start of a customer's name."""
    term = text.strip()
    if not term or not matchable(term) or len(term) > 200:
        return OrderSearch()
    orders, customers = table_of(Order), table_of(Customer)
    by_number = sa.select(orders.c.id).where(orders.c.number == term.upper())
    by_ref = sa.select(orders.c.id).where(
        orders.c.channel.in_([c.value for c in Channel]), orders.c.external_ref == term
    )
    order_ids = tuple(session.scalars(sa.union(by_number, by_ref).limit(SEARCH_LIMIT)))
    who = sa.or_(
        customers.c.number == term.upper(),
        customers.c.email == term.lower(),
        *(  # a name's start, as typed or capitalised (ix_customers_name ranges)
            sa.and_(customers.c.name >= start, customers.c.name < start + "\uffff")
            for start in sorted({term, term.capitalize(), term.title()})
        ),
    )
    customer_ids = tuple(session.scalars(sa.select(customers.c.id).where(who).limit(SEARCH_LIMIT)))
    return OrderSearch(order_ids, customer_ids)


def list_orders(
    session: Session,
    flt: OrderFilter,
    *,
    limit: int = 50,
    before: tuple[datetime, uuid.UUID] | None = None,
) -> list[OrderSummary]:
    """Newest first, keyset-paginated on (created_at, id) — indexed per filter.

    With ``sku`` the query starts from the SKU's lines (``ix_order_lines_sku_created``):
    the keyset runs on the line's copy of its order's ``created_at`` (ADR 0039), so a
    page reads about ``limit`` lines whatever the number of orders. An order with the
    SKU on several lines counts once: by the line of that SKU with the lowest number."""
    if not matchable(flt.channel, flt.sku, flt.external_ref, flt.hold_reason):
        return []
    orders, lines = table_of(Order), table_of(OrderLine)
    query = sa.select(*(orders.c[f] for f in _SUMMARY_FIELDS))
    # the keyset's columns: the order's, or the SKU's line's copy of them
    created_at, the_id = orders.c.created_at, orders.c.id
    if flt.sku is not None:
        earlier = lines.alias("earlier")
        created_at, the_id = lines.c.order_created_at, lines.c.order_id
        query = query.select_from(lines.join(orders, orders.c.id == lines.c.order_id)).where(
            lines.c.sku == flt.sku,
            ~sa.exists().where(  # probed by uq_order_lines_order_line_no
                earlier.c.order_id == lines.c.order_id,
                earlier.c.line_no < lines.c.line_no,
                earlier.c.sku == lines.c.sku,
            ),
        )
    if flt.status is not None:
        query = query.where(orders.c.status == flt.status.value)
    if flt.customer_id is not None:
        query = query.where(orders.c.customer_id == flt.customer_id)
    if flt.channel is not None:
        query = query.where(orders.c.channel == flt.channel)
    if flt.created_from is not None:
        query = query.where(created_at >= flt.created_from)
    if flt.created_to is not None:
        query = query.where(created_at < flt.created_to)
    if flt.external_ref is not None:
        query = query.where(orders.c.external_ref == flt.external_ref)
    if flt.hold_reason is not None:
        query = query.where(orders.c.hold_reason == flt.hold_reason)
    if flt.backordered:
        waiting = lines.alias("waiting")  # any line of the order, not only the SKU's
        query = query.where(
            orders.c.status.in_([s.value for s in RESERVING_STATUSES]),
            sa.exists().where(
                waiting.c.order_id == orders.c.id, waiting.c.backordered_quantity > 0
            ),
        )
    if flt.dispatch_due is not None:
        query = query.where(
            orders.c.fulfilment_status.in_(_OPEN_FULFILMENT),
            orders.c.status.in_([s.value for s in RESERVING_STATUSES]),
            orders.c.promised_dispatch_date <= flt.dispatch_due,
        )
    if flt.search is not None:
        query = query.where(
            sa.or_(
                orders.c.id.in_(flt.search.order_ids),
                orders.c.customer_id.in_(flt.search.customer_ids),
            )
        )
    if before is not None:
        query = query.where(sa.tuple_(created_at, the_id) < sa.tuple_(*before))
    query = query.order_by(created_at.desc(), the_id.desc()).limit(limit)
    return [OrderSummary(*row) for row in session.execute(query)]


def order_id(session: Session, order_id_or_number: str) -> uuid.UUID:
    """Resolve an order id or number, or raise OrderNotFound."""
    orders = table_of(Order)
    found: uuid.UUID | None = session.scalar(
        sa.select(orders.c.id).where(_order_filter(order_id_or_number))
    )
    if found is None:
        raise OrderNotFound(f"no order {order_id_or_number!r}")
    return found


def order_history(session: Session, order_id_or_number: str) -> list[HistoryEntry]:
    history = table_of(OrderHistory)
    the_order_id = order_id(session, order_id_or_number)
    rows = session.execute(
        sa.select(
            history.c.at,
            history.c.actor,
            history.c.action,
            history.c.from_status,
            history.c.to_status,
            history.c.reason,
            history.c.details,
        )
        .where(history.c.order_id == the_order_id)
        .order_by(history.c.at, history.c.id)
    ).all()
    return [HistoryEntry(*row) for row in rows]


@dataclass(frozen=True, slots=True)
class CurrencyVolume:
    currency: str
    order_count: int
    lifetime_value: Decimal


@dataclass(frozen=True, slots=True)
class CustomerHistory:
    customer_id: uuid.UUID
    order_count: int
    open_order_count: int
    cancelled_order_count: int
    suspected_duplicate_count: int
    units_ordered: int
    lifetime_value: list[CurrencyVolume]
    first_order_at: datetime | None
    last_order_at: datetime | None
    recent_orders: list[OrderSummary] = field(default_factory=list)


def customer_history(
    session: Session, customer_id: uuid.UUID, *, recent: int = 10
) -> CustomerHistory:
    """Orders, volume and lifetime value of one customer.

    Drafts are not orders yet; orders held as suspected duplicates are counted apart (they
    are probably an order already counted); cancelled orders add no volume or value.
    One aggregate per currency over ``ix_orders_customer_history``, which holds every
    column it reads (ADR 0041)."""
    orders = table_of(Order)
    suspected = sa.and_(
        orders.c.status == OrderStatus.ON_HOLD.value,
        orders.c.hold_reason == HoldReason.SUSPECTED_DUPLICATE.value,
    )
    counted = sa.not_(suspected)
    valued = sa.and_(counted, orders.c.status != OrderStatus.CANCELLED.value)
    mine = sa.and_(orders.c.customer_id == customer_id, orders.c.status != OrderStatus.DRAFT.value)
    query = (
        sa.select(
            orders.c.currency,
            sa.func.count().filter(counted).label("counted"),
            sa.func.count()
            .filter(orders.c.status.in_(sorted(s.value for s in OPEN_STATUSES)), counted)
            .label("open"),  # drafts are not ``mine``
            sa.func.count()
            .filter(orders.c.status == OrderStatus.CANCELLED.value)
            .label("cancelled"),
            sa.func.count().filter(suspected).label("suspected"),
            sa.func.min(orders.c.created_at).label("first"),
            sa.func.max(orders.c.created_at).label("last"),
            sa.func.count().filter(valued).label("valued"),
            sa.func.coalesce(sa.func.sum(orders.c.units).filter(valued), 0).label("units"),
        )
        .where(mine)
        .group_by(orders.c.currency)
        .order_by(orders.c.currency)
    )
    rows: list[dict[str, Any]]
    try:
        value = sa.func.sum(orders.c.total).filter(valued).label("value")
        rows = [dict(r) for r in session.execute(query.add_columns(value)).mappings()]
    except OperationalError:
        # SQLite sums the scaled 64-bit integers of Fixed and can overflow past ~9.2e14:
        # add the Decimals in Python instead (exact, slower, only for such customers)
        rows = [
            dict(r) | {"value": _value_in_python(session, sa.and_(mine, valued), r["currency"])}
            for r in session.execute(query).mappings()
        ]
    return CustomerHistory(
        customer_id=customer_id,
        order_count=sum(r["counted"] for r in rows),
        open_order_count=sum(r["open"] for r in rows),
        cancelled_order_count=sum(r["cancelled"] for r in rows),
        suspected_duplicate_count=sum(r["suspected"] for r in rows),
        units_ordered=sum(int(r["units"]) for r in rows),
        lifetime_value=[
            CurrencyVolume(r["currency"], r["valued"], r["value"]) for r in rows if r["valued"]
        ],
        first_order_at=min((r["first"] for r in rows), default=None),
        last_order_at=max((r["last"] for r in rows), default=None),
        recent_orders=list_orders(session, OrderFilter(customer_id=customer_id), limit=recent),
    )


def _value_in_python(session: Session, valued: sa.ColumnElement[bool], currency: str) -> Decimal:
    orders = table_of(Order)
    totals = session.scalars(sa.select(orders.c.total).where(valued, orders.c.currency == currency))
    return sum(totals, Decimal(0))


@dataclass(frozen=True, slots=True)
class ReservationRow:
    """Units of one product an open order holds in one warehouse."""

    order_number: str
    warehouse_id: uuid.UUID
    quantity: int
    ordered_at: datetime


def open_reservations(
    session: Session,
    *,
    product_id: uuid.UUID,
    warehouse_ids: list[uuid.UUID],
    limit: int = 50,
) -> list[ReservationRow]:
    """The orders holding stock of a product in these warehouses, oldest order first, at
    most ``limit`` (``ix_order_reservations_item``: warehouse, product)."""
    if not warehouse_ids:
        return []
    reservations, orders = table_of(OrderReservation), table_of(Order)
    rows = session.execute(
        sa.select(
            orders.c.number,
            reservations.c.warehouse_id,
            reservations.c.quantity,
            orders.c.created_at,
        )
        .join(orders, orders.c.id == reservations.c.order_id)
        .where(
            reservations.c.warehouse_id.in_(sorted(warehouse_ids)),
            reservations.c.product_id == product_id,
            reservations.c.quantity > 0,
        )
        .order_by(orders.c.created_at, orders.c.id)
        .limit(limit)
    )
    return [ReservationRow(n, w, int(q), at) for n, w, q, at in rows]
