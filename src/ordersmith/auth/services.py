"""API token use cases: create (shown once), revoke, list, authenticate.

A server authenticates with ``remembered_principal`` (no database work: a token this
process let in within ``api_token_cache_seconds``) and, failing that,
``authenticate_token`` (reads it and remembers it); revoking forgets the token in this
process once committed (ADR 0035)."""

from __future__ import annotations

import functools
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith import clock
from ordersmith.auth.models import ApiToken, Role
from ordersmith.customers.queries import active_customer
from ordersmith.errors import FieldError, NotFound, Unauthorized, ValidationFailed
from ordersmith.ids import new_id
from ordersmith.uow import Database, UnitOfWork
from ordersmith.validation import text

TOKEN_PREFIX = "osk_"
ACTOR_PREFIX = "token:"
MAX_NAME_LENGTH = 100
"""So that ``token:<name>`` fits the 120-character actor columns (orders.created_by,
order_history.actor, stock_movements.actor, outbox_events.actor)."""


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: used for permissions, the actor in history and idempotency scope."""

    client_id: str
    name: str
    role: Role
    customer_id: uuid.UUID | None = None
    """A customer token's customer: it sees only that customer's objects (404 for others)."""

    @property
    def actor(self) -> str:
        return f"{ACTOR_PREFIX}{self.name}"


@dataclass(frozen=True, slots=True)
class TokenInfo:
    id: uuid.UUID
    name: str
    role: Role
    prefix: str
    created_at: datetime
    revoked_at: datetime | None
    customer_id: uuid.UUID | None = None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    uow: UnitOfWork, *, name: str, role: Role, customer_id: uuid.UUID | None = None
) -> tuple[TokenInfo, str]:
    """Create a token; the plaintext is returned once and only its hash is stored. A
    ``customer`` token names its customer (``customer_id``); no other role does."""
    if (role is Role.CUSTOMER) != (customer_id is not None):
        raise ValidationFailed(
            "a customer token needs its customer, and only a customer token has one",
            fields=[FieldError("customer", "required for the customer role, else not allowed")],
        )
    if customer_id is not None:
        active_customer(uow.session, customer_id)  # unknown: 404; merged away: 409
    try:
        name = _token_name(name)
    except ValueError as exc:
        raise ValidationFailed(
            f"a token needs a name of 1 to {MAX_NAME_LENGTH} characters, without control "
            "characters",
            fields=[FieldError("name", str(exc))],
        ) from None
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        id=new_id(),
        name=name,
        role=role,
        prefix=plaintext[:10],
        token_hash=_hash(plaintext),
        created_at=clock.now(),
        revoked_at=None,
        customer_id=customer_id,
    )
    uow.session.add(token)
    uow.session.flush()
    return _info(token), plaintext


def _token_name(value: object) -> str:
    """A name of 1 to MAX_NAME_LENGTH characters, without control characters or text that
    is not Unicode (a lone surrogate, from an argument that is not UTF-8)."""
    name = text(MAX_NAME_LENGTH)(value)
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid UTF-8 text") from None
    return name


def revoke_token(uow: UnitOfWork, *, token_id_or_prefix: str) -> TokenInfo:
    session = uow.session
    query = sa.select(ApiToken)
    try:
        query = query.where(ApiToken.id == uuid.UUID(token_id_or_prefix))
    except ValueError:
        query = query.where(ApiToken.prefix == token_id_or_prefix)
    tokens = session.scalars(query).all()
    if len(tokens) != 1:
        raise NotFound(f"no single token matches {token_id_or_prefix!r}", code="token_not_found")
    token = tokens[0]
    if token.revoked_at is None:
        token.revoked_at = clock.now()
    uow.after_commit(functools.partial(uow.db.tokens.forget, token.token_hash))
    return _info(token)


def list_tokens(session: Session) -> list[TokenInfo]:
    return [_info(t) for t in session.scalars(sa.select(ApiToken).order_by(ApiToken.created_at))]


def authenticate(session: Session, plaintext: str) -> Principal:
    """The principal of a token that exists and is not revoked; else ``Unauthorized``
    (``invalid_token``). Always reads the database."""
    token = session.scalars(
        sa.select(ApiToken).where(ApiToken.token_hash == _hash(plaintext))
    ).one_or_none()
    if token is None or token.revoked_at is not None:
        raise Unauthorized("the bearer token is unknown or revoked", code="invalid_token")
    return Principal(
        client_id=str(token.id), name=token.name, role=token.role, customer_id=token.customer_id
    )


def remembered_principal(db: Database, plaintext: str) -> Principal | None:
    """The principal of a token this process let in within the last
    ``api_token_cache_seconds``, without touching the database; None otherwise."""
    return db.tokens.get(_hash(plaintext), clock.now())


def authenticate_token(db: Database, plaintext: str) -> Principal:
    """``authenticate`` in a short read of its own, remembering a token it lets in."""
    generation = db.tokens.generation()
    read_at = clock.now()
    with db.reader() as session:
        principal = authenticate(session, plaintext)
    db.tokens.put(_hash(plaintext), principal, read_at=read_at, generation=generation)
    return principal


def _info(token: ApiToken) -> TokenInfo:
    return TokenInfo(
        token.id,
        token.name,
        token.role,
        token.prefix,
        token.created_at,
        token.revoked_at,
        token.customer_id,
    )
