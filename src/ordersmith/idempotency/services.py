"""Idempotency-Key handling (IETF httpapi-idempotency-key-header semantics).

1. ``claim`` (own short transaction) inserts the key as *in flight*, or finds it:
   same request with a stored response -> replay it; different request -> 422;
   still in flight -> 409. A claim whose holder died (lock expired) is taken over.
2. The change runs in its unit of work, and ``complete`` stores the response in that
   same transaction: the change and its stored response commit together or not at all.
3. If the change fails, ``release`` deletes the claim so the client may retry.
Keys are scoped per client and kept for ``idempotency_ttl_hours`` (>= 24 h).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from ordersmith import clock
from ordersmith.db import insert_ignoring_conflicts, table_of
from ordersmith.idempotency.errors import (
    IdempotencyKeyInFlight,
    IdempotencyKeyInvalid,
    IdempotencyKeyReused,
)
from ordersmith.idempotency.models import IdempotencyRecord
from ordersmith.uow import Database, UnitOfWork

MAX_KEY_LENGTH = 255


@dataclass(frozen=True, slots=True)
class StoredResponse:
    status: int
    body: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Claim:
    """This request's hold on a key; ``token`` tells it apart from a later takeover."""

    client_id: str
    key: str
    token: str


def request_fingerprint(method: str, path: str, body: Any) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


def claim(
    db: Database, *, client_id: str, key: str, method: str, path: str, fingerprint: str
) -> StoredResponse | Claim:
    """Claim a key for this request, or return the response stored for it."""
    if not key or len(key) > MAX_KEY_LENGTH or not key.isascii():
        raise IdempotencyKeyInvalid("Idempotency-Key must be 1-255 ASCII characters")
    settings = db.settings
    table = table_of(IdempotencyRecord)
    now = clock.now()
    lock_for = timedelta(seconds=settings.idempotency_in_flight_timeout_seconds)
    token = secrets.token_hex(16)
    row = {
        "claim_token": token,
        "client_id": client_id,
        "key": key,
        "method": method,
        "path": path,
        "request_hash": fingerprint,
        "response_status": None,
        "response_body": None,
        "created_at": now,
        "locked_until": now + lock_for,
        "expires_at": now + timedelta(hours=settings.idempotency_ttl_hours),
    }
    for _attempt in range(3):
        with db.unit_of_work(actor=client_id) as uow:
            session = uow.session
            session.execute(
                sa.delete(table).where(
                    table.c.client_id == client_id, table.c.key == key, table.c.expires_at < now
                )
            )
            if insert_ignoring_conflicts(session, table, row):
                return Claim(client_id, key, token)
            record = session.get(IdempotencyRecord, (client_id, key), with_for_update=True)
            if record is None:
                continue  # its holder failed and released it between our two statements
            if record.request_hash != fingerprint:
                raise IdempotencyKeyReused(
                    "this Idempotency-Key was already used with a different request body or path"
                )
            if record.response_status is not None and record.response_body is not None:
                return StoredResponse(record.response_status, record.response_body)
            if record.locked_until is not None and clock.as_utc(record.locked_until) > now:
                raise IdempotencyKeyInFlight("the first request with this key is still in progress")
            # its holder is gone (the database timeouts are shorter than the lock): take over;
            # should it still be alive, its complete() no longer matches the token and fails
            record.locked_until = now + lock_for
            record.claim_token = token
            return Claim(client_id, key, token)
    raise IdempotencyKeyInFlight("requests with this key keep racing; retry shortly")


def complete(uow: UnitOfWork, claim_: Claim, *, status: int, body: dict[str, Any]) -> None:
    """Store the response in the same transaction as the change it describes.

    Only the current holder of the claim may: if another request took the key over,
    this raises and the caller's unit of work — the change with it — rolls back, so
    one key never produces two changes."""
    table = table_of(IdempotencyRecord)
    stored = uow.session.execute(
        sa.update(table)
        .where(
            table.c.client_id == claim_.client_id,
            table.c.key == claim_.key,
            table.c.claim_token == claim_.token,
            table.c.response_status.is_(None),
        )
        .values(response_status=status, response_body=body, locked_until=None)
        .returning(table.c.key)
    ).first()
    if stored is None:
        raise IdempotencyKeyInFlight(
            "another request took this Idempotency-Key over; this one changed nothing"
        )


def release(db: Database, claim_: Claim) -> None:
    """Forget a claim whose request failed, so that the client can retry it."""
    table = table_of(IdempotencyRecord)
    with db.unit_of_work(actor=claim_.client_id) as uow:
        uow.session.execute(
            sa.delete(table).where(
                table.c.client_id == claim_.client_id,
                table.c.key == claim_.key,
                table.c.claim_token == claim_.token,
                table.c.response_status.is_(None),
            )
        )


def purge_expired(uow: UnitOfWork) -> int:
    table = table_of(IdempotencyRecord)
    deleted = uow.session.execute(
        sa.delete(table).where(table.c.expires_at < clock.now()).returning(table.c.key)
    ).all()
    return len(deleted)
