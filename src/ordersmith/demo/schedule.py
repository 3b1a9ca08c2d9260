"""When things happen in the fulfilment simulation: the day plans and the timeline.

A timeline of (time, sequence, action) entries is played oldest first, each action
inside ``clock.simulated(its time)``; actions add later entries (an order's confirmation,
a pick list's confirmation, a supplier delivery). A weekday: carrier scans are reported
at 07:00, 12:00, 17:00 and 21:00; the buyer orders what the replenishment requests ask
for on Monday at 08:00 (``demo.supply``: deliveries follow with each supplier's lead
time, urgent ones by phone); waves at 09:00 and 13:00, each picked an hour later;
packing at 11:00 and 15:00; the carriers collect at 16:00; the worker sends the day's
mail at 21:30. Weekends: a few orders and the carriers' scans, no warehouse work. The
last day follows ``LAST_DAY_ORDERS`` and stops at 18:00 with work left in every state
(``ordersmith.demo.fulfilment``). Billing shares the timeline (``demo.billing``), from
the months before the first day (``demo.billing_story``): the worker's daily jobs at
00:05, the bank at 08:30. After-sales too (``demo.aftersales``): order changes before the
09:00 wave, the returns desk and customer service in rounds at 10:30 and 15:30.
"""

from __future__ import annotations

import heapq
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import partial

from ordersmith import clock
from ordersmith.demo import demand
from ordersmith.demo.aftersales import AfterSales
from ordersmith.demo.billing import Billing
from ordersmith.demo.billing_story import HISTORY_DAYS, BillingStory, cast, history_orders
from ordersmith.demo.deliveries import Deliveries
from ordersmith.demo.demand import OrderSpec, Shop, ShopCustomer
from ordersmith.demo.supply import Supply
from ordersmith.demo.warehouse_work import SimOrder, Story
from ordersmith.inventory.queries import stock_levels
from ordersmith.jobs.worker import run_once
from ordersmith.shipping.promise import add_business_days
from ordersmith.uow import Database

# float-ok-module: the share of trade orders that a second one follows (a probability)

Progress = Callable[[str, int, int], None]
MAIN = "MAIN"
WEEKDAY_ORDERS = (1, 2)
WEEKEND_ORDERS = (0, 1)
FOLLOW_UP = 0.35  # trade orders followed by a second one from the same customer
CANCEL_EARLY, CANCEL_LATE = (19, 5), (31, 11)  # every 19th order from the 5th, ...
LAST_DAY_ORDERS = (
    # (placed at, minutes until confirmed or None: still unconfirmed at 18:00)
    (time(7, 40), 25),  # waved at 09:00, packed at 11:00, dispatched at 16:00
    (time(8, 50), 40),  # waved at 13:00, packed at 15:00 (three orders: one stays
    (time(10, 20), 30),  # picked, one is packed without a label, one is labelled
    (time(11, 45), 35),  # and waits for tomorrow's collection)
    (time(13, 30), 30),  # on the 16:30 wave's pick list
    (time(15, 10), 30),  # on the 16:30 wave's pick list
    (time(17, 5), 30),  # confirmed and allocated
    (time(17, 35), None),  # placed
)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def business_days_before(day: date, days: int) -> date:
    for _ in range(days):
        day -= timedelta(days=1)
        while day.weekday() >= 5:
            day -= timedelta(days=1)
    return day


@dataclass(order=True)
class _Entry:
    at: datetime
    seq: int
    action: Callable[[], None] = field(compare=False)


@dataclass
class Simulation:
    db: Database
    rng: random.Random
    shop: Shop
    first_day: date
    last_day: date
    progress: Progress | None = None
    seed: int = 42
    """Billing's own randomness comes from it (the fulfilment's is ``rng``)."""
    story: Story = field(init=False)
    deliveries: Deliveries = field(init=False)
    billing: Billing = field(init=False)
    end: datetime = field(init=False)
    supply: Supply = field(init=False)
    aftersales: AfterSales = field(init=False)
    emails: int = 0
    _queue: list[_Entry] = field(default_factory=list)
    _seq: int = 0
    _held: set[uuid.UUID] = field(default_factory=set)
    _last_day_customers: set[uuid.UUID] = field(default_factory=set)
    _called: uuid.UUID | None = None
    """The last customer who called back with a second order (never a third)."""
    _withheld: set[str] = field(default_factory=set)
    """SKUs no supplier delivers before the end: the last backorders wait for them."""

    def __post_init__(self) -> None:
        self.story = Story(self.db, self.rng, self.shop)
        self.end = at(self.last_day, 18)
        self.billing = Billing(
            self.db, self.seed, self.first_day, self.last_day, self.later, self.progress
        )
        self.supply = Supply(
            self.db, self.later, self.seed, self._arrived, self._withheld, self.last_day
        )
        self.deliveries = Deliveries(
            self.db,
            self.rng,
            self.end,
            self.shop.warehouses,
            self.later,
            on_damage=self.billing.damaged,
            on_return=self.billing.returned,
        )
        self.aftersales = AfterSales(
            self.db, self.later, self.seed, self.story, self.shop, self.first_day, self.last_day
        )

    # --- the timeline ----------------------------------------------------------------

    def later(self, when: datetime, action: Callable[[], None]) -> None:
        """Run ``action`` at ``when`` (never after the end: that work is left undone)."""
        if when <= self.end:
            self._seq += 1
            heapq.heappush(self._queue, _Entry(when, self._seq, action))

    def run(self) -> None:
        self._plan_billing()
        days = (self.last_day - self.first_day).days + 1
        for i in range(days):
            self._plan(self.first_day + timedelta(days=i), i, days)
        self.aftersales.plan()
        while self._queue:
            entry = heapq.heappop(self._queue)
            with clock.simulated(entry.at):
                entry.action()

    def _plan_billing(self) -> None:
        since = self.last_day - timedelta(days=HISTORY_DAYS)
        orders = history_orders(self.billing, since, self.first_day)
        accounts = list(self.billing.accounts.values())
        rng = random.Random(f"billing:{self.seed}")
        story = BillingStory(
            self.billing, cast(rng, accounts, orders, self.first_day, self.last_day)
        )
        self.billing.plan(min(story.start or self.first_day, self.first_day))
        story.plan()

    # --- the day plans ---------------------------------------------------------------

    def _plan(self, day: date, index: int, days: int) -> None:
        last = day == self.last_day
        weekday = day.weekday() < 5
        for hour in (7, 12, 17, 18 if last else 21):
            self.later(at(day, hour), self.deliveries.report)
        if last:
            for placed, confirm_after in LAST_DAY_ORDERS:
                when = datetime.combine(day, placed, tzinfo=UTC)
                self.later(when, partial(self._last_day_order, confirm_after))
        else:
            low, high = WEEKDAY_ORDERS if weekday else WEEKEND_ORDERS
            minutes = sorted(
                self.rng.randint(7 * 60, 20 * 60) for _ in range(self.rng.randint(low, high))
            )
            for minute in minutes:
                self.later(at(day, 0) + timedelta(minutes=minute), self._order)
        if weekday:
            self._warehouse_day(day, index, last)
        self.later(at(day, 18) if last else at(day, 21, 30), self._worker)
        self.later(at(day, 18) if last else at(day, 23, 59), partial(self._report, index + 1, days))

    def _warehouse_day(self, day: date, index: int, last: bool) -> None:
        if day.weekday() == 0 and not last:
            self.later(at(day, 8), self.supply.weekly_buying)
        if last:
            self.later(at(day, 17, 30), self.supply.last_day)
        if not last and index % 10 == 2:
            self.later(at(day, 10), partial(self._backorder, self.rng.randint(3, 6), False))
        if day == business_days_before(self.last_day, 3):  # still waiting at the end:
            self.later(at(day, 9, 30), partial(self._backorder, None, True))  # all of it
            self.later(at(day, 10, 30), partial(self._backorder, None, False))  # the rest
        self.later(at(day, 9), partial(self._waves, 60, not last))
        self.later(at(day, 11), self._pack)
        self.later(at(day, 13), partial(self._waves, 60, not last))
        self.later(at(day, 15), self._last_pack if last else self._pack)
        self.later(at(day, 16), self._dispatch)
        if last:
            self.later(at(day, 16, 30), partial(self._waves, None, False))

    def _report(self, done: int, days: int) -> None:
        if self.progress is not None:
            self.progress("fulfilment", done, days)

    # --- sales -----------------------------------------------------------------------

    def _order(self, customer: ShopCustomer | None = None) -> None:
        """A customer's order; a trade customer now and then calls back with another
        (the two usually leave in one shipment)."""
        customer = customer or demand.pick_customer(self.rng, self.shop)
        spec = demand.new_order(self.rng, self.shop, customer)
        order = self.story.place(spec) if spec else None
        if order is None:
            return
        n, now = len(self.story.orders), clock.now()
        if customer.trade and self.rng.random() < FOLLOW_UP and order.customer_id != self._called:
            self._called = order.customer_id
            call_back = now + timedelta(minutes=self.rng.randint(15, 45))
            self.later(call_back, partial(self._order, customer))
        confirm_after = timedelta(minutes=self.rng.randint(10, 120))
        if n % CANCEL_EARLY[0] == CANCEL_EARLY[1]:
            cancel_at = now + timedelta(minutes=self.rng.randint(5, 9))
            self.later(cancel_at, partial(self._cancel, order, "Ordered by mistake"))
        elif n % CANCEL_LATE[0] == CANCEL_LATE[1]:
            cancel_at = now + confirm_after + timedelta(minutes=90)
            reason = "Customer found it elsewhere"
            self.later(cancel_at, partial(self._cancel, order, reason))
        self.later(now + confirm_after, partial(self.story.confirm, order))

    def _last_day_order(self, confirm_after: int | None) -> None:
        """One of ``LAST_DAY_ORDERS``; the one left unconfirmed is a trade customer's
        (a cash customer's order would wait for its payment on hold instead)."""
        trade = True if confirm_after is None else None
        customer = demand.pick_customer(self.rng, self.shop, trade=trade)
        for _try in range(50):  # different customers: nothing consolidates by chance
            if customer.id not in self._last_day_customers:
                break
            customer = demand.pick_customer(self.rng, self.shop, trade=trade)
        self._last_day_customers.add(customer.id)
        spec = demand.new_order(self.rng, self.shop, customer)
        order = self.story.place(spec) if spec else None
        if order is not None and confirm_after is not None:
            self.later(
                clock.now() + timedelta(minutes=confirm_after), partial(self.story.confirm, order)
            )

    def _backorder(self, receipt_in_days: int | None, ship_complete: bool) -> None:
        """A trade order for more than is left of a product: the rest is backordered
        until goods-in receives it (``None``: not before the end); ``ship_complete``
        keeps the whole order back until then."""
        sku = demand.low_stock_sku(self.rng, self.shop)
        customer = demand.pick_customer(self.rng, self.shop, trade=True)
        base = demand.new_order(self.rng, self.shop, customer)
        if sku is None or base is None:
            return
        with self.db.reader() as session:  # what is really left, not the estimate
            left = sum(max(level.available, 0) for level in stock_levels(session, sku=sku))
        wanted = left + self.rng.randint(5, 20)
        lines = (*(line for line in base.lines if line[0] != sku), (sku, wanted))
        order = self.story.place(
            OrderSpec(customer, base.channel, base.external_ref, lines),
            backorder=True,
            ship_complete=ship_complete,
        )
        if order is None:
            return
        now = clock.now()
        self.later(now + timedelta(minutes=30), partial(self.story.confirm, order))
        if receipt_in_days is None:
            self._withheld.add(sku)
        else:
            arrives = at(add_business_days(now.date(), receipt_in_days), 8, 30)
            self._receive(MAIN, sku, wanted + 20, arrives)

    def _cancel(self, order: SimOrder, reason: str) -> None:
        self.story.cancel(order, reason)

    # --- goods in --------------------------------------------------------------------

    def _receive(self, warehouse: str, sku: str, units: int, arrives: datetime) -> None:
        """An urgent order by phone for ``units`` arriving at ``arrives``."""
        if sku not in self._withheld:
            self.supply.rush(warehouse, sku, units, arrives)

    def _arrived(self, warehouse: str, sku: str, units: int) -> None:
        self.shop.available[sku] = self.shop.available.get(sku, 0) + units

    # --- the warehouse ---------------------------------------------------------------

    def _waves(self, pick_after: int | None, shorts: bool) -> None:
        for warehouse, order_ids in sorted(self.story.ready_to_pick().items()):
            pick_list = self.story.wave(warehouse, order_ids)
            if pick_list is not None and pick_after is not None:
                when = clock.now() + timedelta(minutes=pick_after)
                self.later(when, partial(self._pick, pick_list, shorts))

    def _pick(self, pick_list: uuid.UUID, shorts: bool) -> None:
        force = shorts and not self.story.short_picks and clock.today() > self.first_day
        missing = self.story.pick(pick_list, force_short=force, shorts=shorts)
        arrives = at(add_business_days(clock.today(), 2), 8, 30)
        for sku in missing:  # the supplier sends more; backorders take it first
            self._receive(MAIN, sku, 12, arrives)

    def _pack(self) -> None:
        self.story.pack_all()

    def _last_pack(self) -> None:
        """The last day's afternoon: one group stays picked, one shipment waits for its
        label, and nothing packed now leaves before tomorrow."""
        parcels = self.story.pack_all(leave=1, unlabelled=1)
        self._held.update(p.id for p in parcels)

    def _dispatch(self) -> None:
        for parcel in list(self.story.packed):
            if parcel.labelled and parcel.id not in self._held:
                self.deliveries.dispatch(parcel)
                self.story.packed.remove(parcel)

    def _worker(self) -> None:
        self.emails += run_once(self.db).messages_sent
