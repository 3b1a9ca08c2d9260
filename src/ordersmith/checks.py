"""`ordersmith check`: prove the projections equal their ledgers and every invariant holds.

Each check is one aggregate query returning only the rows that are wrong, so the
check stays cheap at millions of orders. Any violation makes the command exit non-zero.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.db import table_of
from ordersmith.inventory.models import StockLevel, StockMovement
from ordersmith.orders.models import Order, OrderLine, OrderReservation
from ordersmith.orders.status import RESERVING_STATUSES


@dataclass(frozen=True, slots=True)
class Violation:
    check: str
    detail: str


def _stock_equals_ledger(session: Session) -> list[Violation]:
    levels, moves = table_of(StockLevel), table_of(StockMovement)
    ledger = (
        sa.select(
            moves.c.warehouse_id,
            moves.c.product_id,
            sa.func.sum(moves.c.on_hand_delta).label("on_hand"),
            sa.func.sum(moves.c.reserved_delta).label("reserved"),
        )
        .group_by(moves.c.warehouse_id, moves.c.product_id)
        .subquery()
    )
    found = [
        Violation(
            "stock_equals_ledger",
            f"warehouse {r.warehouse_id} product {r.product_id}: projection "
            f"{r.on_hand}/{r.reserved} vs ledger {r.l_on_hand}/{r.l_reserved} (on hand/reserved)",
        )
        for r in session.execute(
            sa.select(
                levels.c.warehouse_id,
                levels.c.product_id,
                levels.c.on_hand,
                levels.c.reserved,
                sa.func.coalesce(ledger.c.on_hand, 0).label("l_on_hand"),
                sa.func.coalesce(ledger.c.reserved, 0).label("l_reserved"),
            )
            .outerjoin(
                ledger,
                sa.and_(
                    ledger.c.warehouse_id == levels.c.warehouse_id,
                    ledger.c.product_id == levels.c.product_id,
                ),
            )
            .where(
                sa.or_(
                    levels.c.on_hand != sa.func.coalesce(ledger.c.on_hand, 0),
                    levels.c.reserved != sa.func.coalesce(ledger.c.reserved, 0),
                )
            )
        )
    ]
    orphans = session.execute(
        sa.select(ledger.c.warehouse_id, ledger.c.product_id)
        .outerjoin(
            levels,
            sa.and_(
                ledger.c.warehouse_id == levels.c.warehouse_id,
                ledger.c.product_id == levels.c.product_id,
            ),
        )
        .where(levels.c.warehouse_id.is_(None))
    ).all()
    found += [
        Violation("stock_equals_ledger", f"ledger rows without stock level: {r[0]}/{r[1]}")
        for r in orphans
    ]
    return found


def _stock_within_bounds(session: Session) -> list[Violation]:
    levels = table_of(StockLevel)
    rows = session.execute(
        sa.select(
            levels.c.warehouse_id, levels.c.product_id, levels.c.on_hand, levels.c.reserved
        ).where(
            sa.or_(
                levels.c.on_hand < 0, levels.c.reserved < 0, levels.c.reserved > levels.c.on_hand
            )
        )
    ).all()
    return [
        Violation("stock_within_bounds", f"{r[0]}/{r[1]}: on hand {r[2]}, reserved {r[3]}")
        for r in rows
    ]


def _reserved_equals_open_reservations(session: Session) -> list[Violation]:
    levels, res = table_of(StockLevel), table_of(OrderReservation)
    open_res = (
        sa.select(res.c.warehouse_id, res.c.product_id, sa.func.sum(res.c.quantity).label("q"))
        .group_by(res.c.warehouse_id, res.c.product_id)
        .subquery()
    )
    rows = session.execute(
        sa.select(
            levels.c.warehouse_id,
            levels.c.product_id,
            levels.c.reserved,
            sa.func.coalesce(open_res.c.q, 0),
        )
        .outerjoin(
            open_res,
            sa.and_(
                open_res.c.warehouse_id == levels.c.warehouse_id,
                open_res.c.product_id == levels.c.product_id,
            ),
        )
        .where(levels.c.reserved != sa.func.coalesce(open_res.c.q, 0))
    ).all()
    return [
        Violation(
            "reserved_equals_open_reservations",
            f"{r[0]}/{r[1]}: reserved {r[2]} but open reservations total {r[3]}",
        )
        for r in rows
    ]


def _reservations_belong_to_open_orders(session: Session) -> list[Violation]:
    res, orders = table_of(OrderReservation), table_of(Order)
    rows = session.execute(
        sa.select(orders.c.number, orders.c.status)
        .join(res, res.c.order_id == orders.c.id)
        .where(orders.c.status.not_in([s.value for s in RESERVING_STATUSES]), res.c.quantity > 0)
        .distinct()
    ).all()
    return [
        Violation(
            "reservations_belong_to_open_orders",
            f"order {r[0]} is {r[1]} but still holds reserved stock",
        )
        for r in rows
    ]


def _lines_match_reservations(session: Session) -> list[Violation]:
    """Per (order, product): units the lines say are reserved == open reservation rows,
    compared from both sides (a reservation no line accounts for is drift too)."""
    lines, res = table_of(OrderLine), table_of(OrderReservation)
    by_line = (
        sa.select(
            lines.c.order_id, lines.c.product_id, sa.func.sum(lines.c.reserved_quantity).label("q")
        )
        .group_by(lines.c.order_id, lines.c.product_id)
        .subquery()
    )
    by_res = (
        sa.select(res.c.order_id, res.c.product_id, sa.func.sum(res.c.quantity).label("q"))
        .group_by(res.c.order_id, res.c.product_id)
        .subquery()
    )
    line_side = session.execute(
        sa.select(
            by_line.c.order_id, by_line.c.product_id, by_line.c.q, sa.func.coalesce(by_res.c.q, 0)
        )
        .outerjoin(
            by_res,
            sa.and_(
                by_res.c.order_id == by_line.c.order_id, by_res.c.product_id == by_line.c.product_id
            ),
        )
        .where(by_line.c.q > 0, by_line.c.q != sa.func.coalesce(by_res.c.q, 0))
    ).all()
    reservation_side = session.execute(
        sa.select(
            by_res.c.order_id, by_res.c.product_id, sa.func.coalesce(by_line.c.q, 0), by_res.c.q
        )
        .outerjoin(
            by_line,
            sa.and_(
                by_line.c.order_id == by_res.c.order_id, by_line.c.product_id == by_res.c.product_id
            ),
        )
        .where(by_res.c.q > 0, by_res.c.q != sa.func.coalesce(by_line.c.q, 0))
    ).all()
    drifted = {(r[0], r[1]): (r[2], r[3]) for r in [*line_side, *reservation_side]}
    return [
        Violation(
            "lines_match_reservations",
            f"order {order} product {product}: lines say {said} reserved, reservations {held}",
        )
        for (order, product), (said, held) in drifted.items()
    ]


def _order_totals_add_up(session: Session) -> list[Violation]:
    orders, lines = table_of(Order), table_of(OrderLine)
    sums = (
        sa.select(
            lines.c.order_id,
            sa.func.sum(lines.c.net_amount).label("net"),
            sa.func.sum(lines.c.tax_amount).label("tax"),
            sa.func.sum(lines.c.quantity).label("units"),
        )
        .group_by(lines.c.order_id)
        .subquery()
    )
    rows = session.execute(
        sa.select(orders.c.number)
        .outerjoin(sums, sums.c.order_id == orders.c.id)
        .where(
            sa.or_(
                orders.c.total
                != orders.c.subtotal
                - orders.c.discount_total
                + orders.c.tax_total
                + orders.c.shipping_total,
                orders.c.subtotal - orders.c.discount_total != sa.func.coalesce(sums.c.net, 0),
                orders.c.tax_total != sa.func.coalesce(sums.c.tax, 0),
                orders.c.units != sa.func.coalesce(sums.c.units, 0),
            )
        )
    ).all()
    return [
        Violation("order_totals_add_up", f"order {r[0]}: totals differ from its lines")
        for r in rows
    ]


CHECKS: dict[str, Callable[[Session], list[Violation]]] = {
    "stock_equals_ledger": _stock_equals_ledger,
    "stock_within_bounds": _stock_within_bounds,
    "reserved_equals_open_reservations": _reserved_equals_open_reservations,
    "reservations_belong_to_open_orders": _reservations_belong_to_open_orders,
    "lines_match_reservations": _lines_match_reservations,
    "order_totals_add_up": _order_totals_add_up,
}


def all_checks() -> dict[str, Callable[[Session], list[Violation]]]:
    """The core checks here and every area's own (imported on call: they import us)."""
    from ordersmith.billing import checks as billing
    from ordersmith.customer_service import checks as cases
    from ordersmith.fulfillment import checks as fulfillment
    from ordersmith.inventory import checks as inventory
    from ordersmith.orders import checks as orders
    from ordersmith.purchasing import checks as purchasing
    from ordersmith.replenishment import checks as replenishment
    from ordersmith.returns import checks as returns
    from ordersmith.shipping import checks as shipping

    return {
        **CHECKS,
        "transfers_match_ledger": inventory.transfers_match_ledger,
        "order_versions_match_changes": orders.versions_match_changes,
        "lines_carry_order_created_at": orders.lines_carry_order_created_at,
        "allocations_match_reservations": fulfillment.allocations_match_reservations,
        "lines_match_shipped_allocations": fulfillment.lines_match_shipped_allocations,
        "shipments_match_allocations": shipping.shipments_match_allocations,
        "journal_balances": billing.journal_balances,
        "billing_documents_add_up": billing.billing_documents_add_up,
        "purchase_order_totals_add_up": purchasing.purchase_order_totals_add_up,
        "purchase_received_equals_receipts": purchasing.received_equals_receipts,
        "purchase_status_matches_quantities": purchasing.status_matches_quantities,
        replenishment.NAME: replenishment.requests_match_documents,
        "returns_within_shipped": returns.returns_within_shipped,
        "return_dispositions_match_ledger": returns.return_dispositions_match_ledger,
        "return_dispositions_cover_receipts": returns.return_dispositions_cover_receipts,
        "cases_sla_consistent": cases.cases_sla_consistent,
        "case_notes_mailed_to_case_customer": cases.case_notes_mailed_to_case_customer,
    }


def run_checks(session: Session) -> dict[str, list[Violation]]:
    """Run every check in one read transaction; map check name -> its violations."""
    return {name: check(session) for name, check in all_checks().items()}
