"""Test databases: a real SQLite file per test, and a real PostgreSQL when configured.

Integration tests take the ``db`` fixture and run once per backend. PostgreSQL runs
when ORDERSMITH_TEST_DATABASE_URL points at a server (a database per test worker is
created from it); otherwise those tests skip with a visible reason — except in CI
(CI=true), where a missing PostgreSQL fails the run.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

import ordersmith.models  # noqa: F401  (every table on the metadata)
from ordersmith import migrate
from ordersmith.config import Settings
from ordersmith.db import make_engine, metadata
from ordersmith.uow import Database

# CI replays the same examples every run (a red build is always reproducible, never a
# lucky draw); locally hypothesis explores new ones, and what it finds becomes a test.
# Neither times the examples: the suite runs two workers, servers and a browser on two
# cores, so how fast examples come is the machine's load, not the code's.
UNTIMED = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
hypothesis_settings.register_profile("ci", derandomize=True, **UNTIMED)
hypothesis_settings.register_profile("local", **UNTIMED)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "local")

PG_ENV = "ORDERSMITH_TEST_DATABASE_URL"
BACKENDS = ["sqlite", "postgresql"]


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating once is the slow part)."""
    path = tmp_path_factory.mktemp("template") / "ordersmith.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    with contextlib.closing(sqlite3.connect(path)) as conn:  # fold the WAL into the file
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def postgres_server_url(what: str = "PostgreSQL tests") -> str:
    """The PostgreSQL server ``what`` may create databases on (``PG_ENV``, as a psycopg 3
    URL). Without it the test is skipped, with the reason, and in CI it fails: CI must
    run the PostgreSQL tests."""
    base = os.environ.get(PG_ENV)
    if not base:
        if os.environ.get("CI"):
            pytest.fail(f"{PG_ENV} is not set: CI must run the {what}")
        pytest.skip(f"{what} need {PG_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1/postgres)")
    return base.replace("postgresql://", "postgresql+psycopg://", 1)


@contextlib.contextmanager
def new_postgres_database(prefix: str, what: str = "PostgreSQL tests") -> Iterator[str]:
    """A new, empty database ``<prefix>_<worker>_<pid>`` on the server of
    ``postgres_server_url(what)``, dropped afterwards; its URL."""
    base = postgres_server_url(what)
    name = f"{prefix}_{_worker()}_{os.getpid()}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield sa.make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    with new_postgres_database("ordersmith_test") as url:
        engine = make_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        yield url


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The controller (not an xdist worker) drops the run's shared PostgreSQL build."""
    base = os.environ.get(PG_ENV)
    if base and not hasattr(session.config, "workerinput"):
        from tests.integration.demo.simulated import drop_built_simulation

        drop_built_simulation(base.replace("postgresql://", "postgresql+psycopg://", 1))


def make_settings(tmp_path: Path, url: str, **overrides: object) -> Settings:
    """Test settings. Cash sales are not held for payment here unless a test asks for it
    (``cash_orders_require_payment=True``, tests/integration/billing): most tests place
    and confirm cash orders without a till."""
    fields: dict[str, object] = {"cash_orders_require_payment": False, **overrides}
    return Settings(environment="test", data_dir=tmp_path, database_url=url, **fields)  # type: ignore[arg-type]


# Emptying the tables a test left behind: DELETE, children before parents, in one
# transaction. TRUNCATE gives every table (and index) a new file, ~160 ms for the 74
# tables on the project's machine, against ~13 ms for these DELETEs of a test's few rows.
EMPTY_EVERY_TABLE = "; ".join(f'DELETE FROM "{t.name}"' for t in reversed(metadata.sorted_tables))


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A clean, migrated database of each backend; its URL."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "ordersmith.db"
        shutil.copy(template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_url")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(EMPTY_EVERY_TABLE)
    engine.dispose()
    return url


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(tmp_path, database_url)


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = Database.connect(settings)
    yield database
    database.dispose()
