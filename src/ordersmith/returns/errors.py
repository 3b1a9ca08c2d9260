"""Errors of the returns area (stable codes, part of the public API).

NotFound
└── ReturnNotFound             404 return_not_found
Conflict
├── ReturnWindowClosed         409 return_window_closed
├── ReturnExceedsShipped       409 return_exceeds_shipped
├── OrderNotShipped            409 order_not_shipped
├── ReturnNotInvoiced          409 return_not_invoiced
├── RefundNotPossible          409 refund_not_possible
└── InvalidTransition          409 invalid_transition (returns.status)
ValidationFailed               422 validation_error with field errors
"""

from __future__ import annotations

from ordersmith.errors import Conflict, NotFound


class ReturnNotFound(NotFound):
    code = "return_not_found"


class ReturnWindowClosed(Conflict):
    code = "return_window_closed"
    title = "The return window has closed"


class ReturnExceedsShipped(Conflict):
    code = "return_exceeds_shipped"
    title = "More units asked back than were shipped and not yet returned"


class OrderNotShipped(Conflict):
    code = "order_not_shipped"
    title = "Nothing of the order has been shipped"


class ReturnNotInvoiced(Conflict):
    code = "return_not_invoiced"
    title = "Returned units have no invoice to credit"


class RefundNotPossible(Conflict):
    code = "refund_not_possible"
    title = "The credited money cannot be refunded"
