"""Run a creating POST exactly once per Idempotency-Key (see ordersmith.idempotency)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from ordersmith.auth.services import Principal
from ordersmith.idempotency import services as idempotency
from ordersmith.uow import Database, UnitOfWork

IDEMPOTENCY_HEADER = "Idempotency-Key"


def create_once(
    request: Request,
    db: Database,
    principal: Principal,
    request_body: Any,
    action: Callable[[UnitOfWork], dict[str, Any]],
    *,
    status: int = 201,
) -> JSONResponse:
    """Run ``action`` in one unit of work and answer ``status`` with its JSON body.

    With an Idempotency-Key header, the response is stored with the change and a
    repeat of the same request replays it (header ``Idempotent-Replayed: true``).
    """
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        with db.unit_of_work(actor=principal.actor) as uow:
            body = action(uow)
        return JSONResponse(body, status_code=status)

    fingerprint = idempotency.request_fingerprint(request.method, request.url.path, request_body)
    outcome = idempotency.claim(
        db,
        client_id=principal.client_id,
        key=key,
        method=request.method,
        path=request.url.path,
        fingerprint=fingerprint,
    )
    if isinstance(outcome, idempotency.StoredResponse):
        return JSONResponse(
            outcome.body, status_code=outcome.status, headers={"Idempotent-Replayed": "true"}
        )
    try:
        with db.unit_of_work(actor=principal.actor) as uow:
            body = action(uow)
            idempotency.complete(uow, outcome, status=status, body=body)
    except BaseException:
        idempotency.release(db, outcome)
        raise
    return JSONResponse(body, status_code=status)
