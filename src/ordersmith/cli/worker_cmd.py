"""`ordersmith worker`: deliver outbox events and send queued mail."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

import typer

from ordersmith.cli.common import cli_actor, console, database
from ordersmith.heap import freeze_startup_objects
from ordersmith.jobs.worker import Backlog, RunReport, backlog, replay_dead, run_once, run_worker
from ordersmith.logging import configure_logging


def register(app: typer.Typer) -> None:
    @app.command()
    def worker(
        once: bool = typer.Option(
            False, "--once", help="deliver everything due now, print what was done, exit"
        ),
        replay: bool = typer.Option(
            False,
            "--replay-dead",
            help="make dead events and messages due again (with --once: and deliver them)",
        ),
    ) -> None:
        """Deliver outbox events (customer mail, ...) and send queued messages.

        Runs until Ctrl-C (or SIGTERM), polling every ORDERSMITH_WORKER_POLL_MS. Several
        workers may run at once. `ordersmith serve` runs one itself for the embedded
        database (ORDERSMITH_WORKER_IN_SERVER)."""
        with database() as db:
            if replay:
                events, messages = replay_dead(db, actor=cli_actor())
                console.print(f"replayed {events} dead event(s) and {messages} dead message(s)")
                if not once:
                    return
            if once:
                console.print(_report(run_once(db)))
                console.print(_backlog(backlog(db)))
                return
            settings = db.settings
            configure_logging(settings.log_level, json=settings.environment == "production")
            freeze_startup_objects()  # a long-running process (ADR 0044)
            console.print("worker running; Ctrl-C stops it")
            with _stop_on_signals() as stop:
                run_worker(db, stop=stop, poll_ms=settings.worker_poll_ms)
            console.print("worker stopped")


@contextmanager
def _stop_on_signals() -> Iterator[threading.Event]:
    """An event set by Ctrl-C or SIGTERM: the loop finishes its step, then returns."""
    stop = threading.Event()

    def handle(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _report(report: RunReport) -> str:
    return (
        f"delivered {report.events_delivered} event(s) ({report.events_failed} failed), "
        f"sent {report.messages_sent} message(s) ({report.messages_failed} failed)"
    )


def _backlog(left: Backlog) -> str:
    return (
        f"waiting: {left.events_waiting} event(s), {left.messages_waiting} message(s); "
        f"dead: {left.events_dead} event(s), {left.messages_dead} message(s)"
    )
