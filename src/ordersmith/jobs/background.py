"""The worker as a daemon thread of the server (``ORDERSMITH_WORKER_IN_SERVER``)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import structlog

from ordersmith.jobs.worker import run_worker
from ordersmith.uow import Database

log = structlog.get_logger(__name__)

STOP_WAIT_SECONDS = 15


@dataclass
class BackgroundWorker:
    thread: threading.Thread
    stop_event: threading.Event

    def stop(self) -> None:
        """Ask the loop to stop and wait for its current step (a mail being sent, say)."""
        self.stop_event.set()
        self.thread.join(timeout=STOP_WAIT_SECONDS)
        if self.thread.is_alive():  # a daemon: it cannot keep the process alive
            log.warning("worker_still_busy_at_shutdown")


def start_background_worker(db: Database) -> BackgroundWorker:
    stop = threading.Event()
    thread = threading.Thread(
        target=run_worker,
        args=(db,),
        kwargs={"stop": stop, "poll_ms": db.settings.worker_poll_ms},
        name="ordersmith-worker",
        daemon=True,
    )
    thread.start()
    return BackgroundWorker(thread, stop)
