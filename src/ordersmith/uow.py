"""Unit of work: one transaction, and the domain events it collects into the outbox.

    with db.unit_of_work(actor="api:token-name") as uow:
        order = place_order(uow, ...)
    # committed here, with the order, its history and its events; or rolled back whole

Services receive the ``uow`` and never commit themselves. Read-only work uses
``db.reader()`` (a plain deferred transaction on SQLite, so readers never queue).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, Self, TypeVar, cast

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.auth.token_cache import TokenCache
from ordersmith.config import Settings
from ordersmith.db import (
    insert_rows,
    make_engine,
    make_session_factory,
    read_only,
    table_of,
)
from ordersmith.errors import Forbidden
from ordersmith.events import DomainEvent
from ordersmith.ids import new_id
from ordersmith.numbering import NumberAllocator
from ordersmith.outbox.models import OutboxEvent

if TYPE_CHECKING:
    from ordersmith.auth.services import Principal


class LastStep(Protocol):
    """Work a unit of work does once, after its last statement and just before commit."""

    def __call__(self, uow: UnitOfWork) -> None: ...


StepT = TypeVar("StepT", bound=LastStep)

Subscriber = Callable[["UnitOfWork", Any], None]
"""Runs inside the recording unit of work, in its transaction, when an event of its type
is recorded (e.g. fulfilment allocates a confirmed order). Raising aborts the whole unit
of work. Areas subscribe to each other's events this way instead of importing upwards;
``ordersmith.wiring`` lists every subscription."""


@dataclass
class Database:
    """Everything that talks to one database: built once at start-up, shared by threads."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    numbers: NumberAllocator
    writer_turn: contextlib.AbstractContextManager[Any] = field(
        default_factory=contextlib.nullcontext
    )
    """SQLite has one writer: this process's writers queue here, first come first served,
    instead of in SQLite's busy handler (whose growing sleeps starve unlucky threads)."""
    subscribers: dict[type[DomainEvent], list[Subscriber]] = field(default_factory=dict)
    tokens: TokenCache[Principal] = field(init=False)
    """API tokens this process checked a moment ago (``api_token_cache_seconds``, ADR 0035)."""

    def __post_init__(self) -> None:
        self.tokens = TokenCache(self.settings.api_token_cache_seconds)

    @classmethod
    def connect(cls, settings: Settings) -> Database:
        url = settings.effective_database_url
        if settings.is_sqlite and settings.is_embedded:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = make_engine(
            url,
            pool_size=settings.db_pool_size,
            busy_timeout_ms=settings.sqlite_busy_timeout_ms,
            lock_timeout_ms=settings.db_lock_timeout_ms,
        )
        from ordersmith.wiring import in_transaction_subscribers  # the areas import uow

        return cls(
            settings,
            engine,
            make_session_factory(engine),
            NumberAllocator(engine, settings.number_block_size),
            threading.RLock() if settings.is_sqlite else contextlib.nullcontext(),
            in_transaction_subscribers(),
        )

    def unit_of_work(
        self, *, actor: str, permissions: frozenset[Permission] | None = None
    ) -> UnitOfWork:
        """``permissions``: those of a signed-in person (a back-office page passes its
        user's); None for a trusted system actor (CLI, worker, API tokens checked at the
        route). Services call ``uow.authorize(...)`` (ADR 0023)."""
        return UnitOfWork(self, actor=actor, permissions=permissions)

    @contextmanager
    def reader(self) -> Iterator[Session]:
        session = read_only(self.sessions())
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


@dataclass
class UnitOfWork:
    db: Database
    actor: str
    permissions: frozenset[Permission] | None = None
    """The principal's permissions; None: a trusted system actor (ADR 0023)."""
    events: list[DomainEvent] = field(default_factory=list)
    failure_events: list[DomainEvent] = field(default_factory=list)
    _last_steps: dict[str, LastStep] = field(default_factory=dict)
    _conn: Connection | None = None
    _session: Session | None = None
    _after_commit: list[Callable[[], None]] = field(default_factory=list)

    @property
    def settings(self) -> Settings:
        return self.db.settings

    @property
    def connection(self) -> Connection:
        """The unit of work's connection, its transaction begun on first use (ADR 0047).
        Core statements on hot paths run here; ``session`` shares it."""
        if self._conn is None:
            self.db.writer_turn.__enter__()
            try:
                conn = self.db.engine.connect()
                try:
                    conn.begin()
                except BaseException:
                    conn.close()
                    raise
            except BaseException:
                self.db.writer_turn.__exit__(None, None, None)
                raise
            self._conn = conn
        return self._conn

    @property
    def session(self) -> Session:
        """An ORM session on ``connection``, made on first use. It never commits or
        closes the transaction: the unit of work flushes it and commits the connection."""
        if self._session is None:
            self._session = self.db.sessions(
                bind=self.connection, join_transaction_mode="rollback_only"
            )
        return self._session

    def authorize(self, permission: Permission) -> None:
        """Refuse (``Forbidden``, 403) a principal without ``permission``; a trusted
        system actor (``permissions`` None) passes. Page-facing services call this first."""
        if self.permissions is not None and permission not in self.permissions:
            raise Forbidden(f"you may not do this (it needs the {permission} permission)")

    @contextmanager
    def as_system(self) -> Iterator[None]:
        """Run the consequences of an already authorized action as the system (a paid
        cash sale confirms its order; an exchange places its replacement): the user
        asked for the payment or the exchange, not for the confirmation itself."""
        saved, self.permissions = self.permissions, None
        try:
            yield
        finally:
            self.permissions = saved

    def next_number(self, series: str) -> int:
        """Take the next human number of a series (call before the first statement:
        the block is taken in its own short transaction, see ordersmith.numbering)."""
        if self._conn is not None and self.db.settings.is_sqlite:
            raise RuntimeError("take numbers before the unit of work's first statement")
        return self.db.numbers.next(series)

    def last_step(self, name: str, make: Callable[[], StepT]) -> StepT:
        """The unit of work's step ``name`` (``make()`` on first use). Steps run once
        each, in the order first asked for, after the work's last statement and before
        its outbox rows and commit; none runs if the work fails. The journal numbers its
        entries there, so its counter is the transaction's last lock (ADR 0034)."""
        step = self._last_steps.get(name)
        if step is None:
            step = self._last_steps[name] = make()
        return cast(StepT, step)

    def record(self, *events: DomainEvent) -> None:
        """Keep ``events`` for the outbox and run their in-transaction subscribers now."""
        self.events.extend(events)
        with self.as_system():  # subscribers are consequences, not the user's own acts
            for event in events:
                for subscriber in self.db.subscribers.get(type(event), ()):
                    subscriber(self, event)

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once this unit of work has committed, never if it rolls back:
        for in-process state that must follow the database (a revoked token is forgotten
        by ``db.tokens``). It must not raise: the change is committed by then."""
        self._after_commit.append(callback)

    def record_even_if_failed(self, *events: DomainEvent) -> None:
        """Events that must be kept even when this unit of work rolls back (e.g. a
        demand signal from an order refused for lack of stock). On rollback they are
        written to the outbox in a transaction of their own."""
        self.failure_events.extend(events)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            self._last_steps.clear()  # the work failed: nothing of it is written
        if self._conn is None:
            if exc_type is None and (self.events or self._last_steps):
                self._commit()
                self._close()
            elif exc_type is not None:
                self._write_failure_events()
        else:
            try:
                if exc_type is None:
                    self._commit()
                else:
                    self._conn.rollback()  # the session's work too; _close forgets its objects
            finally:
                self._close()
            if exc_type is not None:
                self._write_failure_events()
        callbacks, self._after_commit = self._after_commit, []
        if exc_type is None:
            for callback in callbacks:
                callback()

    def _close(self) -> None:
        """Give the connection back (rolled back if still in a transaction)."""
        conn, session = self._conn, self._session
        self._conn = self._session = None
        if conn is None:
            return
        try:
            if session is not None:
                session.close()
        finally:
            try:
                conn.close()
            finally:
                self.db.writer_turn.__exit__(None, None, None)

    def _write_failure_events(self) -> None:
        if not self.failure_events:
            return
        self.events = self.failure_events
        self.failure_events = []
        try:
            self._commit()
        finally:
            self._close()

    def take_outbox_rows(self) -> list[dict[str, Any]]:
        """The outbox rows of the events recorded so far, for a caller that writes them
        with its own rows in this transaction (one statement instead of two, on the
        order-placement path). They are not written again at commit."""
        at = clock.now()
        rows = [
            {
                "id": new_id(),
                "event_type": event.event_type(),
                "aggregate_type": event.aggregate_type,
                "aggregate_id": event.aggregate_id,
                "payload": event.payload(),
                "actor": self.actor,
                "created_at": at,
                "attempts": 0,
            }
            for event in self.events
        ]
        self.events.clear()
        return rows

    def _commit(self) -> None:
        steps, self._last_steps = list(self._last_steps.values()), {}
        for step in steps:
            step(self)
        conn = self.connection
        if self.events:
            insert_rows(conn, table_of(OutboxEvent), self.take_outbox_rows())
        if self._session is not None:
            self._session.flush()
        conn.commit()
