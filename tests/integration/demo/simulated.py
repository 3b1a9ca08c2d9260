"""The small demo the simulation tests share: its size, and one build of it per run.

Simulating renders a label and a packing slip per shipment and a PDF per invoice,
credit note and reminder mail: minutes of work. The package's modules only read the
result, but ``--dist loadfile`` spreads them over the workers, and a package fixture
with a database parameter is set up again each time a worker switches database. So the
simulation is built once per database per run (the first worker to need it builds it
under a file lock, in the run's shared temporary folder) and every user gets a copy:
the data folder (mail, documents) copied, and on PostgreSQL a database cloned from the
built one (``CREATE DATABASE … TEMPLATE``). The history is long enough for the billing
story's oldest invoices (``demo.billing_story``).
"""

from __future__ import annotations

import os
import pickle
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from filelock import FileLock

from ordersmith import migrate
from ordersmith.db import make_engine
from ordersmith.demo.fulfilment import FulfilmentSummary, simulate_fulfilment
from ordersmith.demo.loader import load_demo
from ordersmith.uow import Database
from tests.conftest import make_settings

SMALL = {"seed": 5, "history_days": 170, "customers": 30}
DAYS = 10
SEED = 7
TEMPLATE_PREFIX = "ordersmith_simtpl_"
"""Built simulations on PostgreSQL; the controller drops them when the run ends."""


def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder every worker of this run shares (the run's own one without xdist)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@contextmanager
def simulated_copy(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Database, FulfilmentSummary]]:
    """A database of its own holding the run's simulated demo, and the summary."""
    backend: str = request.param
    shared = run_folder(tmp_path_factory) / f"simulated-{backend}"
    with FileLock(f"{shared}.lock"):
        if not (shared / "summary.pickle").exists():
            _build(request, shared)
        folder = tmp_path_factory.mktemp("simulated")
        shutil.copytree(shared / "data", folder, dirs_exist_ok=True)
        url = (shared / "url").read_text()
        if backend != "sqlite":
            url = _clone(request, url)
        else:
            url = f"sqlite:///{folder / 'ordersmith.db'}"
    summary: FulfilmentSummary = pickle.loads((shared / "summary.pickle").read_bytes())
    db = Database.connect(make_settings(folder, url))
    try:
        yield db, summary
    finally:
        db.dispose()
        if backend != "sqlite":
            _drop(url)


def _build(request: pytest.FixtureRequest, shared: Path) -> None:
    data = shared / "data"
    data.mkdir(parents=True)
    if request.param == "sqlite":
        shutil.copy(request.getfixturevalue("sqlite_template"), data / "ordersmith.db")
        url = f"sqlite:///{data / 'ordersmith.db'}"
    else:
        url = _new_database(request.getfixturevalue("postgres_url"), shared.parent.name)
    db = Database.connect(make_settings(data, url))
    try:
        load_demo(db, **SMALL)
        summary = simulate_fulfilment(db, days=DAYS, seed=SEED)
    finally:
        db.dispose()
    (shared / "url").write_text(url)
    (shared / "summary.pickle").write_bytes(pickle.dumps(summary))


def _new_database(worker_url: str, run: str) -> str:
    """A new migrated database for the build, named after the run."""
    name = f"{TEMPLATE_PREFIX}{run.replace('-', '_')}"[:63]
    with _admin(worker_url) as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.make_url(worker_url).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    return url


def _clone(request: pytest.FixtureRequest, template_url: str) -> str:
    worker_url = sa.make_url(request.getfixturevalue("postgres_url"))
    template = sa.make_url(template_url).database
    name = f"{worker_url.database}_simulated"
    with _admin(template_url) as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return worker_url.set(database=name).render_as_string(hide_password=False)


def _drop(url: str) -> None:
    name = sa.make_url(url).database
    with _admin(url) as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def _admin(url: str) -> Iterator[sa.Connection]:
    """An autocommit connection to the server's ``postgres`` database."""
    engine = sa.create_engine(
        sa.make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def drop_built_simulations(url: str) -> None:
    """Drop every built simulation database on the server of ``url``."""
    with _admin(url) as conn:
        names = conn.exec_driver_sql(
            "SELECT datname FROM pg_database WHERE datname LIKE %s",
            (f"{TEMPLATE_PREFIX}%",),
        ).scalars()
        for name in list(names):
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
