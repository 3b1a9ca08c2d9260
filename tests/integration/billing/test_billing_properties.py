"""Billing as a state machine: any sequence of invoices, part payments, overpayments,
explicit allocations, credit notes (full, by lines, by amount; on open, part-paid and
paid invoices, which frees what paid them), refunds (of overpaid or freed money) and
applied credit keeps the books consistent:

- every invoice's total is the sum of its stored lines;
- no allocation exceeds an invoice's balance or a payment's amount, and no freed
  allocation takes more than was allocated (``ordersmith check``, and directly);
- the customer's balance = invoices - payments - credit notes + refunds (a model kept
  by hand from the operations that succeeded);
- the trial balance's debits equal its credits, and the receivable and customer credit
  accounts equal the documents (``journal_balances``).

SQLite only, on purpose, like the stock ledger's machine: each sequence needs a fresh
database, and a fresh SQLite file is a copy of the migrated template. The same services
run on PostgreSQL in the other billing tests and under real concurrency in
tests/integration/concurrency/test_concurrent_invoices.py.
"""

from __future__ import annotations

import shutil
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from ordersmith.billing.credit import apply_customer_credit
from ordersmith.billing.credit_notes import issue_credit_note
from ordersmith.billing.invoices import invoice_order
from ordersmith.billing.journal import trial_balance
from ordersmith.billing.models import CreditNote, Invoice, InvoiceLine, Payment, PaymentAllocation
from ordersmith.billing.payments import record_payment, refund_payment
from ordersmith.billing.queries import customer_balance, get_payment
from ordersmith.billing.views import InvoiceView, PaymentView
from ordersmith.checks import run_checks
from ordersmith.db import table_of
from ordersmith.errors import Conflict, ValidationFailed
from ordersmith.orders.models import Channel
from ordersmith.orders.placement import LineRequest, PlaceOrder, place_order
from ordersmith.uow import Database
from tests.conftest import make_settings
from tests.factories.catalog import make_product
from tests.factories.customers import make_customer

D = Decimal
amounts = st.integers(1, 20_000).map(lambda n: D(n).scaleb(-2))
METHODS = ["cash", "card", "bank_transfer", "cheque", "other"]
REASONS = ["return", "damage", "goodwill", "pricing_error", "documentation_error"]


def make_machine(template: Path, folder: Path) -> type[RuleBasedStateMachine]:
    class BillingMachine(RuleBasedStateMachine):
        invoices = Bundle("invoices")
        payments = Bundle("payments")

        def __init__(self) -> None:
            super().__init__()
            path = folder / f"{uuid.uuid4().hex}.db"
            shutil.copy(template, path)
            url = f"sqlite:///{path}"
            self.db = Database.connect(make_settings(folder, url, duplicate_window_minutes=0))
            with self.db.unit_of_work(actor="test") as uow:
                self.customer = make_customer(uow, account_type="account").id
            with self.db.unit_of_work(actor="test") as uow:
                make_product(uow, sku="FEE", price="9.99", tax_rate="0.19", stocked=False)
                make_product(uow, sku="PIN", price="0.35", tax_rate="0.07", stocked=False)
            self.invoiced = self.paid = self.credited = self.refunded = D(0)

        def teardown(self) -> None:
            self.db.dispose()

        @rule(
            target=invoices,
            fees=st.integers(1, 5),
            pins=st.integers(0, 40),
            discount=st.integers(0, 500).map(lambda n: D(n).scaleb(-2)),
        )
        def invoice(self, fees: int, pins: int, discount: Decimal) -> InvoiceView:
            lines = [
                LineRequest(sku="FEE", quantity=fees, discount=min(discount, fees * D("9.99")))
            ]
            if pins:
                lines.append(LineRequest(sku="PIN", quantity=pins))
            with self.db.unit_of_work(actor="test") as uow:
                order = place_order(
                    uow, PlaceOrder(customer_id=self.customer, channel=Channel.PHONE, lines=lines)
                )
            with self.db.unit_of_work(actor="test") as uow:
                view = invoice_order(uow, order_id=order.id)
            assert view.total == order.total
            self.invoiced += view.total
            return view

        def _pay(self, amount: Decimal, method: str, **kw: object) -> PaymentView | None:
            try:
                with self.db.unit_of_work(actor="test") as uow:
                    payment = record_payment(
                        uow,
                        customer_id=self.customer,
                        method=method,
                        amount=amount,
                        currency="EUR",
                        **kw,
                    )
            except Conflict as refused:
                event(f"payment refused: {refused.code}")
                return None
            event(
                "payment allocated in part" if payment.unallocated else "payment allocated in full"
            )
            self.paid += amount
            assert payment.amount_allocated + payment.unallocated == amount
            return payment

        @rule(target=payments, amount=amounts, method=st.sampled_from(METHODS))
        def pay_part(self, amount: Decimal, method: str) -> PaymentView | None:
            return self._pay(amount, method)

        @rule(target=payments, extra=amounts, method=st.sampled_from(METHODS))
        def overpay(self, extra: Decimal, method: str) -> PaymentView | None:
            with self.db.reader() as session:
                owed = sum((b.balance for b in customer_balance(session, self.customer)), D(0))
            return self._pay(max(owed, D(0)) + extra, method)

        @rule(target=payments, invoice=invoices, amount=amounts)
        def pay_named_invoice(self, invoice: InvoiceView, amount: Decimal) -> PaymentView | None:
            return self._pay(amount, "bank_transfer", allocate_to=[(invoice.id, amount)])

        @rule(
            invoice=invoices,
            reason=st.sampled_from(REASONS),
            how=st.sampled_from(["in full", "by amount", "by lines"]),
            data=st.data(),
        )
        def credit(self, invoice: InvoiceView, reason: str, how: str, data: st.DataObject) -> None:
            kw: dict[str, object] = {}
            if how == "by amount":  # a third of the invoice, or any amount
                third = max(D("0.01"), (invoice.total / 3).quantize(D("0.01")))
                kw["amount"] = data.draw(st.just(third) | amounts)
            elif how == "by lines":
                line = data.draw(st.sampled_from(invoice.lines))
                kw["lines"] = [(line.line_no, data.draw(st.integers(1, line.quantity)))]
            try:
                with self.db.unit_of_work(actor="test") as uow:
                    note = issue_credit_note(uow, invoice_id=invoice.id, reason=reason, **kw)
            except (Conflict, ValidationFailed) as refused:
                event(f"credit note refused: {refused.code}")
                return
            event(f"credit note {how}" + (" freeing payments" if note.freed else ""))
            self.credited += note.total

        @rule(invoice=invoices, data=st.data())
        def return_everything_and_refund_it(
            self, invoice: InvoiceView, data: st.DataObject
        ) -> None:
            """A full credit note on the invoice, then the payments it freed paid back
            (all of it, or a part)."""
            try:
                with self.db.unit_of_work(actor="test") as uow:
                    note = issue_credit_note(uow, invoice_id=invoice.id, reason="return")
            except Conflict as refused:
                event(f"return refused: {refused.code}")
                return
            self.credited += note.total
            for freed in note.releases:
                if freed.kind != "payment":
                    continue
                amount = data.draw(
                    st.sampled_from([freed.amount, (freed.amount / 2).quantize(D("0.01"))])
                )
                if amount <= 0:
                    continue
                with self.db.unit_of_work(actor="test") as uow:
                    refund_payment(
                        uow, payment_id=freed.document_id, amount=amount, reason="returned"
                    )
                event("freed money refunded")
                self.refunded += amount

        @rule(payment=payments)
        def refund_all_that_is_free(self, payment: PaymentView | None) -> None:
            if payment is None:
                return
            with self.db.reader() as session:
                free = get_payment(session, payment.id).unallocated
            if free <= 0:
                return
            with self.db.unit_of_work(actor="test") as uow:
                refund_payment(uow, payment_id=payment.id, amount=free, reason="asked")
            event("unallocated money refunded")
            self.refunded += free

        @rule(payment=payments, amount=amounts)
        def refund(self, payment: PaymentView | None, amount: Decimal) -> None:
            if payment is None:
                return
            try:
                with self.db.unit_of_work(actor="test") as uow:
                    refund_payment(uow, payment_id=payment.id, amount=amount, reason="asked")
            except Conflict as refused:
                event(f"refund refused: {refused.code}")
                return
            event("refunded")
            self.refunded += amount

        def _has_credit_and_debt(self) -> bool:
            with self.db.reader() as session:
                balances = customer_balance(session, self.customer)
            return any(
                b.open_invoices > 0 and b.unallocated_payments + b.unapplied_credit > 0
                for b in balances
            )

        @precondition(lambda self: self._has_credit_and_debt())
        @rule()
        def apply_credit(self) -> None:
            try:
                with self.db.unit_of_work(actor="test") as uow:
                    applied = apply_customer_credit(uow, customer_id=self.customer)
            except Conflict as refused:
                event(f"credit not applied: {refused.code}")
                return
            event("credit applied")
            assert applied.total > 0

        @invariant()
        def invoice_totals_are_the_sums_of_their_lines(self) -> None:
            inv, lines = table_of(Invoice), table_of(InvoiceLine)
            with self.db.reader() as session:
                rows = session.execute(
                    sa.select(
                        inv.c.total,
                        sa.select(sa.func.sum(lines.c.net_amount + lines.c.tax_amount))
                        .where(lines.c.invoice_id == inv.c.id)
                        .scalar_subquery(),
                    )
                ).all()
            assert all(total == summed for total, summed in rows)

        @invariant()
        def no_money_is_used_twice(self) -> None:
            inv, pay = table_of(Invoice), table_of(Payment)
            alloc, cn = table_of(PaymentAllocation), table_of(CreditNote)
            with self.db.reader() as session:
                invoices = session.execute(
                    sa.select(inv.c.total, inv.c.amount_paid, inv.c.amount_credited)
                ).all()
                paid = session.execute(
                    sa.select(pay.c.amount, pay.c.amount_allocated, pay.c.amount_refunded)
                ).all()
                notes = session.execute(sa.select(cn.c.total, cn.c.amount_applied)).all()
                per_pair = session.execute(
                    sa.select(sa.func.sum(alloc.c.amount)).group_by(
                        alloc.c.payment_id, alloc.c.invoice_id
                    )
                ).scalars()
                assert all(s >= 0 for s in per_pair)
            assert all(0 <= p + c <= t for t, p, c in invoices)
            assert all(a >= 0 and r >= 0 and a + r <= amount for amount, a, r in paid)
            assert all(0 <= a <= t for t, a in notes)

        @invariant()
        def the_balance_is_invoices_less_payments_less_credit_plus_refunds(self) -> None:
            with self.db.reader() as session:
                balances = customer_balance(session, self.customer)
            balance = sum((b.balance for b in balances), D(0))
            assert balance == self.invoiced - self.paid - self.credited + self.refunded

        @invariant()
        def the_books_balance_and_ordersmith_check_is_clean(self) -> None:
            with self.db.reader() as session:
                found = {name: v for name, v in run_checks(session).items() if v}
                balances = trial_balance(session)
            assert found == {}
            assert sum((b.balance for b in balances), D(0)) == 0

    return BillingMachine


@pytest.mark.slow
def test_any_sequence_of_billing_operations_keeps_the_books_consistent(
    sqlite_template: Path, tmp_path: Path
) -> None:
    # given a fresh SQLite shop per sequence; when hypothesis runs invoices, payments,
    # credit notes, refunds and applied credit in any order; then after every step the
    # documents, the journal and the model agree
    run_state_machine_as_test(
        make_machine(sqlite_template, tmp_path),
        settings=settings(
            max_examples=30,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
