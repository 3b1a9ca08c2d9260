"""After-sales in the fulfilment simulation: returns, cases, order changes, a duplicate.

On the simulation's timeline (``demo.schedule``), through the real services:

- **Returns** (``demo.aftersales_returns``) and **cases** (``demo.aftersales_cases``):
  the returns desk and customer service work in rounds, weekdays at 10:30 and 15:30,
  on what has happened by then (delivered parcels, a parcel back from the carrier);
  the story ends with returns in every state and cases in every status, one open past
  its SLA.
- **Order changes**: before the 09:00 wave, a trade customer calls about an order
  confirmed since the last wave and not yet on a pick list: two more of a line and a
  product added (``orders.changes.change_order``); another has part of an order split
  off to come later (``orders.splitting.split_order``); in a long story a third has a
  line cancelled. The split-off order goes to the warehouse like any other.
- **A duplicate customer**: early on, sales quick-creates a customer on a phone order
  who is already one (same name and address, the email typed with capitals, the phone
  written another way), and the order is paid by card and confirmed; a few days later
  customer service finds the pair (``customers.duplicates.find_duplicates``) and merges
  the new record into the old one (``customers.merge.merge_customers``), which takes
  the order and its payment. Later a second record of another customer is created (a
  new email, the same phone and address): left for someone to merge (``ordersmith
  customers duplicates``).

Loyalty tiers are set at load (``demo.loyalty``); the worker's nightly run keeps them
current. The randomness is its own (``random.Random(f"aftersales:{seed}")``).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import partial

from ordersmith.customers.duplicates import find_duplicates
from ordersmith.customers.merge import merge_customers
from ordersmith.customers.models import AddressKind
from ordersmith.customers.queries import get_customer, list_addresses
from ordersmith.customers.services import AddressInput, create_customer
from ordersmith.demo import demand
from ordersmith.demo.aftersales_cases import CaseDesk
from ordersmith.demo.aftersales_returns import ReturnsDesk
from ordersmith.demo.warehouse_work import SimOrder, Story
from ordersmith.errors import Conflict, ValidationFailed
from ordersmith.fulfillment.queries import order_allocations
from ordersmith.orders.change_rules import ChangeOrder
from ordersmith.orders.changes import change_order
from ordersmith.orders.models import Channel
from ordersmith.orders.placement import LineRequest, PlaceOrder, place_order
from ordersmith.orders.queries import get_order
from ordersmith.orders.requests import LineRequest as ChangeLine
from ordersmith.orders.splitting import split_order
from ordersmith.orders.views import OrderView
from ordersmith.uow import Database

# float-ok-module: no amounts; the desks' chances are probabilities

SALES, SERVICE = "demo:sales", "demo:customer-service"
ROUNDS = (time(10, 30), time(15, 30))
Later = Callable[[datetime, Callable[[], None]], None]


def _at(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=UTC)


@dataclass
class AfterSales:
    db: Database
    later: Later
    seed: int
    story: Story
    shop: demand.Shop
    first_day: date
    last_day: date
    rng: random.Random = field(init=False)
    returns: ReturnsDesk = field(init=False)
    cases: CaseDesk = field(init=False)
    merges: int = 0
    changes: int = 0
    splits: int = 0
    duplicates: list[uuid.UUID] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(f"aftersales:{self.seed}")
        days = (self.last_day - self.first_day).days + 1
        self.gap = 2 if days >= 28 else 1
        self.returns = ReturnsDesk(self.db, self.rng, self.shop, self.gap, self.handover)
        self.cases = CaseDesk(self.db, self.rng, self.shop, self.gap)

    def plan(self) -> None:
        days = [
            self.first_day + timedelta(days=i)
            for i in range((self.last_day - self.first_day).days + 1)
        ]
        weekdays = [d for d in days if d.weekday() < 5]
        rounds = [_at(d, t) for d in weekdays[1:] or weekdays for t in ROUNDS]
        self.returns.plan(len(rounds), long=len(days) >= 28)
        self.cases.plan(len(rounds))
        for i, when in enumerate(rounds):
            self.later(when, partial(self._round, i))
        mornings = weekdays[1:-1]  # the last day's orders are its own story
        for i, day in enumerate(mornings):
            self.later(_at(day, time(8, 15)), self._change)
            if i >= 1:
                self.later(_at(day, time(8, 20)), self._split)
            if len(days) >= 28 and i >= len(mornings) // 2:
                self.later(_at(day, time(8, 25)), self._cancel_line)
        first = rounds[max(0, len(rounds) // 10)]
        merge = rounds[min(len(rounds) - 3, len(rounds) // 10 + 3 * self.gap + 1)]
        self.later(first + timedelta(minutes=45), partial(self._quick_create, True))
        self.later(merge + timedelta(minutes=50), self._merge)
        second = rounds[len(rounds) * 2 // 3]
        self.later(second + timedelta(minutes=50), partial(self._quick_create, False))

    @property
    def damage_reports(self) -> int:
        """Damage incidents the desks recorded (damage report cases, damaged returns)."""
        return self.returns.damage_reports + self.cases.damage_reports

    def _round(self, index: int) -> None:
        self.returns.round(index)
        self.cases.round(index)

    def handover(self, order: OrderView) -> None:
        """Give a new confirmed order (a split-off part, an exchange's replacement, the
        duplicate's) to the warehouse: the simulation picks, packs and ships it."""
        sim = SimOrder(
            order.id,
            order.number,
            order.customer_id,
            dict(order.shipping_address or {}),
            False,
            order.status,
            order.hold_reason,
            order.total,
            order.currency,
            order.channel,
        )
        self.story.orders[sim.id] = sim
        if order.status == "confirmed":
            self.story.open_orders.add(sim.id)

    # --- a customer twice ---------------------------------------------------------------

    def _quick_create(self, with_order: bool) -> None:
        """Sales creates a customer who already is one (see the module docstring)."""
        retail = [c for c in self.shop.customers if not c.trade]
        original = self.rng.choice(retail)  # the shop's customers are in number order
        with self.db.reader() as session:
            known = get_customer(session, original.id)
            shipping = list_addresses(session, original.id, kind=AddressKind.SHIPPING)
        if not shipping or not known.phone:
            return
        address = shipping[0]
        local, _, domain = known.email.partition("@")
        email = f"{local.title()}@{domain.upper()}" if with_order else f"{local}.home@example.net"
        digits = known.phone.replace(" ", "")
        phone = f"{digits[:3]} ({digits[3:6]}) {digits[6:]}" if with_order else digits
        with self.db.unit_of_work(actor=SALES) as uow:
            twin = create_customer(
                uow,
                name=known.name,
                email=email,
                phone=phone,
                account_type=known.account_type,
                customer_group=known.customer_group,
                addresses=[
                    AddressInput(
                        kind=AddressKind.SHIPPING,
                        name=address.name,
                        line1=address.line1,
                        city=address.city,
                        postcode=address.postcode,
                        country=address.country,
                        is_default=True,
                    )
                ],
            )
        self.duplicates.append(twin.id)
        if with_order:
            self._phone_order(twin.id)

    def _phone_order(self, customer_id: uuid.UUID) -> None:
        """One or two products in stock, paid by card on the phone and confirmed."""
        in_stock = sorted(
            sku for sku in self.shop.products if self.shop.available.get(sku, 0) >= 20
        )
        if not in_stock:
            return
        lines = [
            (sku, self.rng.randint(1, 3))
            for sku in self.rng.sample(in_stock, min(2, len(in_stock)))
        ]
        try:
            with self.db.unit_of_work(actor=SALES) as uow:
                view = place_order(
                    uow,
                    PlaceOrder(
                        customer_id=customer_id,
                        channel=Channel.PHONE,
                        lines=[LineRequest(sku, units) for sku, units in lines],
                    ),
                )
        except Conflict as exc:
            self.refused.append(f"phone order: {exc.code}")
            return
        demand.take(self.shop, lines)
        self.handover(view)
        self.story.confirm(self.story.orders[view.id])  # paid by card, then confirmed

    def _merge(self) -> None:
        """Customer service finds the twin by its email and merges it into the original."""
        if not self.duplicates:
            return
        twin = self.duplicates[0]
        with self.db.reader() as session:
            groups, _more = find_duplicates(session, rule="email", limit=200)
        group = next((g for g in groups if twin in {m.id for m in g.customers}), None)
        if group is None:
            return
        survivor = next(m for m in group.customers if m.id != twin)
        with self.db.unit_of_work(actor=SERVICE) as uow:
            merge_customers(
                uow,
                survivor_id=survivor.id,
                duplicate_id=twin,
                reason=f"Same person as {survivor.number}: created again on a phone order",
            )
        self.merges += 1
        for order in self.story.orders.values():
            if order.customer_id == twin:
                order.customer_id = survivor.id

    # --- changes before picking -----------------------------------------------------------

    def _unpicked_trade_orders(self) -> list[OrderView]:
        """Confirmed orders of account customers with every unit allocated and none on a
        pick list (nothing billed yet), in number order."""
        trade = {c.id for c in self.shop.customers if c.trade}
        found = []
        with self.db.reader() as session:
            for order_id in sorted(
                self.story.open_orders, key=lambda i: self.story.orders[i].number
            ):
                sim = self.story.orders[order_id]
                if sim.customer_id not in trade:
                    continue
                allocations = order_allocations(session, order_id)
                if not allocations or any(
                    a.status != "allocated" or a.pick_list_id is not None for a in allocations
                ):
                    continue
                order = get_order(session, str(order_id))
                if order.status == "confirmed" and not order.backordered:
                    found.append(order)
        return found

    def _change(self) -> None:
        """A customer calls: two more of the first line, and one more product."""
        if self.changes:
            return
        for order in self._unpicked_trade_orders():
            first = order.lines[0]
            extra = next(
                (
                    sku
                    for sku in sorted(self.shop.products)
                    if self.shop.available.get(sku, 0) >= 30
                    and sku not in {ln.sku for ln in order.lines}
                ),
                None,
            )
            if extra is None:
                return
            request = ChangeOrder(
                reason="Customer called: two more, and add the fixings they forgot",
                quantities={first.line_no: first.quantity + 2},
                add_lines=(ChangeLine(extra, 5),),
                expected_version=order.version,
            )
            if self._try_change(order, request):
                demand.take(self.shop, [(first.sku, 2), (extra, 5)])
                self.changes += 1
                return

    def _cancel_line(self) -> None:
        """A customer no longer needs one line of a longer order."""
        if self.changes != 1:
            return
        for order in self._unpicked_trade_orders():
            if len(order.lines) >= 2:
                request = ChangeOrder(
                    reason="Customer no longer needs it: bought locally",
                    cancel_lines=(order.lines[-1].line_no,),
                    expected_version=order.version,
                )
                if self._try_change(order, request):
                    self.changes += 1
                    return

    def _try_change(self, order: OrderView, request: ChangeOrder) -> bool:
        try:
            with self.db.unit_of_work(actor=SALES) as uow:
                change_order(uow, order_id=order.id, request=request)
        except (Conflict, ValidationFailed) as exc:
            self.refused.append(f"change {order.number}: {exc.code}")
            return False
        return True

    def _split(self) -> None:
        """The last line of a longer order is to come with the next site delivery."""
        if self.splits:
            return
        for order in self._unpicked_trade_orders():
            if len(order.lines) < 2:
                continue
            last = order.lines[-1]
            try:
                with self.db.unit_of_work(actor=SALES) as uow:
                    _kept, later_part = split_order(
                        uow,
                        order=str(order.id),
                        moves={last.line_no: last.quantity},
                        reason="Customer wants this part with the next site delivery",
                        expected_version=order.version,
                    )
            except (Conflict, ValidationFailed) as exc:
                self.refused.append(f"split {order.number}: {exc.code}")
                continue
            self.splits += 1
            self.handover(later_part)
            return
