"""Bearer tokens over HTTP: a server remembers a token it checked for a few seconds
(``api_token_cache_seconds``, ADR 0035), yet a revocation through the same process is
refused at once, and one through another process once that time is up."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from ordersmith import clock
from ordersmith.auth.models import Role
from ordersmith.auth.services import revoke_token
from ordersmith.config import Settings
from ordersmith.uow import Database
from ordersmith.web.app import create_app
from tests.conftest import make_settings
from tests.e2e.conftest import assert_problem, bearer

ORDERS = "/api/v1/orders?limit=1"


def _prefix(headers: dict[str, str]) -> str:
    return headers["Authorization"].removeprefix("Bearer ")[:10]


def _revoke(db: Database, headers: dict[str, str]) -> None:
    with db.unit_of_work(actor="test") as uow:
        revoke_token(uow, token_id_or_prefix=_prefix(headers))


@contextmanager
def _other_server(settings: Settings) -> Iterator[TestClient]:
    """Another server process over the same database: its own Database, so its own
    memory of tokens (as a second granian worker has)."""
    database = Database.connect(settings)
    try:
        with TestClient(create_app(settings, db=database), raise_server_exceptions=False) as other:
            yield other
    finally:
        database.dispose()


@contextmanager
def _token_reads(db: Database) -> Iterator[list[str]]:
    """The statements that read ``api_tokens`` while the block runs."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "api_tokens" in statement:
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def test_a_token_checked_a_moment_ago_is_not_read_from_the_database_again(
    client: TestClient, db: Database
) -> None:
    # given a token the server has just let in
    headers = bearer(db, Role.INTEGRATION, name="shop")
    assert client.get(ORDERS, headers=headers).status_code == 200
    # when it calls again
    with _token_reads(db) as reads:
        response = client.get(ORDERS, headers=headers)
    # then it is let in without reading the token
    assert (response.status_code, reads) == (200, [])


def test_a_token_revoked_through_this_process_is_refused_at_once(
    client: TestClient, db: Database
) -> None:
    # given a token the server has just let in (and so remembers)
    headers = bearer(db, Role.INTEGRATION, name="shop")
    assert client.get(ORDERS, headers=headers).status_code == 200
    # when it is revoked through the server's own database
    _revoke(db, headers)
    # then the very next request is refused
    assert_problem(client.get(ORDERS, headers=headers), 401, "invalid_token")


def test_a_token_revoked_through_another_process_is_refused_once_the_cache_time_is_up(
    client: TestClient, db: Database, settings: Settings
) -> None:
    # given a second server that let the token in at `start`
    headers = bearer(db, Role.INTEGRATION, name="shop")
    ttl = timedelta(seconds=settings.api_token_cache_seconds)
    start = clock.now()
    with _other_server(settings) as other:
        with clock.simulated(start):
            assert other.get(ORDERS, headers=headers).status_code == 200
        # when the token is revoked through this process (as the CLI would)
        _revoke(db, headers)
        # then this process refuses it at once, the other server until the cache time is up
        assert_problem(client.get(ORDERS, headers=headers), 401, "invalid_token")
        with clock.simulated(start + ttl - timedelta(milliseconds=1)):
            assert other.get(ORDERS, headers=headers).status_code == 200
        with clock.simulated(start + ttl):
            assert_problem(other.get(ORDERS, headers=headers), 401, "invalid_token")


def test_with_a_cache_time_of_zero_every_request_reads_its_token(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    # given a server that remembers no token, which let a token in
    settings = make_settings(tmp_path, database_url, api_token_cache_seconds=0)
    headers = bearer(db, Role.INTEGRATION, name="shop")
    with _other_server(settings) as strict:
        assert strict.get(ORDERS, headers=headers).status_code == 200
        # when another process revokes it
        _revoke(db, headers)
        # then the next request is refused at once
        assert_problem(strict.get(ORDERS, headers=headers), 401, "invalid_token")


def test_an_unknown_token_is_read_again_on_every_request(client: TestClient, db: Database) -> None:
    # given
    headers = {"Authorization": "Bearer osk_not-a-token"}
    # when it is tried twice
    with _token_reads(db) as reads:
        first = client.get(ORDERS, headers=headers)
        second = client.get(ORDERS, headers=headers)
    # then each try is refused after a look in the database (a refusal is never remembered)
    assert_problem(first, 401, "invalid_token")
    assert_problem(second, 401, "invalid_token")
    assert len(reads) == 2


@pytest.mark.parametrize(
    ("authorization", "code"),
    [
        (None, "unauthorized"),
        ("Basic dXNlcjpwYXNz", "unauthorized"),
        ("Bearer", "unauthorized"),
        ("Bearer osk_nope", "invalid_token"),
        ("Bearer " + "x" * 5000, "invalid_token"),
    ],
)
def test_a_missing_or_bad_token_is_a_401_problem(
    client: TestClient, authorization: str | None, code: str
) -> None:
    # given
    headers = {"Authorization": authorization} if authorization is not None else {}
    # when
    response = client.get(ORDERS, headers=headers)
    # then
    assert_problem(response, 401, code)
    assert response.headers["WWW-Authenticate"] == "Bearer"
