"""Resolving an inspected return: a credit note, a refund, or an exchange.

Whatever became of the goods (restocked or scrapped), the customer is made whole for
every unit received back:

- ``credit_note``: per invoice that billed the units (``returns.crediting``), one credit
  note through billing's ``issue_credit_note`` (reason ``damage`` when every unit came
  back damaged, else ``return``). It is taken off the invoice's open balance first; what
  the customer had already paid becomes customer credit (ADR 0012).
- ``refund``: the same credit notes, then the money the customer had paid for those
  units and no longer owes (per invoice: the credit beyond its open balance) is paid
  back with billing's ``refund_payment`` from the invoices' payments, newest first.
  Refused whole (``refund_not_possible``) when those payments hold less unallocated
  money than that.
- ``exchange``: a replacement order at no charge, reserved and confirmed at once
  (``returns.exchange``), linked to the return (``replacement_order_id``). The original
  invoice stands: the customer paid for goods they now have.

One unit of work: the credit notes, refunds or replacement, the return's new state, the
order's history and ``return.resolved`` commit together or not at all.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from ordersmith import clock
from ordersmith.adapters.payments import MANUAL
from ordersmith.auth.permissions import Permission
from ordersmith.billing.credit_notes import issue_credit_note
from ordersmith.billing.payments import refund_payment
from ordersmith.billing.queries import get_invoice, get_payment
from ordersmith.billing.settlement import lock_customer
from ordersmith.money import ZERO, money_str
from ordersmith.returns import inputs
from ordersmith.returns.crediting import ReturnedUnits, plan_credit
from ordersmith.returns.errors import RefundNotPossible, ReturnNotInvoiced
from ordersmith.returns.events import ReturnResolved
from ordersmith.returns.exchange import place_replacement, take_order_number
from ordersmith.returns.inputs import ExchangeLineInput
from ordersmith.returns.models import Resolution, ReturnReason
from ordersmith.returns.queries import get_return
from ordersmith.returns.services import Locked, line_rows, lock_return, move, record_history
from ordersmith.returns.status import ReturnAction, check_transition
from ordersmith.returns.views import ReturnView
from ordersmith.uow import UnitOfWork
from ordersmith.validation import FieldChecks, one_of


def resolve_return(
    uow: UnitOfWork,
    *,
    return_id: uuid.UUID,
    resolution: str,
    note: str = "",
    exchange_lines: Sequence[ExchangeLineInput] | None = None,
) -> ReturnView:
    """Resolve the return (see the module doc). ``exchange_lines`` (exchange only):
    what the replacement holds, default the received units of each returned SKU."""
    uow.authorize(Permission.RETURNS_WRITE)
    checks = FieldChecks()
    how = checks.run("resolution", one_of(Resolution), resolution)
    clean_note = checks.run("note", inputs.REASON, note) or ""
    inputs.check_exchange_lines(checks, exchange_lines)
    if exchange_lines is not None and how is not Resolution.EXCHANGE:
        checks.fail("exchange_lines", "only for resolution exchange")
    checks.raise_if_any("the resolution is not valid")
    assert how is not None
    order_number = take_order_number(uow) if how is Resolution.EXCHANGE else None
    locked = lock_return(uow, return_id)
    check_transition(locked.status, ReturnAction.RESOLVE)
    lines = line_rows(uow, return_id)
    values: dict[str, Any] = {"credit_notes": []}
    replacement = None
    if how is Resolution.EXCHANGE:
        assert order_number is not None
        wanted = list(exchange_lines or _same_goods(lines))
        replacement = place_replacement(
            uow,
            number=order_number,
            original=locked.order,
            lines=wanted,
            return_number=locked.row["number"],
        )
        values["replacement_order_id"] = replacement.id
    else:
        with uow.as_system():  # billing's credit notes and refunds follow (ADR 0023)
            values.update(_credit(uow, locked, lines, refund=how is Resolution.REFUND))
    move(
        uow,
        locked,
        ReturnAction.RESOLVE,
        resolution=how.value,
        resolution_note=clean_note,
        resolved_by=uow.actor,
        resolved_at=clock.now(),
        **values,
    )
    currency = locked.row["currency"]
    credited, refunded = values.get("credited_total", ZERO), values.get("refunded_total", ZERO)
    told = {
        Resolution.EXCHANGE: f"replacement order {replacement.number if replacement else ''}",
        Resolution.CREDIT_NOTE: f"credited {money_str(credited, currency)} {currency}",
        Resolution.REFUND: f"credited {money_str(credited, currency)} {currency}, refunded "
        f"{money_str(refunded, currency)} {currency}",
    }[how]
    record_history(
        uow,
        locked,
        "return_resolved",
        f"{how.value}: {told}" + (f" ({clean_note})" if clean_note else ""),
        credit_notes=values["credit_notes"],
    )
    uow.record(
        ReturnResolved(
            **locked.event_head(),
            resolution=how.value,
            currency=currency,
            credited=credited,
            refunded=refunded,
            credit_notes=values["credit_notes"],
            replacement_order_id=replacement.id if replacement else None,
            replacement_order_number=replacement.number if replacement else None,
        )
    )
    return get_return(uow.session, return_id)


def _same_goods(lines: list[Any]) -> list[ExchangeLineInput]:
    """The received units of every returned SKU, in line order."""
    units: dict[str, int] = {}
    for line in lines:
        if line["received_quantity"]:
            units[line["sku"]] = units.get(line["sku"], 0) + int(line["received_quantity"])
    return [ExchangeLineInput(sku, quantity) for sku, quantity in units.items()]


def _credit(uow: UnitOfWork, locked: Locked, lines: list[Any], *, refund: bool) -> dict[str, Any]:
    returned = [
        ReturnedUnits(
            line["line_no"],
            line["order_line_id"],
            line["sku"],
            int(line["received_quantity"]),
            ReturnReason(line["reason"]),
        )
        for line in lines
    ]
    plan = plan_credit(uow.session, returned)
    if plan.not_invoiced:
        raise ReturnNotInvoiced(
            f"{locked.row['number']}: no invoice of order {locked.order['number']} has "
            + ", ".join(f"{units} x {r.sku} (line {r.line_no})" for r, units in plan.not_invoiced)
            + " left to credit; invoice the order first, or resolve with an exchange",
            extra={
                "lines": [
                    {"line_no": r.line_no, "sku": r.sku, "units": units}
                    for r, units in plan.not_invoiced
                ]
            },
        )
    numbers, credited, owed = [], ZERO, ZERO
    paid_by: list[uuid.UUID] = []
    # billing's lock order: the order (held), then the customer, so that the balances
    # read here are the ones the credit notes see (ADR 0013)
    lock_customer(uow, locked.row["customer_id"])
    for credit in plan.invoices:
        invoice = get_invoice(uow.session, credit.invoice_id)
        paid_by += [s.document_id for s in invoice.settlements if s.kind == "payment"]
        view = issue_credit_note(
            uow,
            invoice_id=credit.invoice_id,
            reason=credit.reason.value,
            lines=credit.lines,
            note=f"Return {locked.row['number']} of order {locked.order['number']}",
        )
        numbers.append(view.number)
        credited += view.total
        owed += max(view.total - max(invoice.balance, ZERO), ZERO)
    refunded = _refund(uow, locked, list(dict.fromkeys(paid_by)), owed) if refund else ZERO
    return {"credit_notes": numbers, "credited_total": credited, "refunded_total": refunded}


def _refund(
    uow: UnitOfWork, locked: Locked, payment_ids: list[uuid.UUID], owed: Decimal
) -> Decimal:
    """Pay ``owed`` back from the payments that had settled the invoices, newest first,
    each up to its unallocated money (what the credit notes freed). Only payments
    recorded by hand (provider ``manual``: transfer, cheque, cash, a terminal) are paid
    back here; a provider's card payment is refunded through the provider
    (``billing.card_payments.refund_card_payment``), outside this transaction."""
    if owed <= 0:
        return ZERO
    payments = [get_payment(uow.session, payment_id) for payment_id in payment_ids]
    newest_first = sorted(payments, key=lambda p: (p.received_on, p.number), reverse=True)
    left = owed
    reason = f"return {locked.row['number']} of order {locked.order['number']}"
    for payment in newest_first:
        part = min(left, payment.unallocated) if payment.provider == MANUAL else ZERO
        if part > 0:
            refund_payment(uow, payment_id=payment.id, amount=part, reason=reason)
            left -= part
    if left > 0:
        currency = locked.row["currency"]
        by_provider = sorted({p.number for p in payments if p.provider != MANUAL})
        raise RefundNotPossible(
            f"{locked.row['number']}: the credit notes leave {money_str(owed, currency)} "
            f"{currency} to pay back, but the invoices' payments hold only "
            f"{money_str(owed - left, currency)} {currency} that can be refunded here"
            + (
                f" ({', '.join(by_provider)} went through a payment provider: refund it there)"
                if by_provider
                else ""
            )
            + "; resolve with credit_note instead (the credit stays with the customer)",
            extra={"owed": str(owed), "refundable": str(owed - left)},
        )
    return owed
