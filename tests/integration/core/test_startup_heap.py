"""A long-running process freezes what it built at start-up, so that the cycle
collector's full collections skip it (ordersmith.heap, ADR 0044)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from ordersmith.heap import freeze_startup_objects
from ordersmith.uow import Database
from ordersmith.web import app as web_app


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()  # the test process builds many applications: never leave them frozen
    yield
    gc.unfreeze()


def test_freezing_moves_every_tracked_object_out_of_the_collections(unfrozen: None) -> None:
    # given objects built at start-up
    built = [{"route": i} for i in range(1000)]

    # when
    frozen = freeze_startup_objects()

    # then they are frozen, and a full collection no longer walks them
    assert frozen == gc.get_freeze_count()
    assert frozen > len(built)
    assert not any(obj is built for obj in gc.get_objects())


def test_the_servers_application_factory_freezes_its_start_up(
    unfrozen: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the environment a server worker starts from (the embedded database)
    monkeypatch.setenv("ORDERSMITH_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("ORDERSMITH_DATABASE_URL", raising=False)
    # the factory also configures the process's logging: not this test's subject, and
    # global (structlog), so the other tests of this process keep theirs
    monkeypatch.setattr(web_app, "configure_logging", lambda *_args, **_kwargs: None)

    # when granian's factory builds the application
    app = web_app.create_default_app()

    # then what it built is frozen
    try:
        assert gc.get_freeze_count() > 0
    finally:
        db: Database = app.state.db
        db.dispose()
