"""API token use cases: create (shown once), revoke, list, authenticate."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith import clock
from ordersmith.auth.models import ApiToken, Role
from ordersmith.errors import NotFound, Unauthorized, ValidationFailed
from ordersmith.ids import new_id
from ordersmith.uow import UnitOfWork

TOKEN_PREFIX = "osk_"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: used for permissions, the actor in history and idempotency scope."""

    client_id: str
    name: str
    role: Role

    @property
    def actor(self) -> str:
        return f"token:{self.name}"


@dataclass(frozen=True, slots=True)
class TokenInfo:
    id: uuid.UUID
    name: str
    role: Role
    prefix: str
    created_at: datetime
    revoked_at: datetime | None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(uow: UnitOfWork, *, name: str, role: Role) -> tuple[TokenInfo, str]:
    """Create a token; the plaintext is returned once and only its hash is stored."""
    name = name.strip()
    if not name or len(name) > 120:
        raise ValidationFailed("a token needs a name of 1 to 120 characters")
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        id=new_id(),
        name=name,
        role=role,
        prefix=plaintext[:10],
        token_hash=_hash(plaintext),
        created_at=clock.now(),
        revoked_at=None,
    )
    uow.session.add(token)
    uow.session.flush()
    return _info(token), plaintext


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
    return _info(token)


def list_tokens(session: Session) -> list[TokenInfo]:
    return [_info(t) for t in session.scalars(sa.select(ApiToken).order_by(ApiToken.created_at))]


def authenticate(session: Session, plaintext: str) -> Principal:
    token = session.scalars(
        sa.select(ApiToken).where(ApiToken.token_hash == _hash(plaintext))
    ).one_or_none()
    if token is None or token.revoked_at is not None:
        raise Unauthorized("the bearer token is unknown or revoked", code="invalid_token")
    return Principal(client_id=str(token.id), name=token.name, role=token.role)


def _info(token: ApiToken) -> TokenInfo:
    return TokenInfo(
        token.id, token.name, token.role, token.prefix, token.created_at, token.revoked_at
    )
