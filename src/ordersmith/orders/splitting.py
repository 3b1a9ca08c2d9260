"""Splitting an order (some lines or units go to a new order of the same customer) and
merging two open orders of one customer (ADR 0020). Same rules as any change: open and
not on hold, nothing picked, nothing billed, a reason, optional ``expected_version``.

- **Split**: the new order copies the original's customer, channel, currency, addresses,
  policies, dates and notes; its lines keep the prices they were sold at; shipping stays
  with the original. The original keeps its reserved units first; the rest of its
  reservation moves to the new order with the moved units (the ledger is untouched) and
  a backordered unit stays backordered there: a split never jumps the queue for stock
  other orders wait for. Both are allocated again if confirmed. The new order's first
  version is its ``split_from`` change.
- **Merge**: the other order's lines are copied onto the surviving order and its
  reservation rows move with them (the ledger is untouched: the units stay reserved);
  the other order is cancelled (``merged into``). Both orders must have the same
  customer, currency, shipping address and status (placed or confirmed).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.config import BackorderPolicy
from ordersmith.db import core, insert_rows, table_of
from ordersmith.errors import FieldError, InvalidTransition, ValidationFailed
from ordersmith.ids import new_id
from ordersmith.inventory.ledger import Key
from ordersmith.money import ZERO
from ordersmith.orders.change_log import record_change
from ordersmith.orders.change_rules import (
    ChangeKind,
    check_version,
    clean_reason,
    rescale,
    snapshot,
)
from ordersmith.orders.changes import (
    guard_lines,
    line_rows,
    order_values,
    reallocate_if_confirmed,
    refuse_if_picked,
    rewrite_lines,
    stocked_products,
)
from ordersmith.orders.errors import OrdersNotMergeable
from ordersmith.orders.events import OrderCancelled
from ordersmith.orders.history import note_on_orders
from ordersmith.orders.locking import lock_order, lock_orders
from ordersmith.orders.models import Order, OrderLine
from ordersmith.orders.queries import get_order, order_id
from ordersmith.orders.rereserve import LineTarget, own_reservations, rebalance, write_reservations
from ordersmith.orders.status import OrderStatus
from ordersmith.orders.totals import LineAmounts
from ordersmith.orders.views import OrderView
from ordersmith.uow import UnitOfWork

SPLITTABLE = frozenset({OrderStatus.PLACED, OrderStatus.CONFIRMED})


def _check_splittable(order: Any) -> None:
    if OrderStatus(order["status"]) not in SPLITTABLE:
        raise InvalidTransition(
            f"only placed or confirmed orders can be split or merged; "
            f"{order['number']} is {order['status']}",
            extra={"current_status": str(order["status"])},
        )


def split_order(
    uow: UnitOfWork,
    *,
    order: str,
    moves: Mapping[int, int],
    reason: str,
    expected_version: int | None = None,
) -> tuple[OrderView, OrderView]:
    """Move ``moves`` (line number -> units) to a new order; (original, new order)."""
    uow.authorize(Permission.ORDERS_CHANGE)
    now = clock.now()
    series = f"{uow.settings.order_number_prefix}-{now.year}"
    number = f"{series}-{uow.next_number(series):06d}"  # before the first statement
    reason = clean_reason(reason)
    original = lock_order(uow, order_id(uow.session, order))
    check_version(original["number"], original["version"], expected_version)
    _check_splittable(original)
    refuse_if_picked(uow, [original], [ChangeKind.SPLIT])
    guard_lines(uow, original)
    lines = line_rows(uow, original["id"])
    _check_moves(lines, moves)
    before = snapshot(original, lines)

    currency = original["currency"]
    kept, moved = [], []
    for line in lines:
        units = moves.get(line["line_no"], 0)
        left = int(line["quantity"]) - units
        kept.append({**line, "quantity": left, "_amounts": _amounts(line, left, currency)})
        if units:
            moved.append((line, units))
    handed: dict[Key, int] = {}  # the moved units' reservation: it goes with them
    values = rewrite_lines(uow, original, lines, kept, hand_over=handed)
    orders = table_of(Order)
    uow.session.execute(sa.update(orders).where(orders.c.id == original["id"]).values(**values))

    new_id_ = new_id()
    new_lines = []
    for i, (line, units) in enumerate(moved):
        amounts = _amounts(line, units, currency)  # the same unit price, discount in share
        new_lines.append(
            {
                **dict(line),
                "id": new_id(),
                "order_id": new_id_,
                "order_created_at": now,  # the new order's (ADR 0039)
                "line_no": i + 1,
                "quantity": units,
                # the original kept its reserved units first (rebalance); the rest of
                # the line's reservation moves with these units, its backorder too
                "_reserved": max(0, int(line["reserved_quantity"]) - (line["quantity"] - units)),
                "reserved_quantity": 0,
                "backordered_quantity": 0,
                "backorder_expected_date": None,
                "discount": amounts.discount,
                "net_amount": amounts.net,
                "tax_amount": amounts.tax,
                "_amounts": amounts,
            }
        )
    new_values = _totals(new_lines, ZERO, currency)  # shipping stays with the original
    stocked = stocked_products(uow, [t["product_id"] for t in new_lines])
    row = {
        **dict(original),
        **new_values,
        "id": new_id_,
        "number": number,
        "external_ref": None,
        "hold_reason": None,
        "held_from": None,
        "fulfilment_status": "unfulfilled",
        "promised_dispatch_date": None,
        "promised_delivery_date": None,
        "duplicate_of_id": None,
        "created_by": uow.actor,
        "created_at": now,
        "updated_at": now,
        "version": 0,  # its split_from change makes it version 1
    }
    core(uow.session).execute(sa.insert(orders), [row])
    stock = rebalance(
        uow,
        order_id=new_id_,
        number=number,
        lines=[
            LineTarget(
                id=t["id"],
                product_id=t["product_id"],
                sku=t["sku"],
                stocked=stocked.get(t["product_id"], True),
                quantity=t["quantity"],
                reserved=t["_reserved"],
                old_quantity=t["quantity"],  # nothing gained: a backorder stays one
                warehouse_id=t["warehouse_id"],
            )
            for t in new_lines
        ],
        policy=BackorderPolicy(original["backorder_policy"]),
        current=handed,
    )
    insert_rows(
        uow.session.connection(),
        table_of(OrderLine),
        [
            {k: v for k, v in t.items() if not k.startswith("_")}
            | {
                "reserved_quantity": stock[t["id"]].reserved,
                "backordered_quantity": stock[t["id"]].backordered,
            }
            for t in new_lines
        ],
    )
    moved_text = ", ".join(f"{units} x {line['sku']}" for line, units in moved)
    record_change(
        uow,
        order_id=original["id"],
        kinds=[ChangeKind.SPLIT],
        summary=f"{moved_text} moved to order {number}",
        reason=reason,
        before=before,
        after=_after(uow, original["id"]) | {"split_to": number},
    )
    record_change(
        uow,
        order_id=new_id_,
        kinds=[ChangeKind.SPLIT_FROM],
        summary=f"split from order {original['number']}: {moved_text}",
        reason=reason,
        before={"split_from": original["number"], "total": "0"},
        after=_after(uow, new_id_),
        notify=False,
    )
    reallocate_if_confirmed(uow, original)
    reallocate_if_confirmed(uow, lock_order(uow, new_id_))
    return get_order(uow.session, str(original["id"])), get_order(uow.session, str(new_id_))


def merge_orders(
    uow: UnitOfWork,
    *,
    into: uuid.UUID,
    other: uuid.UUID,
    reason: str,
    expected_version: int | None = None,
) -> OrderView:
    """Take ``other``'s lines and reservation into ``into``; ``other`` is cancelled."""
    uow.authorize(Permission.ORDERS_CHANGE)
    reason = clean_reason(reason)
    if into == other:
        raise OrdersNotMergeable("an order cannot be merged with itself")
    rows = {r["id"]: r for r in lock_orders(uow, [into, other])}
    survivor, absorbed = rows[into], rows[other]
    check_version(survivor["number"], survivor["version"], expected_version)
    for row in (survivor, absorbed):
        _check_splittable(row)
    _check_mergeable(survivor, absorbed)
    refuse_if_picked(uow, [survivor, absorbed], [ChangeKind.MERGE])
    guard_lines(uow, survivor)
    guard_lines(uow, absorbed)
    if survivor["status"] == OrderStatus.CONFIRMED:
        from ordersmith.fulfillment.rework import drop_allocations

        drop_allocations(uow, into)
        drop_allocations(uow, other)
    ours, theirs = line_rows(uow, into), line_rows(uow, other)
    before, before_other = snapshot(survivor, ours), snapshot(absorbed, theirs)

    held = own_reservations(uow, into)
    for key, q in own_reservations(uow, other).items():
        held[key] = held.get(key, 0) + q
    write_reservations(uow, into, held)  # the units stay reserved: only their order moves
    write_reservations(uow, other, {})
    lines = table_of(OrderLine)
    copies = [
        {
            **dict(line),
            "id": new_id(),
            "order_id": into,
            "order_created_at": survivor["created_at"],  # the surviving order's (ADR 0039)
            "line_no": len(ours) + i + 1,
        }
        for i, line in enumerate(line for line in theirs if line["quantity"])
    ]
    if copies:
        insert_rows(uow.session.connection(), lines, copies)
    uow.session.execute(
        sa.update(lines)
        .where(lines.c.order_id == other)
        .values(reserved_quantity=0, backordered_quantity=0)
    )
    currency = survivor["currency"]
    everything = [
        {**line, "_amounts": _amounts(line, int(line["quantity"]), currency)}
        for line in [*ours, *copies]
    ]
    shipping = survivor["shipping_total"] + absorbed["shipping_total"]
    values = _totals(everything, shipping, currency)
    orders = table_of(Order)
    uow.session.execute(sa.update(orders).where(orders.c.id == into).values(**values))
    uow.session.execute(
        sa.update(orders)
        .where(orders.c.id == other)
        .values(status=OrderStatus.CANCELLED.value, updated_at=clock.now())
    )
    note_on_orders(
        uow,
        [(other, OrderStatus.CANCELLED.value)],
        action="cancel",
        reason=f"merged into order {survivor['number']}: {reason}",
        details={"merged_into": survivor["number"]},
        from_status=str(absorbed["status"]),
    )
    uow.record(
        OrderCancelled(
            aggregate_id=other,
            number=absorbed["number"],
            reason=f"merged into order {survivor['number']}",
        )
    )
    record_change(
        uow,
        order_id=into,
        kinds=[ChangeKind.MERGE],
        summary=f"order {absorbed['number']} merged in",
        reason=reason,
        before=before,
        after=_after(uow, into) | {"merged": absorbed["number"]},
    )
    record_change(
        uow,
        order_id=other,
        kinds=[ChangeKind.MERGED_INTO],
        summary=f"merged into order {survivor['number']}",
        reason=reason,
        before=before_other,
        after=_after(uow, other) | {"merged_into": survivor["number"]},
        notify=False,
    )
    reallocate_if_confirmed(uow, survivor)
    return get_order(uow.session, str(into))


def _check_moves(lines: list[Any], moves: Mapping[int, int]) -> None:
    by_no = {line["line_no"]: line for line in lines}
    errors = []
    for line_no, units in sorted(moves.items()):
        line = by_no.get(line_no)
        if line is None or not line["quantity"]:
            errors.append(FieldError(f"moves.{line_no}", "no such open line"))
        elif not 1 <= units <= line["quantity"]:
            errors.append(FieldError(f"moves.{line_no}", f"between 1 and {line['quantity']}"))
    if not moves:
        errors.append(FieldError("moves", "name the lines and units to move"))
    if errors:
        raise ValidationFailed("the split is not valid", fields=errors)
    if sum(int(line["quantity"]) for line in lines) == sum(moves.values()):
        raise ValidationFailed(
            "a split must leave something on the original order",
            code="split_moves_everything",
            fields=[FieldError("moves", "moves every unit")],
        )


def _check_mergeable(a: Any, b: Any) -> None:
    problems = []
    if a["customer_id"] != b["customer_id"]:
        problems.append("different customers")
    if a["currency"] != b["currency"]:
        problems.append("different currencies")
    if dict(a["shipping_address"] or {}) != dict(b["shipping_address"] or {}):
        problems.append("different shipping addresses")
    if a["status"] != b["status"]:
        problems.append(f"one is {a['status']}, the other {b['status']}")
    if problems:
        raise OrdersNotMergeable(
            f"orders {a['number']} and {b['number']} cannot be merged: {', '.join(problems)}",
            extra={"problems": problems},
        )


def _amounts(line: Mapping[str, Any], quantity: int, currency: str) -> LineAmounts:
    return rescale(line, quantity, currency)


def _totals(lines: list[dict[str, Any]], shipping: Decimal, currency: str) -> dict[str, Any]:
    return order_values({"shipping_total": shipping, "currency": currency}, lines)


def _after(uow: UnitOfWork, order_id: uuid.UUID) -> dict[str, Any]:
    return snapshot(lock_order(uow, order_id), line_rows(uow, order_id)) | {
        "order_id": str(order_id)
    }
