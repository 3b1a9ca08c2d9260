"""Factories for returns, over the real services: a delivered order, then each step of its
return (request, authorise, ship, receive, inspect, resolve)."""

from __future__ import annotations

import itertools
import uuid
from datetime import datetime
from typing import Any

from ordersmith import clock
from ordersmith.orders.queries import get_order
from ordersmith.orders.views import OrderView
from ordersmith.returns.inputs import DispositionInput, ReceivedLineInput, ReturnLineInput
from ordersmith.returns.inspection import inspect_return
from ordersmith.returns.models import RequestedBy
from ordersmith.returns.requests import create_return
from ordersmith.returns.resolution import resolve_return
from ordersmith.returns.services import authorise_return, receive_return
from ordersmith.returns.views import ReturnView
from ordersmith.shipping.queries import get_shipment
from ordersmith.shipping.tracking import TrackingInput, record_tracking
from ordersmith.uow import Database
from tests.factories.billing import ship_everything_picked
from tests.factories.fulfillment import confirm
from tests.factories.orders import order_request, place

_events = itertools.count(1)
ADDRESS = {"name": "Goods in", "line1": "2 Trade Street", "city": "Hamburg", "country": "DE"}


def deliver(db: Database, tracking_number: str, at: datetime | None = None) -> None:
    """The carrier (LOCAL) scans the shipment as delivered at ``at`` (default now)."""
    with db.unit_of_work(actor="carrier:LOCAL") as uow:
        record_tracking(
            uow,
            carrier="LOCAL",
            events=[
                TrackingInput(
                    f"ev-ret-{next(_events)}", tracking_number, "delivered", at or clock.now()
                )
            ],
            source="api",
        )


def delivered_order(
    db: Database,
    customer_id: uuid.UUID,
    *lines: tuple[str, int],
    warehouse: str = "MAIN",
    **kw: Any,
) -> OrderView:
    """Placed (to ``ADDRESS`` unless a shipping address is given), confirmed, picked,
    packed, dispatched from ``warehouse`` and delivered now (a LOCAL courier must exist:
    ``make_courier``). Account customers are invoiced on dispatch."""
    kw.setdefault("shipping_address", ADDRESS)
    order = confirm(db, place(db, order_request(customer_id, *lines, **kw)))
    shipment_id = ship_everything_picked(db, order, warehouse=warehouse)
    with db.reader() as session:
        tracking = get_shipment(session, str(shipment_id)).tracking_number
    deliver(db, tracking)
    with db.reader() as session:
        return get_order(session, str(order.id))


def ask(
    db: Database,
    order: OrderView,
    *lines: tuple[int, int, str] | tuple[int, int, str, str],
    actor: str = "user:sam",
    **kw: Any,
) -> ReturnView:
    """A return of ``(order line_no, quantity, reason[, note])`` lines."""
    with db.unit_of_work(actor=actor) as uow:
        return create_return(
            uow,
            order_id=order.id,
            lines=[ReturnLineInput(*line) for line in lines],
            requested_by=kw.pop("requested_by", RequestedBy.STAFF),
            **kw,
        )


def authorise(db: Database, rma: ReturnView, **kw: Any) -> ReturnView:
    with db.unit_of_work(actor="user:sam") as uow:
        return authorise_return(uow, return_id=rma.id, **kw)


def receive(db: Database, rma: ReturnView, *lines: tuple[int, int]) -> ReturnView:
    """Everything asked back, or ``(line_no, units)`` per line."""
    with db.unit_of_work(actor="user:goods-in") as uow:
        return receive_return(
            uow,
            return_id=rma.id,
            lines=[ReceivedLineInput(n, q) for n, q in lines] if lines else None,
        )


def inspect(db: Database, rma: ReturnView, *decisions: DispositionInput) -> ReturnView:
    with db.unit_of_work(actor="user:inspector") as uow:
        return inspect_return(uow, return_id=rma.id, dispositions=list(decisions))


def restock_all(db: Database, rma: ReturnView) -> ReturnView:
    return inspect(db, rma, *(DispositionInput(line.line_no, "restock") for line in rma.lines))


def resolve(db: Database, rma: ReturnView, resolution: str, **kw: Any) -> ReturnView:
    with db.unit_of_work(actor="user:sam") as uow:
        return resolve_return(uow, return_id=rma.id, resolution=resolution, **kw)


def back_in_stock(db: Database, order: OrderView, *lines: tuple[int, int, str]) -> ReturnView:
    """Asked, authorised, received in full and restocked."""
    rma = receive(db, authorise(db, ask(db, order, *lines)))
    return restock_all(db, rma)
