"""HTTP fixtures: the real app over the ``db`` fixture (both backends), with tokens per role."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ordersmith.auth.models import Role
from ordersmith.auth.services import create_token
from ordersmith.uow import Database
from ordersmith.web.app import create_app


def bearer(db: Database, role: Role, name: str | None = None) -> dict[str, str]:
    with db.unit_of_work(actor="test") as uow:
        _info, token = create_token(uow, name=name or f"test-{role}", role=role)
    return {"Authorization": f"Bearer {token}"}


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    """The response is an RFC 9457 problem with this status and stable code."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    assert body["status"] == status
    assert {"type", "title", "detail"} <= body.keys()
    return body


@pytest.fixture
def app(db: Database) -> FastAPI:
    return create_app(db.settings, db=db)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def api(client: TestClient, db: Database) -> TestClient:
    """A client authenticated as admin."""
    client.headers.update(bearer(db, Role.ADMIN))
    return client


@pytest.fixture
def shop(api: TestClient) -> dict[str, Any]:
    """Through the API: warehouse MAIN, product A-1 at 12.50 EUR with 10 in stock, and a
    cash customer (returned as the API answered it)."""
    assert api.post("/api/v1/warehouses", json={"code": "MAIN", "name": "Main"}).status_code == 201
    product = {"sku": "A-1", "name": "Anvil", "price": "12.50", "currency": "EUR"}
    assert api.post("/api/v1/products", json=product).status_code == 201
    customer = api.post(
        "/api/v1/customers",
        json={"name": "Ann", "email": "ann@example.com", "account_type": "cash"},
    )
    assert customer.status_code == 201
    receipt = {"warehouse": "MAIN", "sku": "A-1", "quantity": 10}
    assert api.post("/api/v1/stock/receipts", json=receipt).status_code == 201
    body: dict[str, Any] = customer.json()
    return body
