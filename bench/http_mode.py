"""``--via http``: the real server (``python -m ordersmith serve --workers 2``, granian)
driven by one keep-alive ``httpx.Client`` per client thread.

Place order is ``POST /api/v1/orders``; order status is ``GET /api/v1/orders?customer_id=
&limit=1`` then ``GET /api/v1/orders/{id}``; the order list is ``GET /api/v1/orders?status=
...`` and its ``next_cursor`` page; customer history is ``GET /api/v1/customers/{id}/
history``. The API has no TPC-C stock-level query, so stock level over HTTP is the
nearest thing it has: ``GET /api/v1/stock?warehouse=W&low=true&limit=20`` (rows at or
below their reorder point).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.databases import Target
from bench.metrics import children_of
from bench.workload import (
    HISTORY,
    LIST,
    LIST_STATUSES,
    PLACE,
    READ_WEIGHTS,
    STATUS,
    STOCK,
    TPCC_WEIGHTS,
    OrderMaker,
    OrderSpec,
    Recorder,
    choose,
    timed_place,
)
from ordersmith.auth.models import Role
from ordersmith.auth.services import create_token
from ordersmith.uow import Database

API = "/api/v1"


@dataclass(frozen=True)
class Server:
    base_url: str
    process: subprocess.Popen[bytes]
    token: str

    def pids(self) -> list[int]:
        return children_of(self.process.pid)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def running_server(db: Database, target: Target, *, workers: int = 2) -> Iterator[Server]:
    """Start the server over the bench database, wait for /healthz, stop it after."""
    with db.unit_of_work(actor="bench") as uow:
        _info, token = create_token(uow, name=f"bench-{os.getpid()}", role=Role.ADMIN)
    data_dir = target.workdir / "server"
    data_dir.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    env = {
        **os.environ,
        "ORDERSMITH_DATABASE_URL": target.url,
        "ORDERSMITH_DATA_DIR": str(data_dir),
        "ORDERSMITH_ENVIRONMENT": "test",
        "ORDERSMITH_LOG_LEVEL": "warning",
    }
    command = [sys.executable, "-m", "ordersmith", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(workers)]
    log = (data_dir / "server.log").open("ab")
    process = subprocess.Popen(
        command, cwd=data_dir, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    server = Server(f"http://127.0.0.1:{port}", process, token)
    try:
        _wait_healthy(server, data_dir / "server.log")
        yield server
    finally:
        _stop(process)
        log.close()


def _wait_healthy(server: Server, log: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        try:
            if httpx.get(server.base_url + "/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
    raise RuntimeError(f"the server did not become healthy:\n{tail}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the server's own session: it and its workers
        process.wait(timeout=10)


class HttpClient:
    """One thread's keep-alive connection to the server."""

    def __init__(self, server: Server, maker: OrderMaker) -> None:
        self.maker = maker
        self.http = httpx.Client(
            base_url=server.base_url + API,
            headers={"Authorization": f"Bearer {server.token}"},
            timeout=60.0,
        )
        self.warehouse_codes = maker.data.warehouse_codes

    def close(self) -> None:
        self.http.close()

    def step(self, mode: str, rec: Recorder) -> None:
        rng = self.maker.rng
        weights = TPCC_WEIGHTS if mode == "mix" else READ_WEIGHTS
        op = PLACE if mode == "place" else choose(rng, weights)
        if op == PLACE:
            spec = self.maker.next()
            timed_place(rec, spec, lambda: self._place(spec, rec))
            return
        started = time.perf_counter()
        try:
            self._read(op)
            outcome = "ok"
        except Exception as exc:
            outcome = rec.error(op, repr(exc))
        rec.record(op, time.perf_counter() - started, outcome)

    def _place(self, spec: OrderSpec, rec: Recorder) -> tuple[str, Any]:
        body: dict[str, Any] = {
            "customer_id": str(spec.customer_id),
            "channel": spec.channel.value,
            "lines": [
                {"sku": sku, "quantity": qty, **({"warehouse": wh} if wh else {})}
                for sku, qty, wh in spec.lines
            ],
        }
        if spec.external_ref:
            body["external_ref"] = spec.external_ref
        try:
            response = self.http.post("/orders", json=body)
        except httpx.HTTPError as exc:
            return rec.error(PLACE, repr(exc)), None
        if response.status_code == 201:
            return "ok", uuid.UUID(response.json()["id"])
        code = _problem_code(response)
        if spec.bad and response.status_code == 422 and code == "unknown_sku":
            return "refused_as_expected", None
        return rec.error(PLACE, f"HTTP {response.status_code} {code}"), None

    def _get(self, path: str, **params: Any) -> Any:
        response = self.http.get(path, params=params)
        response.raise_for_status()
        return response.json()

    def _read(self, op: str) -> None:
        rng = self.maker.rng
        if op == STATUS:
            page = self._get("/orders", customer_id=str(self.maker.customer()), limit=1)
            if page["items"]:
                self._get(f"/orders/{page['items'][0]['id']}")
        elif op == STOCK:
            self._get("/stock", warehouse=rng.choice(self.warehouse_codes), low="true", limit=20)
        elif op == LIST:
            params: dict[str, Any] = {"status": rng.choice(LIST_STATUSES).value, "limit": 50}
            page = self._get("/orders", **params)
            if page["next_cursor"]:
                self._get("/orders", **params, cursor=page["next_cursor"])
        elif op == HISTORY:
            self._get(f"/customers/{self.maker.customer()}/history")


def _problem_code(response: httpx.Response) -> str:
    try:
        return str(response.json().get("code", ""))
    except ValueError:
        return ""
