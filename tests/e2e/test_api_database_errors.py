"""When the database is busy or gone, the API says so (503 problem), never a 500."""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient

from ordersmith.auth.models import Role
from ordersmith.uow import Database
from ordersmith.web.app import create_app
from tests.conftest import make_settings
from tests.e2e.conftest import bearer


@pytest.fixture
def impatient(db: Database, tmp_path) -> Database:
    """The same database, with lock waits cut to 0.2 s."""
    settings = make_settings(
        tmp_path,
        db.settings.effective_database_url,
        sqlite_busy_timeout_ms=200,
        db_lock_timeout_ms=200,
    )
    database = Database.connect(settings)
    yield database
    database.dispose()


def test_a_write_blocked_by_a_long_lock_answers_503_database_busy_with_retry_after(
    db: Database, impatient: Database
):
    # given stock that another transaction keeps locked
    client = TestClient(create_app(impatient.settings, db=impatient), raise_server_exceptions=False)
    client.headers.update(bearer(impatient, Role.ADMIN))
    client.post("/api/v1/warehouses", json={"code": "MAIN", "name": "Main"})
    client.post("/api/v1/products", json={"sku": "A-1", "name": "Anvil", "price": "1.00"})
    receipt = {"warehouse": "MAIN", "sku": "A-1", "quantity": 1}
    assert client.post("/api/v1/stock/receipts", json=receipt).status_code == 201
    locked, done = threading.Event(), threading.Event()

    def hold_lock() -> None:
        with db.engine.connect() as conn:  # SQLite: BEGIN IMMEDIATE holds the write lock
            conn.exec_driver_sql(
                "UPDATE stock_levels SET bin_location = bin_location"
                if db.settings.is_sqlite
                else "SELECT 1 FROM stock_levels FOR UPDATE"
            )
            locked.set()
            done.wait(10)
            conn.rollback()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    locked.wait(10)
    try:
        # when
        response = client.post("/api/v1/stock/receipts", json=receipt)
    finally:
        done.set()
        holder.join()
    # then
    assert response.status_code == 503
    assert response.json()["code"] == "database_busy"
    assert response.headers["Retry-After"] == "1"
    assert client.get("/api/v1/stock", params={"sku": "A-1"}).json()["items"][0]["on_hand"] == 1
