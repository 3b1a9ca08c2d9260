"""Returns in the fulfilment simulation: the returns desk's story (``demo.aftersales``).

A list of plots, each a return that ends in one state: resolved by refund (a cash
sale paid by card), by credit note (an account customer's invoice) and by exchange
(a replacement order, reserved at once and handed to the warehouse), rejected,
cancelled by the customer after authorisation, and, near the end, one each still
requested, authorised, in transit, received and inspected. Reasons vary (damaged,
wrong item, not as described, no longer needed, late), and the inspections restock,
refurbish, scrap or hold goods for the supplier.

The desk works at every round (weekdays at 10:30 and 15:30): a plot starts at its
round with an order whose shipment the carrier has delivered (queried then, numbers in
order, each order once), or at the next round that has one; its next step follows
``gap`` rounds later. Plots that end in a final state start early, the others so that
they reach their state in the last rounds. Steps go through the real services.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith import clock
from ordersmith.billing.models import InvoiceLine
from ordersmith.customers.models import Customer
from ordersmith.db import table_of
from ordersmith.demo.carriers import LOCAL_COURIER, PARCEL_CARRIER
from ordersmith.demo.demand import Shop
from ordersmith.errors import Conflict, ValidationFailed
from ordersmith.orders.models import Order
from ordersmith.orders.queries import get_order
from ordersmith.orders.views import OrderView
from ordersmith.returns.eligibility import returnable_lines
from ordersmith.returns.inputs import DispositionInput, ReturnLineInput
from ordersmith.returns.inspection import inspect_return
from ordersmith.returns.models import RequestedBy
from ordersmith.returns.requests import create_return
from ordersmith.returns.resolution import resolve_return
from ordersmith.returns.services import (
    authorise_return,
    cancel_return,
    line_rows,
    receive_return,
    reject_return,
    ship_return,
)
from ordersmith.shipping.models import Shipment, ShipmentLine
from ordersmith.uow import Database, UnitOfWork

DESK, GOODS_IN, CUSTOMER = "demo:returns-desk", "demo:goods-in", "demo:customer"
SALES = "demo:sales"
STEPS = ("request", "authorise", "ship", "receive", "inspect", "resolve")
PATHS = {
    "requested": ("request",),
    "rejected": ("request", "reject"),
    "authorised": ("request", "authorise"),
    "cancelled": ("request", "authorise", "cancel"),
    "in_transit": STEPS[:3],
    "received": STEPS[:4],
    "inspected": STEPS[:5],
    "resolved": STEPS,
}
RECENT_DAYS = 14
"""Returns are asked for within two weeks of the delivery (the window is 30 days or more)."""
FINAL = frozenset({"resolved", "rejected", "cancelled"})
Handover = Callable[[OrderView], None]


@dataclass
class Plot:
    target: str
    reason: str
    note: str
    dispositions: tuple[str, ...] = ()
    resolution: str | None = None
    paid: str | None = None
    """``cash`` or ``account``: whose order it must be (None: anyone's)."""
    start: int = 0
    latest: int = 0
    """The last round it can start in and still reach its state."""
    step: int = 0
    return_id: uuid.UUID | None = None

    @property
    def path(self) -> tuple[str, ...]:
        return PATHS[self.target]


PLOTS = (
    # the deepest first: they need the most rounds
    Plot(
        "resolved", "no_longer_needed", "Ordered twice by mistake", ("restock",), "refund", "cash"
    ),
    Plot(
        "resolved",
        "damaged",
        "Two units arrived dented",
        ("scrap", "refurbish"),
        "credit_note",
        "account",
    ),
    Plot(
        "resolved",
        "not_as_described",
        "Finish differs from the photo",
        ("return_to_supplier",),
        "exchange",
    ),
    Plot("cancelled", "late", "Arrived after the job was done"),
    Plot("rejected", "no_longer_needed", "Project cancelled"),
    Plot("inspected", "late", "Needed it last week", ("refurbish",)),
    Plot("received", "wrong_item", "Sent the 80 mm instead of the 100 mm"),
    Plot("in_transit", "damaged", "Cracked housing"),
    Plot("authorised", "not_as_described", "Colour is not as on the website"),
    Plot("requested", "no_longer_needed", "Bought elsewhere, unused and boxed"),
)
LONG_PLOTS = (  # only when the story is long enough for more
    Plot("resolved", "wrong_item", "Wrong size picked", ("restock",), "credit_note", "account"),
)


def delivered_orders(session: Session) -> list[tuple[str, uuid.UUID, str]]:
    """(number, id, account type) of every order a delivered shipment carried."""
    s, sl, o, c = table_of(Shipment), table_of(ShipmentLine), table_of(Order), table_of(Customer)
    rows = session.execute(
        sa.select(o.c.number, o.c.id, c.c.account_type)
        .distinct()
        .select_from(s)
        .join(sl, sl.c.shipment_id == s.c.id)
        .join(o, o.c.id == sl.c.order_id)
        .join(c, c.c.id == o.c.customer_id)
        .where(s.c.status == "delivered")
    )
    return sorted((r.number, r.id, str(r.account_type)) for r in rows)


def _invoiced(session: Session, line_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """The order lines an invoice or a receipt has billed."""
    if not line_ids:
        return set()
    il = table_of(InvoiceLine)
    return set(
        session.scalars(sa.select(il.c.order_line_id).where(il.c.order_line_id.in_(line_ids)))
    )


@dataclass
class ReturnsDesk:
    db: Database
    rng: random.Random
    shop: Shop
    gap: int
    handover: Handover
    """Gives a replacement order to the warehouse (the simulation picks and packs it)."""
    plots: list[Plot] = field(default_factory=list)
    used: set[uuid.UUID] = field(default_factory=set)
    refused: list[str] = field(default_factory=list)
    steps: Counter[str] = field(default_factory=Counter)
    damage_reports: int = 0
    """Damage incidents recorded by authorising returns of damaged goods."""

    def plan(self, rounds: int, long: bool) -> None:
        """Give each plot its starting round (of ``rounds``)."""
        early = max(2, rounds // 8)
        for template in (*PLOTS, *(LONG_PLOTS if long else ())):
            plot = replace(template)
            latest = max(0, rounds - 1 - (len(plot.path) - 1) * self.gap)
            plot.latest = latest
            if plot.target in FINAL:
                first = min(early, latest)
                plot.start = self.rng.randint(first, max(first, latest - 2 * self.gap))
            else:  # reaches its state in the last rounds (a little slack)
                plot.start = max(0, latest - 2 - self.rng.randint(0, self.gap))
            self.plots.append(plot)

    def round(self, index: int) -> None:
        """Every plot whose time has come takes its next step."""
        for plot in self.plots:
            if plot.step >= len(plot.path) or plot.start > index:
                continue
            action = plot.path[plot.step]
            try:
                done = (
                    self._request(plot, late=index >= plot.latest)
                    if action == "request"
                    else self._next(plot, action)
                )
            except (Conflict, ValidationFailed) as exc:  # the story goes on without it
                self.refused.append(f"{action} {plot.target}: {exc.code}: {exc}")
                plot.step = len(plot.path)
                continue
            if done:
                self.steps[action] += 1
                plot.step += 1
                plot.start = index + self.gap
            else:
                plot.start = index + 1  # nothing to return yet: the next round

    # --- the steps --------------------------------------------------------------------

    def _request(self, plot: Plot, *, late: bool) -> bool:
        found = self._candidate(plot, late=late)
        if found is None:
            return False
        order_id, lines = found
        by_customer = plot.target == "requested"
        with self.db.unit_of_work(actor=CUSTOMER if by_customer else DESK) as uow:
            view = create_return(
                uow,
                order_id=order_id,
                lines=lines,
                comment=plot.note,
                requested_by=RequestedBy.CUSTOMER if by_customer else RequestedBy.STAFF,
            )
        plot.return_id = view.id
        self.used.add(order_id)
        return True

    def _candidate(
        self, plot: Plot, *, late: bool
    ) -> tuple[uuid.UUID, list[ReturnLineInput]] | None:
        """A delivered order (by number) of the kind the plot needs, and what of it goes
        back: one line, two units when the plot splits them and there are two. Orders
        nothing was returned of yet come first; ``late``: any customer's will do."""
        wanted_units = 2 if len(plot.dispositions) > 1 else 1
        recent = clock.now() - timedelta(days=RECENT_DAYS)
        with self.db.reader() as session:
            delivered = delivered_orders(session)
            fresh = [d for d in delivered if d[1] not in self.used]
            for _number, order_id, account_type in fresh + [d for d in delivered if d not in fresh]:
                if plot.paid and account_type != plot.paid and not late:
                    continue
                lines = sorted(
                    (
                        line
                        for line in returnable_lines(session, order_id).values()
                        if line.returnable
                        and line.delivered_at is not None
                        and clock.as_utc(line.delivered_at) >= recent  # well in the window
                    ),
                    key=lambda line: (line.returnable < wanted_units, line.line_no),
                )
                if plot.resolution in ("refund", "credit_note"):  # credited from its invoice
                    billed = _invoiced(session, [ln.order_line_id for ln in lines])
                    lines = [ln for ln in lines if ln.order_line_id in billed]
                if plot.resolution == "exchange":  # the replacement must be in stock
                    lines = [ln for ln in lines if self.shop.available.get(ln.sku, 0) >= 10]
                if lines:
                    line = lines[0]
                    units = min(wanted_units, line.returnable)
                    return order_id, [ReturnLineInput(line.line_no, units, plot.reason, plot.note)]
        return None

    def _next(self, plot: Plot, action: str) -> bool:
        assert plot.return_id is not None
        rid = plot.return_id
        actor = (
            CUSTOMER if action in ("ship", "cancel") else GOODS_IN if action == "receive" else DESK
        )
        if action == "resolve" and plot.resolution == "exchange":
            actor = SALES  # sales places the replacement order
        replacement = None
        with self.db.unit_of_work(actor=actor) as uow:
            if action == "authorise":
                view = authorise_return(uow, return_id=rid, note=_authorise_note(plot))
                self.damage_reports += sum(1 for ln in view.lines if ln.reason == "damaged")
            elif action == "reject":
                reject_return(
                    uow,
                    return_id=rid,
                    reason="Opened and used on site: the goods cannot be resold",
                )
            elif action == "cancel":
                cancel_return(uow, return_id=rid, reason="Customer decided to keep the goods")
            elif action == "ship":
                self._ship(uow, rid)
            elif action == "receive":
                receive_return(uow, return_id=rid)
            elif action == "inspect":
                inspect_return(uow, return_id=rid, dispositions=self._dispositions(uow, plot))
            else:
                replacement = self._resolve(uow, plot)
        if replacement is not None:  # committed: the warehouse may pick it
            with self.db.reader() as session:
                self.handover(get_order(session, str(replacement)))
        return True

    def _ship(self, uow: UnitOfWork, return_id: uuid.UUID) -> None:
        """Half the customers bring it to our van driver (who numbers the parcel), the
        others send it with ParcelNet and tell us the tracking number."""
        if self.rng.random() < 0.5:  # float-ok: a probability
            ship_return(uow, return_id=return_id, carrier=LOCAL_COURIER.code)
        else:
            number = f"PNR{self.rng.randrange(10**8, 10**9)}DE"
            ship_return(
                uow, return_id=return_id, carrier=PARCEL_CARRIER.code, tracking_number=number
            )

    def _dispositions(self, uow: UnitOfWork, plot: Plot) -> list[DispositionInput]:
        """The first disposition takes the first unit, the second the rest (or the first
        all of them)."""
        assert plot.return_id is not None
        kinds = plot.dispositions or ("restock",)
        notes = {
            "restock": "Unused, in its box: back on the shelf",
            "refurbish": "Repacked and checked: back on the shelf",
            "scrap": "Beyond repair: written off",
            "return_to_supplier": "Manufacturing fault: held for the supplier",
        }
        items = []
        for line in line_rows(uow, plot.return_id):
            units = int(line["received_quantity"])
            if not units:
                continue
            if len(kinds) > 1 and units > 1:
                items.append(DispositionInput(line["line_no"], kinds[0], 1, note=notes[kinds[0]]))
                items.append(
                    DispositionInput(line["line_no"], kinds[1], units - 1, note=notes[kinds[1]])
                )
            else:
                items.append(
                    DispositionInput(line["line_no"], kinds[0], units, note=notes[kinds[0]])
                )
        return items

    def _resolve(self, uow: UnitOfWork, plot: Plot) -> uuid.UUID | None:
        assert plot.return_id is not None
        assert plot.resolution is not None
        notes = {
            "refund": "Refunded to the card it was paid with",
            "credit_note": "Credited to the customer's account",
            "exchange": "The same goods again, sent at no charge",
        }
        view = resolve_return(
            uow, return_id=plot.return_id, resolution=plot.resolution, note=notes[plot.resolution]
        )
        return view.replacement_order_id


def _authorise_note(plot: Plot) -> str:
    if plot.reason in ("damaged", "wrong_item"):
        return "Our mistake: send it back at our cost"
    return "Within the return window: send it back in its box"
