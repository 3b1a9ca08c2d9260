"""Errors of the replenishment area (stable codes, part of the public API).

NotFound
└── RequestNotFound              404 replenishment_request_not_found
    RunNotFound                  404 replenishment_run_not_found
    PolicyNotFound               404 replenishment_policy_not_found
Conflict
├── RequestExists                409 replenishment_request_exists
└── InvalidTransition            409 invalid_transition (replenishment.status)
ValidationFailed                 422 validation_error with field errors
"""

from __future__ import annotations

from ordersmith.errors import Conflict, NotFound


class RequestNotFound(NotFound):
    code = "replenishment_request_not_found"


class RunNotFound(NotFound):
    code = "replenishment_run_not_found"


class PolicyNotFound(NotFound):
    code = "replenishment_policy_not_found"


class RequestExists(Conflict):
    code = "replenishment_request_exists"
    title = "An open or approved replenishment request exists for this warehouse and SKU"
