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

import hashlib
import os
import pickle
import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from filelock import FileLock

from ordersmith import clock, migrate
from ordersmith.db import make_engine
from ordersmith.demo.fulfilment import FulfilmentSummary, simulate_fulfilment
from ordersmith.demo.loader import load_demo
from ordersmith.uow import Database
from tests.conftest import make_settings

SMALL = {"seed": 5, "history_days": 170, "customers": 30}
DAYS = 10
SEED = 7
TEMPLATE_PREFIX = "ordersmith_simtpl_"


def template_name(controller_pid: int) -> str:
    """This run's built simulation on PostgreSQL: named after the host and the pytest
    process that runs the session (the xdist controller, the workers' parent), so runs
    sharing a server never touch each other's; that process drops it when the run ends."""
    host = hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]
    return f"{TEMPLATE_PREFIX}{host}_{controller_pid}"


def controller_pid() -> int:
    return os.getppid() if os.environ.get("PYTEST_XDIST_WORKER") else os.getpid()


def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder every worker of this run shares (the run's own one without xdist)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def built_folder(tmp_path_factory: pytest.TempPathFactory, backend: str) -> Path:
    """Where this run's simulation of ``backend`` is built, once, for every worker."""
    return run_folder(tmp_path_factory) / f"simulated-{backend}"


@contextmanager
def simulated_copy(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Database, FulfilmentSummary]]:
    """A database of its own holding the run's simulated demo, and the summary."""
    backend: str = request.param
    shared = built_folder(tmp_path_factory, backend)
    with FileLock(f"{shared}.lock"):
        if not (shared / "summary.pickle").exists():
            _build(request, shared)
        folder = tmp_path_factory.mktemp("simulated")
        shutil.copytree(shared / "data", folder, dirs_exist_ok=True)
        url = f"sqlite:///{folder / 'ordersmith.db'}" if backend == "sqlite" else _clone(request)
    summary: FulfilmentSummary = pickle.loads((shared / "summary.pickle").read_bytes())
    db = Database.connect(make_settings(folder, url))
    try:
        yield db, summary
    finally:
        db.dispose()
        if backend != "sqlite":
            _drop(url)


def _build(request: pytest.FixtureRequest, shared: Path) -> None:
    """Build into a fresh folder and move it into place only once complete, so a build
    that failed or skipped (no PostgreSQL) leaves nothing a later user would trust."""
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
    else:
        worker_url = request.getfixturevalue("postgres_url")  # skips without PostgreSQL
    building = shared.with_name(f"{shared.name}.building")
    shutil.rmtree(building, ignore_errors=True)
    data = building / "data"
    data.mkdir(parents=True)
    if request.param == "sqlite":
        shutil.copy(template, data / "ordersmith.db")
        url = f"sqlite:///{data / 'ordersmith.db'}"
    else:
        url = _new_database(worker_url)
    db = Database.connect(make_settings(data, url))
    started = story_told_at()
    try:
        with clock.simulated(started):
            load_demo(db, **SMALL)
            summary = simulate_fulfilment(db, days=DAYS, seed=SEED)
    finally:
        db.dispose()
    (building / "summary.pickle").write_bytes(pickle.dumps(summary))
    (building / "built_at").write_text(started.isoformat())
    shutil.rmtree(shared, ignore_errors=True)
    building.rename(shared)


def story_told_at() -> datetime:
    """When the test stories are told: noon (UTC) on this week's Monday. A short story's
    plot depends on the weekday it is told: its window ends on the last working day and
    the warehouse's backlog builds over a weekend, so a 10-day story told on a Tuesday
    had no Monday morning with orders waiting to split. Told as on a Monday, each story
    is the same whatever day the tests run."""
    today = clock.today()
    monday = today - timedelta(days=today.weekday())
    return datetime.combine(monday, time(12), tzinfo=UTC)


def built_at(tmp_path_factory: pytest.TempPathFactory, backend: str) -> datetime:
    """When this run's simulation of ``backend`` was built: the demo it loaded is dated
    from that day (``load_demo`` and ``simulate_fulfilment`` count from today)."""
    built = built_folder(tmp_path_factory, backend)
    return datetime.fromisoformat((built / "built_at").read_text())


def _new_database(worker_url: str) -> str:
    """A new migrated database for the build, named for this run."""
    name = template_name(controller_pid())
    with _admin(worker_url) as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.make_url(worker_url).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    return url


def _clone(request: pytest.FixtureRequest) -> str:
    """A new database of this worker's, a copy of the run's built simulation."""
    worker_url = sa.make_url(request.getfixturevalue("postgres_url"))
    template = template_name(controller_pid())
    name = f"{worker_url.database}_simulated"
    url = worker_url.set(database=name).render_as_string(hide_password=False)
    with _admin(url) as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return url


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


def drop_built_simulation(url: str) -> None:
    """Drop this run's built simulation (if any) on the server of ``url``; call it from
    the process that ran the session."""
    with _admin(url) as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{template_name(os.getpid())}" WITH (FORCE)')
