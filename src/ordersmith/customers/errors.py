"""Customer errors, each with a stable code."""

from __future__ import annotations

from ordersmith.errors import NotFound


class CustomerNotFound(NotFound):
    code = "customer_not_found"
    title = "Customer not found"
