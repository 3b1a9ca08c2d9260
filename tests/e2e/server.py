"""Run the real server (`python -m ordersmith serve`) as a subprocess for end-to-end tests.

    with running_server(database_url=url, data_dir=tmp_path) as server:
        httpx.get(server.url("/healthz"))

The server gets its own free port (safe under pytest-xdist), the test database by URL
(already migrated by the ``db`` fixture, so the server only checks the schema) and its
own data folder; it runs from the data folder so that no ``.env`` of the checkout leaks
in. It is stopped with SIGTERM and waited for; killed if it does not stop in time. Its
output goes to ``<data_dir>/server.log``, quoted in the error if it fails to start.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


@dataclass(frozen=True)
class Server:
    base_url: str
    process: subprocess.Popen[bytes]
    log: Path

    def url(self, path: str) -> str:
        return self.base_url + path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _log_tail(log: Path, lines: int = 40) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        # the server runs in a session of its own: kill it and its workers, by group id
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT)


def _start(
    database_url: str, data_dir: Path, port: int, log: Path, workers: int
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ORDERSMITH_DATABASE_URL": database_url,
        "ORDERSMITH_DATA_DIR": str(data_dir),
        "ORDERSMITH_ENVIRONMENT": "test",
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ordersmith",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            cwd=data_dir,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _wait_until_healthy(server: Server) -> bool:
    """True once GET /healthz answers 200; False if the process died first."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            return False
        try:
            if httpx.get(server.url("/healthz"), timeout=1.0).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(
        f"server did not become healthy in {START_TIMEOUT}s:\n{_log_tail(server.log)}"
    )


@contextmanager
def running_server(
    *, database_url: str, data_dir: Path, workers: int = 1, attempts: int = 3
) -> Iterator[Server]:
    """Start the server (``workers`` processes) on a free port, wait for /healthz, yield
    it, stop it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir / "server.log"
    server: Server | None = None
    for _ in range(attempts):  # another process may take the free port before we bind it
        port = free_port()
        candidate = Server(
            f"http://127.0.0.1:{port}", _start(database_url, data_dir, port, log, workers), log
        )
        try:
            healthy = _wait_until_healthy(candidate)
        except BaseException:
            _stop(candidate.process)
            raise
        if healthy:
            server = candidate
            break
        _stop(candidate.process)
    if server is None:
        raise RuntimeError(f"server did not start ({attempts} attempts):\n{_log_tail(log)}")
    try:
        yield server
    finally:
        _stop(server.process)
