"""The small demo the simulation tests share: its size, and a database of its own.

Simulating renders a label and a packing slip per shipment and a PDF per invoice,
credit note and reminder mail, about half a second each, so the package simulates once
per database (``conftest.simulated``) and its tests only read the result. The history
is long enough for the billing story's oldest invoices (``demo.billing_story``).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from ordersmith import migrate
from ordersmith.db import make_engine

SMALL = {"seed": 5, "history_days": 170, "customers": 30}
DAYS = 10
SEED = 7


@contextmanager
def own_database(request: pytest.FixtureRequest, folder: Path) -> Iterator[str]:
    """A SQLite file, or on PostgreSQL a database created next to the worker's."""
    if request.param == "sqlite":
        path = folder / "ordersmith.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    worker_url = sa.make_url(request.getfixturevalue("postgres_url"))
    name = f"{worker_url.database}_simulated"
    admin = sa.create_engine(worker_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = worker_url.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
