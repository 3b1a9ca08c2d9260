"""Errors are data.

Every error Ordersmith raises on purpose is an ``OmsError`` with a stable ``code``
(lower snake_case, part of the public API) and an HTTP-ish ``status`` that the API
maps to ``application/problem+json`` (RFC 9457), pages show as a message and the
CLI prints before exiting non-zero.

    OmsError                      500-free root; never raised bare
    ├── ValidationFailed          422 validation_error (+ field errors)
    ├── NotFound                  404 <thing>_not_found
    ├── Conflict                  409 e.g. already_exists, insufficient_stock
    │   └── InvalidTransition     409 invalid_transition (state machines)
    ├── Unauthorized              401 unauthorized
    ├── Forbidden                 403 forbidden
    ├── IdempotencyError          409 / 422 idempotency_* (see ordersmith.idempotency)
    ├── ConfigurationError        500 configuration_error (refused at start-up)
    └── SchemaNotCurrent          503 schema_not_current (database needs `db upgrade`)

Areas subclass these in their own ``errors.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    message: str


class OmsError(Exception):
    code: ClassVar[str] = "oms_error"
    status: ClassVar[int] = 400
    title: ClassVar[str] = "Request failed"

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        fields: list[FieldError] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code  # type: ignore[misc]
        self.fields = fields or []
        self.extra = extra or {}


class ValidationFailed(OmsError):
    code = "validation_error"
    status = 422
    title = "Invalid input"


class NotFound(OmsError):
    code = "not_found"
    status = 404
    title = "Not found"


class Conflict(OmsError):
    code = "conflict"
    status = 409
    title = "Conflict"


class AlreadyExists(Conflict):
    code = "already_exists"
    title = "Already exists"


class InvalidTransition(Conflict):
    code = "invalid_transition"
    title = "Action not allowed in this state"


class Unauthorized(OmsError):
    code = "unauthorized"
    status = 401
    title = "Authentication required"


class Forbidden(OmsError):
    code = "forbidden"
    status = 403
    title = "Not allowed"


class ConfigurationError(OmsError):
    code = "configuration_error"
    status = 500
    title = "Ordersmith is not configured correctly"


class SchemaNotCurrent(OmsError):
    code = "schema_not_current"
    status = 503
    title = "Database schema is not current"


@dataclass(frozen=True, slots=True)
class Problem:
    """The RFC 9457 shape of an error, shared by API, pages and CLI."""

    code: str
    status: int
    title: str
    detail: str
    fields: list[FieldError] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_error(cls, error: OmsError) -> Problem:
        return cls(error.code, error.status, error.title, error.detail, error.fields, error.extra)
