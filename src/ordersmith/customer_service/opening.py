"""Opening a case: ``open_case`` (by staff, or by the customer), in one unit of work.

1. check the request's shape (no database);
2. take the case's number ``CS-<year>-NNNNNN`` from the per-series counters (gaps
   allowed, no hot row, ADR 0003) — before the first statement;
3. check the customer and that the order, shipment and return named belong to them
   (a return names its order: the case takes it when no order is given);
4. a ``damage_report`` records a damage incident on its order through
   ``fulfillment.incidents.report_damage`` (which locks the order): the order is no
   longer damage free in the perfect-order KPI;
5. write the case (its SLA due time: now + the hours of its priority) and the
   description as its first note, record ``case.opened``.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.customer_service import inputs
from ordersmith.customer_service.errors import CaseLinkMismatch
from ordersmith.customer_service.events import CaseOpened
from ordersmith.customer_service.models import Case, CaseNote, CaseType, Party, Visibility
from ordersmith.customer_service.queries import get_case
from ordersmith.customer_service.sla import CasePriority, due_at, sla_hours
from ordersmith.customer_service.status import CaseStatus
from ordersmith.customer_service.views import CaseView
from ordersmith.customers.queries import active_customer
from ordersmith.db import table_of
from ordersmith.errors import FieldError, NotFound
from ordersmith.fulfillment.incidents import report_damage
from ordersmith.ids import new_id
from ordersmith.orders.errors import OrderNotFound
from ordersmith.orders.models import Order
from ordersmith.returns.errors import ReturnNotFound
from ordersmith.returns.models import Return
from ordersmith.shipping.models import Shipment, ShipmentLine
from ordersmith.uow import UnitOfWork
from ordersmith.validation import MAX_QUANTITY, FieldChecks, one_of

_C, _N = table_of(Case), table_of(CaseNote)


def take_case_number(uow: UnitOfWork) -> str:
    """The next ``CS-<year>-NNNNNN``; take it before the unit of work's first statement."""
    series = f"CS-{clock.now().year}"
    return f"{series}-{uow.next_number(series):06d}"


def open_case(
    uow: UnitOfWork,
    *,
    customer_id: uuid.UUID,
    case_type: str,
    subject: str,
    priority: str = CasePriority.NORMAL.value,
    description: str = "",
    order_id: uuid.UUID | None = None,
    shipment_id: uuid.UUID | None = None,
    return_id: uuid.UUID | None = None,
    assignee: str = "",
    opened_by: Party = Party.STAFF,
    damage_line_no: int | None = None,
    damage_quantity: int = 0,
) -> CaseView:
    """A new open case of the customer. The description is its first note (internal when
    staff open it, for the customer when the customer does). A ``damage_report`` needs
    its order (``damage_line_no`` / ``damage_quantity``: which units, when known)."""
    uow.authorize(Permission.CASES_WRITE)
    checks = FieldChecks()
    kind = checks.run("type", one_of(CaseType), case_type)
    level = checks.run("priority", one_of(CasePriority), priority)
    clean_subject = checks.run("subject", inputs.SUBJECT, subject) or ""
    clean_description = checks.run("description", inputs.DESCRIPTION, description) or ""
    clean_assignee = checks.run("assignee", inputs.ASSIGNEE, assignee) or ""
    damage = damage_line_no is not None or damage_quantity
    if kind is CaseType.DAMAGE_REPORT and order_id is None and return_id is None:
        checks.fail("order", "a damage report names the order the damaged goods came with")
    if damage and kind is not CaseType.DAMAGE_REPORT:
        checks.fail("damage_line_no", "only a damage report names damaged units")
    if not 0 <= damage_quantity <= MAX_QUANTITY:
        checks.fail("damage_quantity", f"must be from 0 to {MAX_QUANTITY}")
    checks.raise_if_any("the case is not valid")
    assert kind is not None
    assert level is not None
    number = take_case_number(uow)
    customer = active_customer(uow.session, customer_id)
    order_id = _check_links(uow, customer.id, order_id, shipment_id, return_id)
    incident_id = None
    if kind is CaseType.DAMAGE_REPORT:
        assert order_id is not None
        incident_id = report_damage(
            uow,
            order_id=order_id,
            note=f"{number}: {clean_subject}",
            line_no=damage_line_no,
            quantity=damage_quantity,
        ).id
    now, case_id, hours = clock.now(), new_id(), sla_hours(uow.settings, level)
    uow.session.execute(
        sa.insert(_C).values(
            id=case_id,
            number=number,
            customer_id=customer.id,
            order_id=order_id,
            shipment_id=shipment_id,
            return_id=return_id,
            type=kind.value,
            priority=level.value,
            status=CaseStatus.OPEN.value,
            subject=clean_subject,
            assignee=clean_assignee,
            opened_by=opened_by.value,
            created_by=uow.actor,
            created_at=now,
            updated_at=now,
            sla_hours=hours,
            sla_due_at=due_at(now, hours),
            clock_stopped_at=None,
            paused_seconds=0,
            damage_incident_id=incident_id,
            resolution="",
            resolved_by="",
            closed_by="",
        )
    )
    if clean_description:
        visibility = Visibility.CUSTOMER if opened_by is Party.CUSTOMER else Visibility.INTERNAL
        uow.session.execute(
            sa.insert(_N).values(
                id=new_id(),
                case_id=case_id,
                author=uow.actor,
                author_kind=opened_by.value,
                visibility=visibility.value,
                body=clean_description,
                communication_id=None,
                created_at=now,
            )
        )
    uow.record(
        CaseOpened(
            aggregate_id=case_id,
            number=number,
            customer_id=customer.id,
            order_id=order_id,
            type=kind.value,
            priority=level.value,
            subject=clean_subject,
            opened_by=opened_by.value,
            sla_due_at=due_at(now, hours).isoformat(),
        )
    )
    return get_case(uow.session, case_id)


def _check_links(
    uow: UnitOfWork,
    customer_id: uuid.UUID,
    order_id: uuid.UUID | None,
    shipment_id: uuid.UUID | None,
    return_id: uuid.UUID | None,
) -> uuid.UUID | None:
    """The case's order (given, or the return's); CaseLinkMismatch when a document is
    another customer's or the documents do not belong together."""
    session, problems = uow.session, []
    if return_id is not None:
        returns = table_of(Return)
        rma = session.execute(
            sa.select(returns.c.number, returns.c.customer_id, returns.c.order_id).where(
                returns.c.id == return_id
            )
        ).one_or_none()
        if rma is None:
            raise ReturnNotFound(f"no return {return_id}")
        if rma.customer_id != customer_id:
            problems.append(FieldError("return", f"{rma.number} is another customer's return"))
        elif order_id is not None and rma.order_id != order_id:
            problems.append(FieldError("return", f"{rma.number} is a return of another order"))
        else:
            order_id = rma.order_id
    if order_id is not None:
        orders = table_of(Order)
        order = session.execute(
            sa.select(orders.c.number, orders.c.customer_id).where(orders.c.id == order_id)
        ).one_or_none()
        if order is None:
            raise OrderNotFound(f"no order {order_id}")
        if order.customer_id != customer_id:
            problems.append(FieldError("order", f"{order.number} is another customer's order"))
    if shipment_id is not None:
        problems += _shipment_problems(uow, customer_id, order_id, shipment_id)
    if problems:
        raise CaseLinkMismatch(
            "the case names documents that do not belong to its customer or together",
            fields=problems,
        )
    return order_id


def _shipment_problems(
    uow: UnitOfWork, customer_id: uuid.UUID, order_id: uuid.UUID | None, shipment_id: uuid.UUID
) -> list[FieldError]:
    shipments, lines = table_of(Shipment), table_of(ShipmentLine)
    shipment = uow.session.execute(
        sa.select(shipments.c.number, shipments.c.customer_id).where(shipments.c.id == shipment_id)
    ).one_or_none()
    if shipment is None:
        raise NotFound(f"no shipment {shipment_id}", code="shipment_not_found")
    if shipment.customer_id != customer_id:
        return [FieldError("shipment", f"{shipment.number} is another customer's shipment")]
    if order_id is not None and not uow.session.scalar(
        sa.select(
            sa.exists().where(lines.c.shipment_id == shipment_id, lines.c.order_id == order_id)
        )
    ):
        return [FieldError("shipment", f"{shipment.number} carries nothing of the case's order")]
    return []
