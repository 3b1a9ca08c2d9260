"""FastAPI dependencies: the database, the calling principal and its permissions.

They are ``async`` because they do not block, so a request does not hop to the thread
pool for each of them; only a token not remembered (ADR 0035) is read there. A route's
permission is one dependency on the bearer credentials (and the request), not a chain
through the principal and the database: FastAPI solves every level of the tree again on
each request."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from ordersmith.auth.permissions import Permission, check_permission
from ordersmith.auth.services import Principal, authenticate_token, remembered_principal
from ordersmith.errors import Unauthorized
from ordersmith.uow import Database

_bearer = HTTPBearer(auto_error=False, description="An API token from `ordersmith token create`")


async def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


DbDep = Annotated[Database, Depends(get_db)]


async def current_principal(
    db: Database, credentials: HTTPAuthorizationCredentials | None
) -> Principal:
    """The principal of the request's API token; ``Unauthorized`` without a valid one."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("send an API token as 'Authorization: Bearer <token>'")
    token = credentials.credentials
    principal = remembered_principal(db, token)
    if principal is None:
        principal = await run_in_threadpool(authenticate_token, db, token)
    return principal


def require(permission: Permission) -> Callable[..., Awaitable[Principal]]:
    async def dependency(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Principal:
        principal = await current_principal(await get_db(request), credentials)
        check_permission(principal.role, permission)
        return principal

    dependency.__name__ = f"require_{permission.value.replace(':', '_')}"
    return dependency
