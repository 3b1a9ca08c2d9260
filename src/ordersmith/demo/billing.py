"""Order to cash in the fulfilment simulation: payments, credit notes and reminders.

Billing plays on the simulation's timeline (``demo.schedule``) through the real
services, each action at its own simulated time (``clock.simulated``):

- Account customers are invoiced when their shipments leave (``billing.policy``); cash
  sales get a receipt once paid (``demo.warehouse_work``: by card, or in cash at the
  counter).
- Every account customer pays by habit, drawn from the seed and the customer number:
  by bank transfer or cheque, each invoice a few days before its due date (some pay a
  few days late and get a reminder first), or in a monthly payment run on the last
  weekday of the month that settles everything due before the next run at once, oldest
  first. The bank statement is booked at 08:30 on weekdays.
- The worker's daily jobs (``jobs.scheduled``: payment reminders, unpaid cash orders)
  run at 00:05 every day; what they queue is mailed with the worker's next run.
- A parcel that arrives damaged gets a one-unit ``damage`` credit note, and a parcel
  the carrier brings back is credited in full (``return``), when the customer is on
  account (a cash sale's credit would need a refund of card money: not played).
- ``demo.billing_story`` plays the months before the fulfilment: a few account
  customers' orders from the history invoiced, paid, disputed and credited, so the
  receivables have age (the worker runs nightly then too).
"""

from __future__ import annotations

import calendar
import contextlib
import random
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import partial

from ordersmith import clock
from ordersmith.billing.credit import apply_customer_credit
from ordersmith.billing.credit_notes import issue_credit_note
from ordersmith.billing.errors import CreditExceedsInvoice, NoCustomerCredit
from ordersmith.billing.invoices import invoice_order
from ordersmith.billing.models import CreditReason, InvoiceKind, PaymentMethod
from ordersmith.billing.payments import record_payment, refund_payment
from ordersmith.billing.queries import get_invoice, list_invoices
from ordersmith.billing.views import InvoiceSummary, InvoiceView, PaymentView
from ordersmith.customers.models import AccountType
from ordersmith.customers.queries import list_customers
from ordersmith.jobs.scheduled import default_daily_jobs
from ordersmith.jobs.worker import run_once
from ordersmith.uow import Database

# float-ok-module: how many customers pay late or monthly (probabilities, no amounts)

ACCOUNTS, SERVICE = "demo:accounts", "demo:customer-service"
MAX_ROWS = 5000
OPEN = ("issued", "partially_paid")
CHEQUE = 0.2  # of account customers pay by cheque, the rest by bank transfer
MONTHLY = 0.3  # pay in a monthly payment run
LATE = 0.12  # pay each invoice a few days after its due date
Later = Callable[[datetime, Callable[[], None]], None]
Progress = Callable[[str, int, int], None]


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def weekday_from(day: date) -> date:
    """``day``, or the Monday after it when it is a weekend day."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def last_weekday_of_month(day: date) -> date:
    last = day.replace(day=calendar.monthrange(day.year, day.month)[1])
    while last.weekday() >= 5:
        last -= timedelta(days=1)
    return last


def end_of_next_month(day: date) -> date:
    first = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def _invoices(n: int) -> str:
    return f"{n} invoice{'' if n == 1 else 's'}"


@dataclass(frozen=True, slots=True)
class Habit:
    """How an account customer pays: ``delay`` days after the due date (negative:
    before it), or ``monthly`` in the payment run at the end of the month."""

    method: PaymentMethod
    monthly: bool = False
    delay: int = 0


def habit_of(seed: int, customer_number: str) -> Habit:
    rng = random.Random(f"{seed}:{customer_number}")
    method = PaymentMethod.CHEQUE if rng.random() < CHEQUE else PaymentMethod.BANK_TRANSFER
    if rng.random() < MONTHLY:
        return Habit(method, monthly=True)
    late = rng.random() < LATE
    return Habit(method, delay=rng.randint(2, 8) if late else -rng.randint(0, 10))


@dataclass(frozen=True, slots=True)
class Account:
    id: uuid.UUID
    number: str
    terms: int


@dataclass
class Billing:
    db: Database
    seed: int
    first_day: date
    last_day: date
    later: Later
    progress: Progress | None = None
    accounts: dict[uuid.UUID, Account] = field(default_factory=dict)
    habits: dict[uuid.UUID, Habit | None] = field(default_factory=dict)
    """Customer -> habit; None: the customer does not pay by habit (a scripted story)."""
    scripted: set[uuid.UUID] = field(default_factory=set)
    """Invoices the story settles itself: never paid by habit."""
    issued: dict[str, InvoiceView] = field(default_factory=dict)
    """The story's invoices by its own keys."""
    emails: int = 0
    cheques: int = 0

    def __post_init__(self) -> None:
        with self.db.reader() as session:
            people, _more = list_customers(
                session, account_type=AccountType.ACCOUNT, order="number", limit=MAX_ROWS
            )
        for c in people:
            self.accounts[c.id] = Account(c.id, c.number, c.payment_terms_days)
            self.habits[c.id] = habit_of(self.seed, c.number)

    # --- the timeline ----------------------------------------------------------------

    def plan(self, start: date) -> None:
        """The daily jobs and the bank from ``start`` to the last day; the worker's
        nightly runs before the fulfilment simulation takes them over."""
        day, days = start, (self.first_day - start).days
        while day <= self.last_day:
            self.later(at(day, 0, 5), self._daily_jobs)
            if day.weekday() < 5:
                self.later(at(day, 8, 30), self._bank)
            if day < self.first_day:
                self.later(at(day, 21, 30), self._worker)
                done = (day - start).days + 1
                self.later(at(day, 23, 59), partial(self._report, done, days))
            day += timedelta(days=1)

    def _report(self, done: int, days: int) -> None:
        if self.progress is not None:
            self.progress("billing", done, days)

    def _daily_jobs(self) -> None:
        """What the worker runs at its first poll of the day (``jobs.scheduled``)."""
        for job in default_daily_jobs():
            job.run(self.db, clock.today())

    def _worker(self) -> None:
        self.emails += run_once(self.db).messages_sent

    # --- the bank: payments by habit -------------------------------------------------

    def _bank(self) -> None:
        today = clock.today()
        by_customer: dict[uuid.UUID, list[InvoiceSummary]] = defaultdict(list)
        with self.db.reader() as session:
            for status in OPEN:
                for inv in list_invoices(session, status=status, limit=MAX_ROWS):
                    if inv.kind == InvoiceKind.INVOICE.value and inv.balance > 0:
                        by_customer[inv.customer_id].append(inv)
        for customer_id in sorted(by_customer, key=self._number):
            habit = self.habits.get(customer_id)
            if habit is None:
                continue
            invoices = sorted(by_customer[customer_id], key=lambda i: (i.issue_date, i.number))
            if habit.monthly:
                if today == last_weekday_of_month(today):
                    self._payment_run(customer_id, habit, invoices, today)
                continue
            for inv in invoices:
                if inv.id not in self.scripted and inv.due_date + timedelta(habit.delay) <= today:
                    self.pay(
                        customer_id,
                        habit.method,
                        inv.balance,
                        self._reference(habit.method, inv.number),
                        allocate_to=[(inv.id, inv.balance)],
                    )

    def _payment_run(
        self, customer_id: uuid.UUID, habit: Habit, invoices: list[InvoiceSummary], today: date
    ) -> None:
        """Everything due before the next run, in one payment: oldest first, unless an
        older invoice is one the story settles itself (then the remittance lists them)."""
        until = end_of_next_month(today)
        due = [i for i in invoices if i.id not in self.scripted and i.due_date <= until]
        if not due:
            return
        older = [
            i for i in invoices if (i.issue_date, i.number) <= (due[-1].issue_date, due[-1].number)
        ]
        explicit = len(older) != len(due)
        self.pay(
            customer_id,
            habit.method,
            sum((i.balance for i in due), Decimal(0)),
            self._reference(habit.method, f"payment run {today:%B %Y}, {_invoices(len(due))}"),
            allocate_to=[(i.id, i.balance) for i in due] if explicit else None,
        )

    def _reference(self, method: PaymentMethod, what: str) -> str:
        if method is PaymentMethod.CHEQUE:
            self.cheques += 1
            return f"Cheque {self.seed % 90 + 10:02d}{self.cheques:04d}: {what}"
        return what

    def _number(self, customer_id: uuid.UUID) -> str:
        account = self.accounts.get(customer_id)
        return account.number if account else str(customer_id)

    # --- staff actions, each one unit of work ----------------------------------------

    def invoice(self, key: str, order_id: uuid.UUID) -> InvoiceView:
        with self.db.unit_of_work(actor=ACCOUNTS) as uow:
            view = invoice_order(uow, order_id=order_id)
        self.issued[key] = view
        return view

    def current(self, key: str) -> InvoiceView | None:
        """The story's invoice as it stands now (None: it was never issued)."""
        if key not in self.issued:
            return None
        with self.db.reader() as session:
            view = get_invoice(session, self.issued[key].id)
        self.issued[key] = view
        return view

    def pay(
        self,
        customer_id: uuid.UUID,
        method: PaymentMethod,
        amount: Decimal,
        reference: str,
        *,
        allocate_to: list[tuple[uuid.UUID, Decimal]] | None = None,
        card_last4: str = "",
    ) -> PaymentView | None:
        if amount <= 0:
            return None
        with self.db.unit_of_work(actor=ACCOUNTS) as uow:
            return record_payment(
                uow,
                customer_id=customer_id,
                method=method.value,
                amount=amount,
                currency=self.db.settings.default_currency,
                reference=reference,
                allocate_to=allocate_to,
                card_last4=card_last4,
            )

    def credit(
        self,
        invoice_id: uuid.UUID,
        reason: CreditReason,
        note: str,
        *,
        lines: list[tuple[int, int]] | None = None,
        amount: Decimal | None = None,
    ) -> None:
        """A credit note (nothing when the invoice has nothing left to credit)."""
        with (
            contextlib.suppress(CreditExceedsInvoice),
            self.db.unit_of_work(actor=SERVICE) as uow,
        ):
            issue_credit_note(
                uow,
                invoice_id=invoice_id,
                reason=reason.value,
                lines=lines,
                amount=amount,
                note=note,
            )

    def apply_credit(self, customer_id: uuid.UUID, invoice_id: uuid.UUID | None = None) -> None:
        """The customer's credit settles their open invoices (or that one), if any."""
        with contextlib.suppress(NoCustomerCredit), self.db.unit_of_work(actor=ACCOUNTS) as uow:
            apply_customer_credit(uow, customer_id=customer_id, invoice_id=invoice_id)

    def refund(self, payment_id: uuid.UUID, amount: Decimal, reason: str) -> None:
        with self.db.unit_of_work(actor=ACCOUNTS) as uow:
            refund_payment(uow, payment_id=payment_id, amount=amount, reason=reason)

    # --- what the carriers' parcels bring about --------------------------------------

    def _shipment_invoice(self, shipment_id: uuid.UUID) -> InvoiceView | None:
        with self.db.reader() as session:
            found = list_invoices(session, shipment_id=shipment_id, limit=1)
            if not found or found[0].kind != InvoiceKind.INVOICE.value:
                return None
            return get_invoice(session, found[0].id)

    def damaged(self, shipment_id: uuid.UUID) -> None:
        """The customer called about a crushed box: one unit of its first line credited."""
        invoice = self._shipment_invoice(shipment_id)
        item = next((ln for ln in invoice.lines if ln.kind == "item"), None) if invoice else None
        if invoice is not None and item is not None:
            self.credit(
                invoice.id,
                CreditReason.DAMAGE,
                f"The box arrived crushed: one unit of {item.sku} credited",
                lines=[(item.line_no, 1)],
            )

    def returned(self, shipment_id: uuid.UUID) -> None:
        """The carrier brought the parcel back and the customer no longer wants it."""
        invoice = self._shipment_invoice(shipment_id)
        if invoice is not None:
            self.credit(
                invoice.id,
                CreditReason.RETURN,
                "Parcel returned to us by the carrier; the customer cancelled: credited in full",
            )
