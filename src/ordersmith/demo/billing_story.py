"""The months before the fulfilment simulation, as the accounts department saw them.

The order history came from a previous system and was never invoiced here; this story
gives six account customers' orders from it an Ordersmith billing history, so the
receivables have age: each chosen order is invoiced (``invoice_order``) on the day the
story says, about five months to six weeks before the simulation ends, and then:

- ``arrears``: never pays; the reminders go out (1, 7 and 14 days overdue) and three
  weeks before the end a payment on account settles part of the oldest invoice, so the
  aging has money in every bucket from 1-30 to 90+;
- ``remitter``: pays the first two invoices in one transfer (oldest first), then in
  the monthly payment run; one delivery had a damaged unit (``damage``, by lines), one
  was two days late (``goodwill``, an amount);
- ``cheque``: pays by cheque before the due date; the first invoice missed the agreed
  trade price (``pricing_error``, an amount: it counts against the perfect order's
  documentation, as it should, and stays the only one); the second is not due yet;
- ``overpayer``: rounds a transfer up; the credit settles part of the next invoice
  (``apply_customer_credit``) and the rest is paid in cash at the trade counter;
- ``double``: pays by card over the phone and by bank transfer; the transfer is booked
  as credit and refunded;
- ``returns``: sends back two units of a paid delivery (``return``, by lines; the credit
  settles part of the next invoice) and a whole delivery of the wrong specification
  (``return``, in full: that invoice is ``credited``).

The customers are drawn with the seed among account customers whose history has an
order in the week before each invoice's day (the biggest is invoiced); invoice days
follow from each customer's payment terms and the days past due the story wants on
the last day. A history too short (or a simulation too long) for an invoice leaves
that invoice out.
"""

from __future__ import annotations

import bisect
import random
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from functools import partial

from ordersmith.billing.models import CreditReason, PaymentMethod
from ordersmith.demo.billing import Account, Billing, Habit, at, weekday_from
from ordersmith.orders.queries import OrderFilter, list_orders
from ordersmith.orders.status import OrderStatus

BANK, CHEQUE = PaymentMethod.BANK_TRANSFER, PaymentMethod.CHEQUE
HISTORY_DAYS = 170
"""How far back the story looks for orders to invoice."""
ORDER_WINDOW = 7
"""An invoice's order is the customer's last one in the days before the invoice day."""
CENT, TEN, FIFTY = Decimal("0.01"), Decimal(10), Decimal(50)


@dataclass(frozen=True, slots=True)
class Role:
    name: str
    terms: int
    """The payment terms preferred (a customer with other terms gets other days)."""
    overdue: tuple[int, ...]
    """Per invoice: days past due on the last day (negative: due later)."""
    habit: Habit | None
    scripted: tuple[int, ...] = ()
    """The invoices the story settles itself (never the customer's habit)."""


ROLES = (
    Role("arrears", 30, (115, 75, 45, 20), None),
    Role("returns", 30, (95, 70, 45), Habit(BANK, delay=-7), scripted=(2,)),
    Role("remitter", 30, (100, 95, 50), Habit(BANK, monthly=True), scripted=(0, 1)),
    Role("cheque", 60, (80, -10), Habit(CHEQUE, delay=-3)),
    Role("overpayer", 30, (85, 55), Habit(BANK, delay=-5), scripted=(0, 1)),
    Role("double", 30, (65,), Habit(BANK, delay=-2), scripted=(0,)),
)


@dataclass(frozen=True, slots=True)
class Cast:
    role: Role
    account: Account
    orders: tuple[tuple[date, uuid.UUID] | None, ...]
    """Per invoice of the role: (invoice day, the history order it invoices), or None."""

    def key(self, index: int) -> str:
        return f"{self.role.name}.{index}"

    def day(self, index: int) -> date | None:
        found = self.orders[index] if index < len(self.orders) else None
        return found[0] if found else None


def invoice_day(last_day: date, terms: int, overdue: int) -> date:
    return weekday_from(last_day - timedelta(days=terms + overdue))


Orders = dict[uuid.UUID, list[tuple[date, Decimal, str, uuid.UUID]]]
"""Customer -> [(day, total, order number, order id)], oldest first."""


def history_orders(billing: Billing, since: date, until: date) -> Orders:
    """Account customers' completed orders from ``since`` to before ``until``."""
    with billing.db.reader() as session:
        found = list_orders(
            session,
            OrderFilter(
                status=OrderStatus.COMPLETED,
                created_from=datetime.combine(since, time(), tzinfo=UTC),
                created_to=datetime.combine(until, time(), tzinfo=UTC),
            ),
            limit=100_000,
        )
    orders: Orders = defaultdict(list)
    for order in found:
        if order.customer_id in billing.accounts:
            day = order.created_at.date()
            orders[order.customer_id].append((day, order.total, order.number, order.id))
    for mine in orders.values():
        mine.sort(key=lambda o: (o[0], o[2]))
    return orders


def _order_before(
    orders: Sequence[tuple[date, Decimal, str, uuid.UUID]], day: date, used: set[uuid.UUID]
) -> uuid.UUID | None:
    """The biggest order (not ``used`` yet) in the ``ORDER_WINDOW`` days before ``day``."""
    start = bisect.bisect_left(orders, day - timedelta(days=ORDER_WINDOW), key=lambda o: o[0])
    end = bisect.bisect_left(orders, day, key=lambda o: o[0])
    found = [o for o in orders[start:end] if o[3] not in used]
    return max(found, key=lambda o: (o[1], o[2]))[3] if found else None


def cast(
    rng: random.Random,
    accounts: Sequence[Account],
    orders: Orders,
    first_day: date,
    last_day: date,
) -> list[Cast]:
    """A customer per role: the first (in a seeded order, preferred terms first) with an
    order for every invoice the role has before ``first_day``; else the one with most."""
    pool = sorted(accounts, key=lambda a: a.number)
    rng.shuffle(pool)
    taken: set[uuid.UUID] = set()
    casts = []
    for role in ROLES:
        best: Cast | None = None
        for account in sorted(pool, key=lambda a: a.terms != role.terms):
            if account.id in taken:
                continue
            picks: list[tuple[date, uuid.UUID] | None] = []
            used: set[uuid.UUID] = set()
            for overdue in role.overdue:
                day = invoice_day(last_day, account.terms, overdue)
                mine = orders.get(account.id, [])
                order = _order_before(mine, day, used) if day < first_day else None
                picks.append((day, order) if order is not None else None)
                used.update([order] if order else [])
            candidate = Cast(role, account, tuple(picks))
            if best is None or _found(candidate) > _found(best):
                best = candidate
            if all(picks):
                break
        if best is not None and _found(best):
            taken.add(best.account.id)
            casts.append(best)
    return casts


def _found(c: Cast) -> int:
    return sum(o is not None for o in c.orders)


@dataclass
class BillingStory:
    billing: Billing
    casts: list[Cast]

    @property
    def start(self) -> date | None:
        days = [o[0] for c in self.casts for o in c.orders if o is not None]
        return min(days) if days else None

    def plan(self) -> None:
        for c in self.casts:
            self.billing.habits[c.account.id] = c.role.habit
            for i, found in enumerate(c.orders):
                if found is not None:
                    day, order_id = found
                    issue = partial(self._issue, c.key(i), order_id, i in c.role.scripted)
                    self._at(day, 10, issue)
            getattr(self, f"_{c.role.name}")(c)

    def _at(self, day: date, hour: int, action: Callable[[], None], minute: int = 0) -> None:
        self.billing.later(at(weekday_from(day), hour, minute), action)

    def _issue(self, key: str, order_id: uuid.UUID, scripted: bool) -> None:
        view = self.billing.invoice(key, order_id)
        if scripted:
            self.billing.scripted.add(view.id)

    # --- the roles -------------------------------------------------------------------

    def _arrears(self, c: Cast) -> None:
        self._at(self.billing.last_day - timedelta(days=20), 11, partial(self._on_account, c))

    def _on_account(self, c: Cast) -> None:
        """A payment on account: about 60 % of the oldest invoice, oldest first."""
        keys = range(len(c.orders))
        oldest = next((v for i in keys if (v := self.billing.current(c.key(i)))), None)
        if oldest is not None:
            amount = (oldest.balance * Decimal("0.6") / TEN).quantize(Decimal(1), ROUND_FLOOR) * TEN
            self.billing.pay(c.account.id, BANK, amount, "Payment on account")

    def _remitter(self, c: Cast) -> None:
        if (day := c.day(1)) is not None:
            self._at(day + timedelta(days=1), 10, partial(self._damaged, c.key(1)), 30)
            self._at(day + timedelta(days=20), 9, partial(self._remittance, c), 15)
        if (day := c.day(2)) is not None:
            self._at(day + timedelta(days=2), 11, partial(self._goodwill, c.key(2)))

    def _remittance(self, c: Cast) -> None:
        """The first two invoices in one transfer, allocated oldest first."""
        invoices = [v for i in (0, 1) if (v := self.billing.current(c.key(i))) is not None]
        numbers = " and ".join(v.number for v in invoices)
        amount = sum((v.balance for v in invoices), Decimal(0))
        self.billing.pay(c.account.id, BANK, amount, f"Remittance: {numbers}")

    def _damaged(self, key: str) -> None:
        invoice = self.billing.current(key)
        item = next((ln for ln in invoice.lines if ln.kind == "item"), None) if invoice else None
        if invoice is not None and item is not None:
            note = f"One unit of {item.sku} arrived damaged (photos on file): credited"
            self.billing.credit(invoice.id, CreditReason.DAMAGE, note, lines=[(item.line_no, 1)])

    def _goodwill(self, key: str) -> None:
        invoice = self.billing.current(key)
        if invoice is not None:
            amount = (invoice.total * Decimal("0.05")).quantize(CENT)
            note = "Goodwill: the delivery arrived two days after the promised date"
            self.billing.credit(invoice.id, CreditReason.GOODWILL, note, amount=amount)

    def _cheque(self, c: Cast) -> None:
        if (day := c.day(0)) is not None:
            self._at(day + timedelta(days=4), 11, partial(self._wrong_price, c.key(0)), 30)

    def _wrong_price(self, key: str) -> None:
        invoice = self.billing.current(key)
        if invoice is not None:
            amount = (invoice.total * Decimal("0.06")).quantize(CENT)
            note = "The agreed trade price was not applied: the difference is credited"
            self.billing.credit(invoice.id, CreditReason.PRICING_ERROR, note, amount=amount)

    def _overpayer(self, c: Cast) -> None:
        if (day := c.day(0)) is not None:
            self._at(day + timedelta(days=18), 9, partial(self._round_up, c), 30)
        if (day := c.day(1)) is not None:
            self._at(day + timedelta(days=1), 10, partial(self._use_credit, c, c.key(1)), 30)
            self._at(day + timedelta(days=12), 15, partial(self._cash_rest, c))

    def _round_up(self, c: Cast) -> None:
        """The transfer is rounded up to the next fifty: the rest becomes credit."""
        invoice = self.billing.current(c.key(0))
        if invoice is not None and invoice.balance > 0:
            amount = (invoice.balance / FIFTY).quantize(Decimal(1), ROUND_CEILING) * FIFTY
            amount += FIFTY if amount - invoice.balance < TEN else Decimal(0)
            self.billing.pay(c.account.id, BANK, amount, invoice.number)

    def _use_credit(self, c: Cast, key: str) -> None:
        invoice = self.billing.current(key)
        self.billing.apply_credit(c.account.id, invoice.id if invoice else None)

    def _cash_rest(self, c: Cast) -> None:
        invoice = self.billing.current(c.key(1))
        if invoice is not None and invoice.balance > 0:
            self.billing.pay(
                c.account.id,
                PaymentMethod.CASH,
                invoice.balance,
                f"Trade counter: the rest of {invoice.number} in cash",
                allocate_to=[(invoice.id, invoice.balance)],
            )

    def _double(self, c: Cast) -> None:
        if (day := c.day(0)) is not None:
            due = day + timedelta(days=c.account.terms)
            self._at(due - timedelta(days=8), 14, partial(self._card_by_phone, c))

    def _card_by_phone(self, c: Cast) -> None:
        invoice = self.billing.current(c.key(0))
        if invoice is None or invoice.balance <= 0:
            return
        self.billing.pay(
            c.account.id,
            PaymentMethod.CARD,
            invoice.balance,
            f"Card payment by phone for {invoice.number}",
            allocate_to=[(invoice.id, invoice.balance)],
            card_last4="4417",
        )
        later = weekday_from(invoice.due_date - timedelta(days=6))
        self._at(later, 9, partial(self._transfer_too, c, invoice.number, invoice.balance))

    def _transfer_too(self, c: Cast, number: str, amount: Decimal) -> None:
        """The same invoice paid again by transfer: booked as credit, then paid back."""
        payment = self.billing.pay(c.account.id, BANK, amount, number, allocate_to=[])
        if payment is not None:
            reason = f"Paid twice ({number} by card and by transfer): the transfer paid back"
            back = partial(self.billing.refund, payment.id, amount, reason)
            self._at(payment.received_on + timedelta(days=3), 14, back)

    def _returns(self, c: Cast) -> None:
        if (day := c.day(0)) is not None:
            returned = day + timedelta(days=c.account.terms)
            self._at(returned, 14, partial(self._two_back, c))
        if (day := c.day(2)) is not None:
            self._at(day + timedelta(days=6), 14, partial(self._all_back, c.key(2)))

    def _two_back(self, c: Cast) -> None:
        """Two unused units of a paid delivery come back; the credit goes to the next
        invoice."""
        invoice = self.billing.current(c.key(0))
        item = next((ln for ln in invoice.lines if ln.kind == "item"), None) if invoice else None
        if invoice is None or item is None:
            return
        units = min(2, item.quantity)
        what = "One unused unit" if units == 1 else f"{units} unused units"
        note = f"{what} of {item.sku} returned in good condition"
        self.billing.credit(invoice.id, CreditReason.RETURN, note, lines=[(item.line_no, units)])
        self._at(
            invoice.due_date + timedelta(days=1), 9, partial(self._use_credit, c, c.key(1)), 45
        )

    def _all_back(self, key: str) -> None:
        invoice = self.billing.current(key)
        if invoice is not None:
            note = "The whole delivery came back: the wrong specification was ordered"
            self.billing.credit(invoice.id, CreditReason.RETURN, note)
