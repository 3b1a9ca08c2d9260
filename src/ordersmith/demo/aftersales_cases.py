"""Customer service in the fulfilment simulation: the cases' story (``demo.aftersales``).

Eleven cases of every type, priority and status, each opened at its round (weekdays at
10:30 and 15:30) on what the simulation has by then (queried at that time): a customer
asks where their parcel is (opened by the customer, answered, resolved and closed); the
parcel the carrier brought back, and one after a carrier exception, become delivery
problems (the team asks the customer, who answers and reopens one); a damage report on
a delivered order (a damage incident on the order, so it is not damage free); a
complaint about a rejected return; billing questions; an enquiry about a product
waiting on the customer; a complaint resolved a day after its 8-hour target (breached);
and on the last day an urgent complaint still open past its SLA and a billing question
just in. Notes are internal or for the customer; the customer's are emailed by the
worker's nightly run.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from dataclasses import dataclass, field, replace

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.customer_service.models import Party, Visibility
from ordersmith.customer_service.notes import add_note
from ordersmith.customer_service.opening import open_case
from ordersmith.customer_service.services import close_case, resolve_case
from ordersmith.customers.models import AccountType, Customer
from ordersmith.db import table_of
from ordersmith.demo.demand import Shop
from ordersmith.errors import Conflict, NotFound, ValidationFailed
from ordersmith.orders.models import Order
from ordersmith.returns.models import Return
from ordersmith.shipping.models import Shipment, ShipmentLine
from ordersmith.uow import Database

# float-ok-module: when a case opens, as a share of the rounds (no amounts)

DESK, CUSTOMER = "demo:customer-service", "demo:customer"
Link = tuple[uuid.UUID, uuid.UUID | None, uuid.UUID | None, uuid.UUID | None]
"""(customer, order, shipment, return)."""


@dataclass
class Script:
    start: float
    """When it opens: a share of the rounds; -2: the last day's first round, -1: its last."""
    find: str
    case_type: str
    priority: str
    subject: str
    description: str
    assignee: str
    steps: tuple[tuple[int, str, str], ...] = ()
    """(rounds after the step before, action, text); actions: ``internal``, ``tell``,
    ``ask`` (waits on the customer), ``reply`` (the customer), ``resolve``, ``close``."""
    by_customer: bool = False
    due: int = 0
    latest: int = 0
    """The last round it can open and still play every step: then any delivered order."""
    step: int = 0
    case_id: uuid.UUID | None = None


SCRIPTS = (
    Script(
        0.3,
        "in_transit",
        "enquiry",
        "normal",
        "Where is my parcel?",
        "Ordered last week and nothing yet: when does it come?",
        "Kim Weber",
        (
            (0, "internal", "ParcelNet scan: in the hub, out for delivery tomorrow"),
            (0, "tell", "Your parcel is on its way and should arrive tomorrow."),
            (2, "resolve", "Customer told; the parcel was delivered"),
            (2, "close", ""),
        ),
        by_customer=True,
    ),
    Script(
        0.45,
        "returned",
        "delivery_problem",
        "high",
        "Parcel came back to us",
        "The carrier returned the parcel: recipient not found at the address",
        "Jonas Braun",
        (
            (0, "ask", "The carrier could not deliver your parcel. Is the address right?"),
            (1, "reply", "The address is right; the door is round the back of the yard."),
            (0, "internal", "Address note added for the drivers"),
            (1, "resolve", "Customer confirmed the address; credited and re-ordered"),
        ),
    ),
    Script(
        0.85,
        "exception",
        "delivery_problem",
        "normal",
        "Delivery attempt failed",
        "Carrier reports an exception on the way",
        "Aylin Demir",
        ((0, "ask", "The carrier could not deliver: when is someone there to take it?"),),
    ),
    Script(
        0.35,
        "delivered",
        "damage_report",
        "high",
        "Box arrived crushed",
        "Customer sent photos: one unit dented",
        "Kim Weber",
        (
            (0, "internal", "Photos checked: the outer box took a hit in transit"),
            (0, "tell", "We are sorry: we credit the dented unit, no need to send it back."),
            (1, "resolve", "One unit credited; carrier claim filed"),
            (2, "close", ""),
        ),
    ),
    Script(
        0.6,
        "rejected_return",
        "complaint",
        "normal",
        "Return refused",
        "Customer disagrees with the refused return",
        "Jonas Braun",
        (
            (0, "internal", "The goods came back used: the refusal stands"),
            (
                0,
                "tell",
                "We checked again: used goods cannot be resold, so we cannot take them back.",
            ),
            (2, "resolve", "Explained the return policy; the customer accepted it"),
        ),
    ),
    Script(
        0.2,
        "account",
        "billing",
        "low",
        "Invoice without our PO number",
        "Accounts payable needs the purchase order number on the invoice",
        "Aylin Demir",
        (
            (0, "internal", "PO number is on the order notes; invoice copy to be sent"),
            (1, "tell", "Here is the invoice again with your purchase order number."),
            (0, "resolve", "Invoice copy sent with the PO reference"),
            (2, "close", ""),
        ),
    ),
    Script(
        0.9,
        "anyone",
        "enquiry",
        "low",
        "Do you stock the longer version?",
        "Customer asks for a 120 mm version of a hinge",
        "Kim Weber",
        ((0, "ask", "Which finish do you need? We can order it in from the maker."),),
    ),
    Script(
        0.5,
        "delivered",
        "complaint",
        "high",
        "Delivered a day late",
        "The fitter waited a whole morning",
        "Jonas Braun",
        (
            (0, "internal", "Carrier was late on the route that day"),
            (2, "resolve", "Apologised; shipping refunded as goodwill"),
        ),
    ),
    Script(
        0.7,
        "account",
        "billing",
        "normal",
        "Payment reminder in error?",
        "Customer says they paid the invoice by transfer",
        "Aylin Demir",
        (
            (0, "internal", "Transfer found on the statement, booked the day after"),
            (1, "tell", "Thank you: your payment arrived; the reminder crossed with it."),
            (0, "resolve", "Payment matched; the reminder crossed with it"),
            (2, "close", ""),
        ),
    ),
    Script(
        -2,
        "delivered",
        "complaint",
        "urgent",
        "Wrong colour delivered again",
        "Second time the wrong finish came: the site opens on Monday",
        "Kim Weber",
        ((0, "internal", "Checking the bin: the labels of two finishes may be swapped"),),
    ),
    Script(
        -1,
        "account",
        "billing",
        "normal",
        "Credit note not received",
        "Customer asks for the credit note of their return",
        "",
    ),
)


FALLBACK = {  # too late to wait any longer for a parcel in trouble
    "returned": ("exception", "in_transit", "delivered"),
    "exception": ("returned", "in_transit", "delivered"),
    "in_transit": ("delivered",),
    "rejected_return": ("delivered",),
}


def _shipments(session: Session, statuses: tuple[str, ...]) -> list[Link]:
    s, sl, o = table_of(Shipment), table_of(ShipmentLine), table_of(Order)
    rows = session.execute(
        sa.select(s.c.number, o.c.number.label("order"), s.c.customer_id, sl.c.order_id, s.c.id)
        .distinct()
        .join(sl, sl.c.shipment_id == s.c.id)
        .join(o, o.c.id == sl.c.order_id)
        .where(s.c.status.in_(statuses))
    )
    ordered = sorted(rows, key=lambda r: (r.number, r.order))
    return [(r.customer_id, r.order_id, r.id, None) for r in ordered]


@dataclass
class CaseDesk:
    db: Database
    rng: random.Random
    shop: Shop
    gap: int
    scripts: list[Script] = field(default_factory=list)
    used: set[uuid.UUID] = field(default_factory=set)
    refused: list[str] = field(default_factory=list)
    notes: Counter[str] = field(default_factory=Counter)
    damage_reports: int = 0

    def plan(self, rounds: int) -> None:
        for template in SCRIPTS:
            script = replace(template)
            start = rounds + int(script.start) if script.start < 0 else int(script.start * rounds)
            script.due = max(0, min(start, rounds - 1))
            script.latest = rounds - 1 - sum(after for after, *_ in script.steps) * self.gap
            self.scripts.append(script)

    def round(self, index: int) -> None:
        for script in self.scripts:
            while script.due <= index and script.step <= len(script.steps):
                try:
                    if not self._act(script, late=index >= script.latest):
                        script.due = index + 1  # nothing to open it on yet
                        break
                except (Conflict, NotFound, ValidationFailed) as exc:
                    self.refused.append(f"{script.subject}: {exc.code}: {exc}")
                    script.step = len(script.steps) + 1
                    break
                script.step += 1
                if script.step <= len(script.steps):
                    script.due = index + script.steps[script.step - 1][0] * self.gap

    def _act(self, script: Script, *, late: bool) -> bool:
        if script.case_id is None:
            return self._open(script, late=late)
        _after, action, text = script.steps[script.step - 1]
        case_id = script.case_id
        customer = action == "reply"
        with self.db.unit_of_work(actor=CUSTOMER if customer else DESK) as uow:
            if action in ("internal", "tell", "ask", "reply"):
                add_note(
                    uow,
                    case_id=case_id,
                    body=text,
                    visibility=(
                        Visibility.INTERNAL if action == "internal" else Visibility.CUSTOMER
                    ).value,
                    author_kind=Party.CUSTOMER if customer else Party.STAFF,
                    wait=action == "ask",
                )
                self.notes[action] += 1
            elif action == "resolve":
                resolve_case(uow, case_id=case_id, resolution=text)
            else:
                close_case(uow, case_id=case_id)
        return True

    def _open(self, script: Script, *, late: bool) -> bool:
        link = self._find(script.find)
        for other in FALLBACK.get(script.find, ()) if late and link is None else ():
            link = link or self._find(other)
        if link is None:
            return False
        customer_id, order_id, shipment_id, return_id = link
        damage = script.case_type == "damage_report"
        with self.db.unit_of_work(actor=CUSTOMER if script.by_customer else DESK) as uow:
            view = open_case(
                uow,
                customer_id=customer_id,
                case_type=script.case_type,
                subject=script.subject,
                priority=script.priority,
                description=script.description,
                order_id=order_id,
                shipment_id=shipment_id,
                return_id=return_id,
                assignee=script.assignee,
                opened_by=Party.CUSTOMER if script.by_customer else Party.STAFF,
                damage_line_no=1 if damage else None,
                damage_quantity=1 if damage else 0,
            )
        script.case_id = view.id
        self.damage_reports += 1 if damage else 0
        self.used.update(x for x in (order_id, shipment_id, return_id) if x is not None)
        return True

    def _find(self, what: str) -> Link | None:
        """The first document of its kind (by number) no case is about yet."""
        with self.db.reader() as session:
            if what == "anyone":
                customer = self.rng.choice(self.shop.customers)
                return customer.id, None, None, None
            if what == "rejected_return":
                r = table_of(Return)
                rows = session.execute(
                    sa.select(r.c.number, r.c.customer_id, r.c.id).where(r.c.status == "rejected")
                )
                found: list[Link] = [(row.customer_id, None, None, row.id) for row in sorted(rows)]
                if not found:
                    return None
            else:
                statuses = {
                    "in_transit": ("in_transit", "out_for_delivery", "dispatched"),
                    "returned": ("returned_to_sender",),
                    "exception": ("exception",),
                    "delivered": ("delivered",),
                    "account": ("delivered", "in_transit", "dispatched"),
                }[what]
                found = _shipments(session, statuses)
                if what == "account":
                    c = table_of(Customer)
                    accounts = set(
                        session.scalars(
                            sa.select(c.c.id).where(c.c.account_type == AccountType.ACCOUNT.value)
                        )
                    )
                    found = [f for f in found if f[0] in accounts]
                    found = [(f[0], f[1], None, None) for f in found]  # about the invoice
                elif what == "delivered":
                    found = [(f[0], f[1], None, None) for f in found]
        fresh = [f for f in found if not self.used.intersection(x for x in f[1:] if x)]
        return fresh[0] if fresh else None
