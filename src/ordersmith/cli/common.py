"""Shared CLI plumbing: settings, the database, the actor, printing errors."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console

from ordersmith.config import load_settings
from ordersmith.runtime import open_database
from ordersmith.uow import Database

console = Console()
err_console = Console(stderr=True)


def cli_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no user name in some containers
        return "cli"


@contextmanager
def database() -> Iterator[Database]:
    db = open_database(load_settings())
    try:
        yield db
    finally:
        db.dispose()
