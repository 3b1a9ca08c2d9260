"""Errors of the billing area (stable codes, part of the public API).

NotFound
├── InvoiceNotFound           404 invoice_not_found
├── PaymentNotFound           404 payment_not_found
└── CreditNoteNotFound        404 credit_note_not_found
Conflict
├── NothingToInvoice          409 nothing_to_invoice
├── AlreadyInvoiced           409 already_invoiced
├── ShipmentNotDispatched     409 shipment_not_dispatched
├── OrderNotInvoiceable       409 order_not_invoiceable
├── CurrencyMismatch          409 currency_mismatch
├── OverAllocation            409 over_allocation
├── RefundExceedsUnallocated  409 refund_exceeds_unallocated
├── RefundAlreadyRecorded     409 refund_already_recorded
├── CreditExceedsInvoice      409 credit_exceeds_invoice
├── NoCustomerCredit          409 no_customer_credit
└── NotOnCreditHold           409 not_on_credit_hold
UnbalancedEntry (OmsError)    500 unbalanced_journal_entry  (a bug: never reaches a user)
ValidationFailed              422 validation_error with field errors (amounts, methods …)
"""

from __future__ import annotations

from ordersmith.errors import Conflict, NotFound, OmsError


class InvoiceNotFound(NotFound):
    code = "invoice_not_found"


class PaymentNotFound(NotFound):
    code = "payment_not_found"


class CreditNoteNotFound(NotFound):
    code = "credit_note_not_found"


class NothingToInvoice(Conflict):
    code = "nothing_to_invoice"
    title = "Nothing left to invoice"


class AlreadyInvoiced(Conflict):
    code = "already_invoiced"
    title = "Already invoiced"


class ShipmentNotDispatched(Conflict):
    code = "shipment_not_dispatched"
    title = "The shipment has not left the warehouse"


class OrderNotInvoiceable(Conflict):
    code = "order_not_invoiceable"
    title = "The order cannot be invoiced in its state"


class CurrencyMismatch(Conflict):
    code = "currency_mismatch"
    title = "Currencies do not match"


class OverAllocation(Conflict):
    code = "over_allocation"
    title = "More allocated than is open or available"


class RefundExceedsUnallocated(Conflict):
    code = "refund_exceeds_unallocated"
    title = "Only the unallocated part of a payment can be refunded"


class RefundAlreadyRecorded(Conflict):
    """A refund with this provider reference is on the payment already (recorded by
    staff or by the provider's webhook), or the provider reports it differently."""

    code = "refund_already_recorded"
    title = "This refund is recorded already"


class CreditExceedsInvoice(Conflict):
    code = "credit_exceeds_invoice"
    title = "More credited than the invoice has left"


class NoCustomerCredit(Conflict):
    code = "no_customer_credit"
    title = "No customer credit or no open invoice to apply it to"


class NotOnCreditHold(Conflict):
    code = "not_on_credit_hold"
    title = "The order is not held for credit"


class UnbalancedEntry(OmsError):
    """A journal entry whose debits and credits differ: a programming error, refused
    before anything is written (the whole unit of work rolls back)."""

    code = "unbalanced_journal_entry"
    status = 500
    title = "Unbalanced journal entry"
