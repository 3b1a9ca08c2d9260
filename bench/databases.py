"""Fresh, throw-away databases for one benchmark run: a SQLite file in a temporary
folder, or a PostgreSQL database ``ordersmith_bench_<pid>`` created from an admin URL
and dropped (WITH FORCE) at the end."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from ordersmith import migrate
from ordersmith.config import Settings, load_settings
from ordersmith.db import make_engine

PG_ENV = "ORDERSMITH_BENCH_DATABASE_URL"
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True)
class Target:
    """One benchmark database: its kind, SQLAlchemy URL and a scratch folder."""

    kind: str  # "sqlite" | "postgresql"
    url: str
    workdir: Path
    name: str  # PostgreSQL database name, or the SQLite file path

    @property
    def is_sqlite(self) -> bool:
        return self.kind == "sqlite"

    @property
    def sqlite_path(self) -> Path:
        return Path(self.name)

    @property
    def libpq_url(self) -> str:
        """The URL psycopg understands (no SQLAlchemy driver suffix)."""
        return sa.make_url(self.url).set(drivername="postgresql").render_as_string(False)

    def settings(self, **overrides: object) -> Settings:
        return load_settings(
            environment="test", data_dir=self.workdir / "data", database_url=self.url, **overrides
        )


def postgres_admin_url() -> str:
    url = os.environ.get(PG_ENV, PG_DEFAULT)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


@contextmanager
def fresh_database(kind: str, *, keep: bool = False) -> Iterator[Target]:
    """A migrated, empty database of ``kind``; removed afterwards unless ``keep``."""
    workdir = Path(tempfile.mkdtemp(prefix="ordersmith-bench-"))
    try:
        if kind == "sqlite":
            path = workdir / "bench.db"
            target = Target("sqlite", f"sqlite:///{path}", workdir, str(path))
            _migrate(target.url)
            yield target
        elif kind == "postgresql":
            with _postgres_database(workdir, keep=keep) as target:
                yield target
        else:
            raise ValueError(f"unknown database kind {kind!r}")
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)


@contextmanager
def _postgres_database(workdir: Path, *, keep: bool) -> Iterator[Target]:
    admin_url = postgres_admin_url()
    name = f"ordersmith_bench_{os.getpid()}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        url = sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        target = Target("postgresql", url, workdir, name)
        _migrate(url)
        yield target
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _migrate(url: str) -> None:
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()
