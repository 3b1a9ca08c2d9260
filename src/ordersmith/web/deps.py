"""FastAPI dependencies: the database, the calling principal and its permissions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ordersmith.auth.permissions import Permission, check_permission
from ordersmith.auth.services import Principal, authenticate
from ordersmith.errors import Unauthorized
from ordersmith.uow import Database

_bearer = HTTPBearer(auto_error=False, description="An API token from `ordersmith token create`")


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


DbDep = Annotated[Database, Depends(get_db)]


def current_principal(
    db: DbDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("send an API token as 'Authorization: Bearer <token>'")
    with db.reader() as session:
        return authenticate(session, credentials.credentials)


def require(permission: Permission) -> Callable[..., Principal]:
    def dependency(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        check_permission(principal.role, permission)
        return principal

    dependency.__name__ = f"require_{permission.value.replace(':', '_')}"
    return dependency
