"""RFC 9457 problem details: one mapping from errors to HTTP, for every route."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError as DBAPIDataError
from sqlalchemy.exc import OperationalError as DBAPIOperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from ordersmith.errors import FieldError, OmsError, Problem

PROBLEM_TYPE_BASE = "https://ordersmith.dev/problems/"
log = structlog.get_logger(__name__)

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def problem_response(problem: Problem, headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + problem.code,
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
        "code": problem.code,
    }
    if problem.fields:
        body["errors"] = [{"field": f.field, "message": f.message} for f in problem.fields]
    for name, value in problem.extra.items():  # extensions never replace the RFC 9457 members
        body.setdefault(name, value)
    return JSONResponse(
        body, status_code=problem.status, media_type="application/problem+json", headers=headers
    )


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


_BUSY_SIGNS = ("database is locked", "lock timeout", "deadlock detected", "canceling statement")


def _busy_or_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """Lock waits that timed out are worth a retry (503 + Retry-After); anything else
    operational means the database cannot be reached."""
    text = str(getattr(exc, "orig", exc)).lower()
    busy = isinstance(exc, PoolTimeout) or any(sign in text for sign in _BUSY_SIGNS)
    log.warning(
        "database_busy" if busy else "database_unavailable", path=request.url.path, error=text[:200]
    )
    if busy:
        problem = Problem(
            "database_busy",
            503,
            "Busy, try again",
            "the data this request needs is locked by other work; retry shortly",
        )
    else:
        problem = Problem(
            "database_unavailable",
            503,
            "Database unavailable",
            "the database cannot be reached right now",
        )
    return problem_response(problem, {"Retry-After": "1" if busy else "5"})


def install(app: FastAPI) -> None:
    @app.exception_handler(OmsError)
    async def _oms_error(_request: Request, exc: OmsError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return problem_response(Problem.from_error(exc), headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = [FieldError(_field_name(tuple(e["loc"])), str(e["msg"])) for e in exc.errors()]
        detail = "; ".join(f"{f.field}: {f.message}" for f in fields[:5])
        return problem_response(Problem("validation_error", 422, "Invalid input", detail, fields))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return problem_response(
            Problem(code, exc.status_code, code.replace("_", " ").capitalize(), str(exc.detail)),
            dict(exc.headers) if exc.headers else None,
        )

    @app.exception_handler(DBAPIDataError)
    async def _bad_data(request: Request, exc: DBAPIDataError) -> JSONResponse:
        # the database refused a value the checks let through (e.g. a NUL character)
        log.warning("database_refused_value", path=request.url.path, error=str(exc.orig))
        return problem_response(
            Problem(
                "invalid_value",
                422,
                "Invalid input",
                "a value in the request cannot be stored or searched for",
            )
        )

    @app.exception_handler(DBAPIOperationalError)
    async def _database_trouble(request: Request, exc: DBAPIOperationalError) -> JSONResponse:
        return _busy_or_unavailable(request, exc)

    @app.exception_handler(PoolTimeout)
    async def _pool_exhausted(request: Request, exc: PoolTimeout) -> JSONResponse:
        return _busy_or_unavailable(request, exc)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled_error", path=request.url.path)
        return problem_response(
            Problem(
                "internal_error",
                500,
                "Internal error",
                "an unexpected error happened; it has been logged",
            )
        )
