"""Database plumbing: metadata, column types, engine and session factories.

Nothing here connects at import time; ``make_engine`` builds an engine on call.

SQLite (embedded default): WAL, ``synchronous=FULL`` (an acknowledged order survives a
power cut), foreign keys on, a busy timeout, and every transaction opened by the unit
of work is ``BEGIN IMMEDIATE`` so writers queue instead of failing on upgrade; they queue
for their turn on a file lock first (ordersmith.sqlite_writers, ADR 0038).
PostgreSQL: psycopg 3, READ COMMITTED, conditional updates as the concurrency guard.
"""

from __future__ import annotations

import functools
import hashlib
import re
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from ordersmith import pg_arrays, pg_rollback, sqlite_rows, sqlite_writers
from ordersmith.driver import scalar

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class Fixed(sa.types.TypeDecorator[Decimal]):
    """An exact decimal with a fixed scale, on both databases.

    PostgreSQL: ``NUMERIC(19, scale)``. SQLite has no exact decimal, so the value is
    stored as a scaled 64-bit integer; ``SUM`` over it stays exact and comes back as
    a Decimal. Values with more decimals than the scale are refused, never rounded.
    """

    impl = sa.Numeric
    cache_ok = True

    def __init__(self, scale: int = 4) -> None:
        super().__init__()
        self.scale = scale

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.BigInteger())
        return dialect.type_descriptor(sa.Numeric(19, self.scale, asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        value = Decimal(value)
        scaled = value.scaleb(self.scale)
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than {self.scale} decimals")
        if dialect.name == "sqlite":
            return int(scaled)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Decimal(int(value)).scaleb(-self.scale)
        return Decimal(value)

    def passes_unchanged(self, values: Sequence[Any], printed: str) -> bool:
        """True when ``process_bind_param`` on PostgreSQL gives back each of ``values``
        as is: Decimals (no subclass) of at most ``scale`` places, as ``printed`` (their
        ``str`` joined by commas) shows. Checked for a whole column at once, in C
        (ordersmith.pg_arrays then skips the call per value); False says nothing (each
        value is then processed, and refused if it must be)."""
        return {*map(type, values)} == _DECIMAL_ONLY and bool(_plain(self.scale).fullmatch(printed))


_DECIMAL_ONLY = {Decimal}


@functools.cache
def _plain(scale: int) -> re.Pattern[str]:
    """Comma-separated numbers in plain notation of at most ``scale`` places."""
    number = rf"-?[0-9]+(?:\.[0-9]{{0,{scale}}})?"
    return re.compile(rf"{number}(?:,{number})*")


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both databases (SQLite stores naive UTC)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use ordersmith.clock.now()")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_column(enum: type[StrEnum], length: int = 24) -> sa.Enum:
    """A portable enum column stored as its lower snake_case value (VARCHAR + CHECK)."""
    return sa.Enum(
        enum,
        native_enum=False,
        length=length,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = metadata
    type_annotation_map = {
        uuid.UUID: sa.Uuid(),
        datetime: UtcDateTime(),
        date: sa.Date(),
        Decimal: Fixed(4),
        dict[str, Any]: sa.JSON(),
    }


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    lock_path = sqlite_writers.lock_path(engine.url)
    timeout_s = busy_timeout_ms / 1000

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        if lock_path is not None and isinstance(dbapi_connection, sqlite_writers.WriterConnection):
            dbapi_connection.writer_turn = sqlite_writers.WriterTurn(lock_path)
        # Let SQLAlchemy's begin() issue our BEGIN instead of pysqlite's implicit one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        if mode == "DEFERRED":  # a reader: never waits for a writer's turn
            conn.exec_driver_sql("BEGIN DEFERRED")
            return
        # writers queue for their turn (ordersmith.sqlite_writers), then take the lock
        dbapi_connection = conn.connection.dbapi_connection
        sqlite_writers.take_turn(dbapi_connection, timeout_s)
        try:
            conn.exec_driver_sql(f"BEGIN {mode}")
        except BaseException:
            sqlite_writers.give_back_turn(dbapi_connection)
            raise


def _ping_after_idle(engine: Engine, idle_seconds: float) -> None:  # float-ok: seconds
    """Check a pooled connection before use only if it sat idle for ``idle_seconds``.

    A server restart or an idle timeout kills connections while they wait in the pool;
    such a connection is found by the ping and replaced (``DisconnectionError`` makes
    the pool take another). A connection given back moments ago is used at once:
    pinging it would cost a round trip per transaction (``pool_pre_ping``), on every
    order placed."""

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        checked_in_at = record.info.pop("checked_in_at", None)
        if checked_in_at is None or time.monotonic() - checked_in_at < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:  # any failure: the connection is gone
            raise sa.exc.DisconnectionError(str(exc)) from exc


def make_engine(
    url: str,
    *,
    pool_size: int = 10,
    busy_timeout_ms: int = 30_000,
    lock_timeout_ms: int = 10_000,
    ping_after_idle_s: float = 1.0,  # float-ok: seconds, not money
) -> Engine:
    """Build an engine for a SQLite or PostgreSQL URL."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(
            url,
            connect_args={
                "check_same_thread": False,
                "timeout": busy_timeout_ms / 1000,
                "factory": sqlite_writers.WriterConnection,
            },
        )
        _configure_sqlite(engine, busy_timeout_ms)
        return engine
    engine = sa.create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size * 2,
        isolation_level="READ COMMITTED",
        connect_args={"options": f"-c lock_timeout={int(lock_timeout_ms)}"},
    )
    _ping_after_idle(engine, ping_after_idle_s)
    pg_rollback.keep_prepared_statements(engine)
    # batch executemany INSERTs into multi-row VALUES too when nothing is returned:
    # one statement instead of psycopg's per-row pipeline (less Python time per row)
    engine.dialect.use_insertmanyvalues_wo_returning = True
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


def core(session: Session) -> Connection:
    """The session's connection, for Core statements on hot paths: skips the ORM's
    per-statement bookkeeping, same transaction. A unit of work's session is bound to
    the unit of work's own connection, which is returned as is (ADR 0047)."""
    bind = session.bind
    if isinstance(bind, Connection):
        return bind
    return session.connection()


def insert_rows(conn: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """INSERT many rows in one round trip.

    PostgreSQL: ``INSERT … SELECT * FROM unnest(…)``, one array literal per column, so
    the statement's text is the same for any number of rows (ordersmith.pg_arrays).
    SQLite: the driver's ``executemany`` (ordersmith.sqlite_rows). A table whose missing
    columns have a callable Python-side default: SQLAlchemy's "insertmanyvalues"."""
    if not rows:
        return
    keys = tuple(rows[0])
    if all(len(row) == len(keys) for row in rows):
        if conn.dialect.name == "postgresql":
            plan = pg_arrays.unnest_insert(table, keys)
            if plan is not None:
                pg_arrays.run(conn, plan.sql, plan.parameters(rows))
                return
        else:
            many = sqlite_rows.sqlite_insert(table, keys)
            if many is not None:
                many.run(conn, rows)
                return
    conn.execute(sa.insert(table), rows)


def insert_together(
    conn: Connection,
    batches: Sequence[tuple[sa.Table, list[dict[str, Any]]]],
    *,
    rider: pg_arrays.Rider | None = None,
) -> None:
    """INSERT the rows of several tables, in the order given (parents first).

    PostgreSQL: one statement (ordersmith.pg_arrays.insert_together), one round trip for
    all of them, carrying the ``rider``'s CTEs if given (its count is checked: a
    mismatch raises ``RiderRefused`` and the transaction must roll back); rows that
    cannot go through arrays are inserted one table at a time, after the rider alone.
    SQLite: one ``insert_rows`` per table (its statements run in-process); a rider is
    PostgreSQL's."""
    batches = [(table, rows) for table, rows in batches if rows]
    together = None
    if conn.dialect.name == "postgresql" and batches:
        together = pg_arrays.insert_together(batches, rider)
    if together is not None:
        written = pg_arrays.run(conn, *together)
        if rider is not None:
            _check_rider(rider, scalar(written))
        return
    if rider is not None:  # rows that cannot go through arrays: the rider runs alone
        alone = f"WITH {rider.ctes} SELECT {rider.count}"
        _check_rider(rider, scalar(pg_arrays.run(conn, alone, rider.parameters)))
    for table, rows in batches:
        insert_rows(conn, table, rows)


def _check_rider(rider: pg_arrays.Rider, count: Any) -> None:
    if count != rider.expected:
        raise RiderRefused(f"{count} rows where {rider.expected} were expected")


class RiderRefused(RuntimeError):
    """A statement carried by ``insert_together`` changed fewer rows than it must."""


def read_only(session: Session) -> Session:
    """Mark a session as read-only: on SQLite its transactions are plain (deferred) BEGIN."""
    session.connection(execution_options={"sqlite_begin": "DEFERRED"})
    return session


def insert_ignoring_conflicts(session: Session, table: sa.Table, values: dict[str, Any]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING on either database; True when a row was inserted.

    Decided by RETURNING, not ``rowcount`` (psycopg may report -1 for this statement)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt: Any = pg_insert(table).values(**values).on_conflict_do_nothing()
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        stmt = sqlite_insert(table).values(**values).on_conflict_do_nothing()
    key = next(iter(table.primary_key.columns))
    return session.execute(stmt.returning(key)).first() is not None


def advisory_key(name: str) -> int:
    """The PostgreSQL advisory lock key of ``name``: the first 8 bytes of its SHA-256 as
    the signed 64-bit integer ``pg_advisory_xact_lock`` takes (two names share one with
    odds of 2**-64)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def take_advisory_lock(session: Session, key: int) -> None:
    """Wait for, then hold to the transaction's end, the advisory lock ``key``
    (PostgreSQL)."""
    session.execute(sa.select(sa.func.pg_advisory_xact_lock(key)))


def table_of(model: type[Base]) -> sa.Table:
    """The Core table of a mapped class, for set-based statements on hot paths."""
    table = model.__table__
    assert isinstance(table, sa.Table)
    return table
