"""Order to cash in the simulated small demo, on both databases: invoices in every
state, payments by every method, credit notes of every kind of reason, a refund, credit
used, receivables with age, reminders mailed, and books that still balance (the
``simulated`` demo: ``conftest.py``)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa

from ordersmith.billing.documents import statement_document
from ordersmith.billing.journal import trial_balance
from ordersmith.billing.models import (
    CreditNote,
    Invoice,
    Payment,
    PaymentAllocation,
    Refund,
)
from ordersmith.billing.receivables import BUCKETS, aging, days_sales_outstanding
from ordersmith.billing.records import PaymentReminder
from ordersmith.checks import run_checks
from ordersmith.db import table_of
from ordersmith.demo.billing_report import credit_used
from ordersmith.notifications.models import Communication

pytestmark = pytest.mark.xdist_group("demo_fulfilment")


def _counts(db, model, column, *where) -> Counter[str]:
    table = table_of(model)
    query = sa.select(table.c[column], sa.func.count()).where(*where).group_by(table.c[column])
    with db.reader() as session:
        return Counter({str(value): n for value, n in session.execute(query)})


def test_the_account_invoices_end_in_every_state(simulated):
    # given
    db, summary = simulated
    inv = table_of(Invoice)
    open_ = inv.c.status.in_(["issued", "partially_paid"])
    # when
    statuses = _counts(db, Invoice, "status", inv.c.kind == "invoice")
    overdue = _counts(db, Invoice, "status", open_, inv.c.due_date < summary.last_day)
    not_due = _counts(db, Invoice, "status", open_, inv.c.due_date >= summary.last_day)
    # then
    assert {"issued", "partially_paid", "paid", "credited"} <= set(statuses)
    assert sum(overdue.values()) >= 1
    assert not_due["issued"] >= 1
    assert summary.billing.invoices == dict(sorted(statuses.items()))
    assert summary.billing.overdue == sum(overdue.values())


def test_customers_pay_by_every_method_with_references(simulated):
    # given
    db, summary = simulated
    pay = table_of(Payment)
    # when
    methods = _counts(db, Payment, "method")
    without_reference = _counts(db, Payment, "method", pay.c.reference == "")
    # then
    assert {"bank_transfer", "cheque", "cash", "card"} <= set(methods)
    assert not without_reference
    assert summary.billing.payments == dict(sorted(methods.items()))


def test_one_transfer_settles_several_invoices_oldest_first(simulated):
    # given
    db, _summary = simulated
    pay, alloc, inv = table_of(Payment), table_of(PaymentAllocation), table_of(Invoice)
    # when: allocations made with the payment (not later, from customer credit)
    with db.reader() as session:
        rows = session.execute(
            sa.select(pay.c.id, pay.c.customer_id, pay.c.received_on, inv.c.issue_date)
            .join(alloc, alloc.c.payment_id == pay.c.id)
            .join(inv, inv.c.id == alloc.c.invoice_id)
            .where(alloc.c.created_at == pay.c.created_at, pay.c.method == "bank_transfer")
            .order_by(pay.c.id, inv.c.issue_date)
        ).all()
    settled: dict[object, list[object]] = {}
    for payment_id, _customer, _received, issued in rows:
        settled.setdefault(payment_id, []).append(issued)
    # then
    several = [days for days in settled.values() if len(days) >= 2]
    assert several
    assert all(days == sorted(days) for days in several)


def test_credit_notes_have_every_reason_in_full_and_in_part(simulated):
    # given
    db, summary = simulated
    cn, inv = table_of(CreditNote), table_of(Invoice)
    # when
    reasons = _counts(db, CreditNote, "reason")
    with db.reader() as session:
        shares = session.execute(
            sa.select(cn.c.total, inv.c.total).join(inv, inv.c.id == cn.c.invoice_id)
        ).all()
    # then
    assert {"return", "damage", "pricing_error", "goodwill"} <= set(reasons)
    assert reasons["pricing_error"] == 1  # a wrong invoice is rare
    assert any(credited == total for credited, total in shares)
    assert any(credited < total for credited, total in shares)
    assert summary.billing.credit_notes == dict(sorted(reasons.items()))


def test_an_overpayment_and_a_credit_note_settle_later_invoices(simulated):
    # given
    db, summary = simulated
    # when
    with db.reader() as session:
        used = credit_used(session)
    # then
    assert used >= 2
    assert summary.billing.credit_used == used


def test_a_payment_made_twice_is_paid_back(simulated):
    # given
    db, summary = simulated
    pay, ref = table_of(Payment), table_of(Refund)
    # when
    with db.reader() as session:
        refunded = session.execute(
            sa.select(pay.c.status, pay.c.amount, sa.func.sum(ref.c.amount))
            .join(ref, ref.c.payment_id == pay.c.id)
            .group_by(pay.c.id, pay.c.status, pay.c.amount)
        ).all()
    # then
    assert refunded
    assert ("refunded", refunded[0][1], refunded[0][1]) in [tuple(r) for r in refunded]
    assert summary.billing.refunds == len(refunded)


def test_the_aging_has_money_past_due_and_a_real_dso(simulated):
    # given
    db, summary = simulated
    # when
    with db.reader() as session:
        report = aging(session, as_of=summary.last_day)
        dso = days_sales_outstanding(session, as_of=summary.last_day, days=90)
    total = report.totals[0]
    # then
    assert total.current > 0
    assert sum(getattr(total, bucket) > 0 for bucket in BUCKETS[1:]) >= 3
    assert summary.billing.aging == {bucket: getattr(total, bucket) for bucket in BUCKETS}
    assert dso[0].dso is not None
    assert dso[0].dso > 0
    assert summary.billing.dso == dso[0].dso


def test_a_customer_statement_has_several_lines(simulated):
    # given: the customer with the most billing documents
    db, summary = simulated
    inv = table_of(Invoice)
    with db.reader() as session:
        customer = session.scalar(
            sa.select(inv.c.customer_id)
            .where(inv.c.kind == "invoice")
            .group_by(inv.c.customer_id)
            .order_by(sa.func.count().desc(), inv.c.customer_id)
            .limit(1)
        )
        # when
        statement = statement_document(
            session,
            db.settings,
            customer,
            date_from=summary.last_day - timedelta(days=365),
            date_to=summary.last_day,
        )
    # then
    kinds = {line.kind for line in statement.lines}
    assert len(statement.lines) >= 4
    assert {"Invoice", "Payment"} <= kinds


def test_overdue_invoices_were_reminded_by_mail_at_the_simulated_times(simulated):
    # given
    db, summary = simulated
    messages, sent, inv = table_of(Communication), table_of(PaymentReminder), table_of(Invoice)
    # when
    with db.reader() as session:
        reminded = session.execute(
            sa.select(sent.c.step, sent.c.sent_at, inv.c.due_date).join(
                inv, inv.c.id == sent.c.invoice_id
            )
        ).all()
        mails = session.execute(
            sa.select(messages.c.status, messages.c.sent_at).where(
                messages.c.kind == "payment_reminder"
            )
        ).all()
    # then
    assert reminded
    assert all(at.date() >= due + timedelta(days=step) for step, at, due in reminded)
    assert len(mails) == len(reminded) == summary.billing.reminders
    assert {status for status, _at in mails} == {"sent"}
    assert max(at for _status, at in mails).date() <= summary.last_day


def test_the_books_balance_after_the_simulation(simulated):
    # given
    db, _summary = simulated
    # when
    with db.reader() as session:
        violations = {name: v for name, v in run_checks(session).items() if v}
        accounts = trial_balance(session)
    # then
    assert violations == {}
    assert sum(a.debit for a in accounts) == sum(a.credit for a in accounts) > 0
    assert {"receivable", "revenue", "bank", "cash", "customer_credit", "sales_returns"} <= {
        a.account_role for a in accounts
    }
