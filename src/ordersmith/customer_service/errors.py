"""Errors of the customer service area (stable codes, part of the public API).

NotFound
└── CaseNotFound               404 case_not_found
Conflict
├── CaseClosed                 409 case_closed
└── InvalidTransition          409 invalid_transition (customer_service.status)
ValidationFailed
└── CaseLinkMismatch           422 case_link_mismatch (order/shipment/return of
                                   another customer, or not of the case's order)
"""

from __future__ import annotations

from ordersmith.errors import Conflict, NotFound, ValidationFailed


class CaseNotFound(NotFound):
    code = "case_not_found"


class CaseClosed(Conflict):
    code = "case_closed"
    title = "The case is closed"


class CaseLinkMismatch(ValidationFailed):
    code = "case_link_mismatch"
    title = "A linked document does not belong to the case's customer"
