"""What the portal shows, always scoped to one customer: the areas' own queries with
``customer_id`` (another customer's order, invoice, return or case is not found, 404,
exactly like an unknown number), plus the shipments of a page of orders in one read.
A case is always read as its customer may see it: without internal notes."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.billing.models import Invoice
from ordersmith.billing.queries import get_invoice, list_invoices
from ordersmith.billing.views import InvoiceSummary
from ordersmith.config import Settings
from ordersmith.customer_service.queries import CaseFilter, get_case, list_cases
from ordersmith.customer_service.views import CaseView
from ordersmith.db import table_of
from ordersmith.documents import Party
from ordersmith.orders.queries import OrderFilter, get_order, list_orders
from ordersmith.orders.status import OrderStatus
from ordersmith.orders.views import OrderSummary, OrderView
from ordersmith.portal.models import PortalAccount
from ordersmith.returns.labels import return_recipient
from ordersmith.returns.queries import ReturnFilter, get_return, list_returns
from ordersmith.returns.views import ReturnView
from ordersmith.shipping.models import Carrier, Shipment, ShipmentLine


@dataclass(frozen=True, slots=True)
class ShipmentLink:
    number: str
    status: str
    carrier: str
    tracking_number: str
    tracking_url: str
    dispatched_at: datetime | None
    delivered_at: datetime | None


@dataclass(frozen=True, slots=True)
class CustomerOrder:
    """An order of the signed-in customer with everything the order page shows."""

    order: OrderView
    shipments: list[ShipmentLink]
    invoices: list[InvoiceSummary]
    returns: list[ReturnView]
    cases: list[CaseView]


@dataclass(frozen=True, slots=True)
class CustomerReturn:
    """A return of the signed-in customer, and where its parcel goes back to."""

    rma: ReturnView
    send_to: Party


def my_orders(
    session: Session,
    customer_id: uuid.UUID,
    *,
    limit: int,
    before: tuple[datetime, uuid.UUID] | None = None,
    status: OrderStatus | None = None,
) -> list[OrderSummary]:
    """The customer's orders newest first (``ix_orders_customer_history``; a status
    filters that customer's few rows)."""
    flt = OrderFilter(customer_id=customer_id, status=status)
    return list_orders(session, flt, limit=limit, before=before)


def shipments_of(
    session: Session, order_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[ShipmentLink]]:
    """Per order, its shipments with their carrier tracking links (one statement)."""
    if not order_ids:
        return {}
    lines, shipments, carriers = table_of(ShipmentLine), table_of(Shipment), table_of(Carrier)
    rows = session.execute(
        sa.select(
            lines.c.order_id,
            shipments.c.number,
            shipments.c.status,
            carriers.c.name,
            shipments.c.tracking_number,
            shipments.c.tracking_url,
            shipments.c.dispatched_at,
            shipments.c.delivered_at,
        )
        .distinct()
        .join(shipments, shipments.c.id == lines.c.shipment_id)
        .join(carriers, carriers.c.id == shipments.c.carrier_id)
        .where(lines.c.order_id.in_(order_ids))
        .order_by(lines.c.order_id, shipments.c.number)
    )
    found: dict[uuid.UUID, list[ShipmentLink]] = defaultdict(list)
    for order_id, *rest in rows:
        found[order_id].append(ShipmentLink(*rest))
    return found


def customer_order(session: Session, customer_id: uuid.UUID, number: str) -> CustomerOrder:
    """The order page's data; ``OrderNotFound`` (404) for another customer's order."""
    order = get_order(session, number, customer_id=customer_id)
    invoices = table_of(Invoice)
    invoice_numbers = list(
        session.scalars(
            sa.select(invoices.c.number).where(
                invoices.c.order_id == order.id, invoices.c.customer_id == customer_id
            )
        )
    )
    return CustomerOrder(
        order=order,
        shipments=shipments_of(session, [order.id]).get(order.id, []),
        invoices=[_summary(session, customer_id, n) for n in sorted(invoice_numbers, reverse=True)],
        returns=list_returns(session, ReturnFilter(customer_id=customer_id, order_id=order.id)),
        cases=list_cases(session, CaseFilter(order_id=order.id), customer_id=customer_id),
    )


def _summary(session: Session, customer_id: uuid.UUID, number: str) -> InvoiceSummary:
    view = get_invoice(session, number, customer_id=customer_id)
    return InvoiceSummary(
        id=view.id,
        number=view.number,
        kind=view.kind,
        status=view.status,
        overdue=view.overdue,
        customer_id=view.customer_id,
        order_id=view.order_id,
        shipment_id=view.shipment_id,
        currency=view.currency,
        issue_date=view.issue_date,
        due_date=view.due_date,
        total=view.total,
        balance=view.balance,
    )


def my_invoices(
    session: Session, customer_id: uuid.UUID, *, limit: int, before: tuple[date, str] | None
) -> list[InvoiceSummary]:
    """The customer's invoices newest first (``ix_invoices_customer_issued``)."""
    return list_invoices(session, customer_id=customer_id, limit=limit, before=before)


def my_returns(
    session: Session,
    customer_id: uuid.UUID,
    *,
    limit: int,
    before: tuple[datetime, uuid.UUID] | None = None,
) -> list[ReturnView]:
    """The customer's returns newest first, without lines (``ix_returns_customer_created``)."""
    return list_returns(session, ReturnFilter(customer_id=customer_id), limit=limit, before=before)


def customer_return(
    session: Session, settings: Settings, customer_id: uuid.UUID, number: str
) -> CustomerReturn:
    """The return page's data: the return with its lines and its return address (the
    label's recipient); ``ReturnNotFound`` (404) for another customer's return."""
    rma = get_return(session, number, customer_id=customer_id)
    return CustomerReturn(rma=rma, send_to=return_recipient(session, settings, rma.warehouse_id))


def my_cases(session: Session, customer_id: uuid.UUID, *, limit: int = 50) -> list[CaseView]:
    return list_cases(session, customer_id=customer_id, limit=limit)


def customer_case(session: Session, customer_id: uuid.UUID, number: str) -> CaseView:
    """A case of the customer with the notes they may see (their own and staff's notes
    for them, never internal ones); ``CaseNotFound`` (404) for another customer's case."""
    return get_case(session, number, customer_id=customer_id).for_customer()


def marketing_opt_in(session: Session, account_id: uuid.UUID) -> bool:
    """Whether the portal account opted in to marketing email (ADR 0029)."""
    return bool(
        session.scalar(
            sa.select(PortalAccount.marketing_emails).where(PortalAccount.id == account_id)
        )
    )
