"""``--via http``: the real server (``python -m ordersmith serve --workers 2``, granian)
driven by one keep-alive connection per client thread (``bench.http_client``).

Under ``/api/v1``:

- place order: ``POST /orders``, then for an account customer's order in the mix
  ``POST /orders/{id}/confirm``;
- record payment: ``GET /customers/{id}/balance`` (account) or ``GET /orders?customer_id=
  &status=on_hold&hold_reason=awaiting_payment&limit=1`` (cash), then ``POST /payments``;
- fulfil: ``POST /pick-lists`` (409 ``nothing_to_pick`` when nothing is ready),
  ``POST /pick-lists/{id}/confirm``, ``GET /orders/{number}`` for each order on the
  list (the pick list names orders by number), then per order ``POST /shipments``,
  ``POST /shipments/{id}/label`` (the label PDF) and ``POST /shipments/{id}/dispatch``;
- order status: ``GET /orders?customer_id=&limit=1`` then ``GET /orders/{id}``;
- the order list: ``GET /orders?status=...`` and its ``next_cursor`` page; customer
  history: ``GET /customers/{id}/history``;
- stock level: the API has no TPC-C stock-level query, so it is the nearest thing it
  has: ``GET /stock?warehouse=W&low=true&limit=20`` (rows at or below their reorder
  point).
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
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.databases import Target
from bench.http_client import LeanClient, Response, TransportError
from bench.metrics import children_of
from bench.order_to_cash import BOX, CURRENCY, METHOD, Paid, fulfil_op, pay_op
from bench.recorder import (
    FULFIL,
    HISTORY,
    LIST,
    PAYMENT,
    PLACE,
    STATUS,
    STOCK,
    Recorder,
    Steps,
    start,
)
from bench.workload import (
    LIST_STATUSES,
    OrderMaker,
    OrderSpec,
    Placed,
    timed_confirm,
    timed_place,
    wants_confirmation,
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
            probe = LeanClient(server.base_url, {}, timeout=1.0)
            try:
                if probe.get("/healthz").status_code == 200:
                    return
            finally:
                probe.close()
        except TransportError:
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
        self.http = LeanClient(
            server.base_url + API, {"Authorization": f"Bearer {server.token}"}, timeout=60.0
        )
        self.warehouse_codes = maker.data.warehouse_codes
        self.billing = HttpBilling(self.http)
        self.warehouse = HttpWarehouse(self.http, maker.data.carrier)

    def close(self) -> None:
        self.http.close()

    def step(self, mode: str, rec: Recorder) -> None:
        rng = self.maker.rng
        op = self.maker.op(mode)
        if op == PLACE:
            spec = self.maker.next()
            order_id, status = timed_place(rec, spec, lambda: self._place(spec, rec))
            if wants_confirmation(mode, spec, status, self.maker.data):
                timed_confirm(rec, lambda: self._confirm(order_id))
            return
        if op == PAYMENT:
            customer, account = self.maker.payer()
            pay_op(self.billing, rec, Steps(rec), rng, customer, account=account)
            return
        if op == FULFIL:
            fulfil_op(
                self.warehouse,
                rec,
                Steps(rec),
                self.maker.warehouse_code(),
                max_orders=self.maker.fulfil_batch,
            )
            return
        started = start()
        try:
            self._read(op)
            outcome = "ok"
        except Exception as exc:
            outcome = rec.error(op, repr(exc))
        rec.finish(op, started, outcome)

    def _confirm(self, order_id: uuid.UUID) -> None:
        expect(self.http.post(f"/orders/{order_id}/confirm"), 200)

    def _place(self, spec: OrderSpec, rec: Recorder) -> Placed:
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
        except TransportError as exc:
            return rec.error(PLACE, repr(exc)), None, ""
        if response.status_code == 201:
            body = response.json()
            return "ok", uuid.UUID(body["id"]), str(body["status"])
        code = _problem_code(response)
        if spec.bad and response.status_code == 422 and code == "unknown_sku":
            return "refused_as_expected", None, ""
        return rec.error(PLACE, f"HTTP {response.status_code} {code}"), None, ""

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


def _problem_code(response: Response) -> str:
    try:
        return str(response.json().get("code", ""))
    except ValueError:
        return ""


class ApiError(Exception):
    """An answer the workload did not expect: its status and problem code."""

    def __init__(self, response: Response) -> None:
        self.status, self.code = response.status_code, _problem_code(response)
        super().__init__(f"HTTP {self.status} {self.code} {response.path}")


def expect(response: Response, status: int) -> Response:
    if response.status_code != status:
        raise ApiError(response)
    return response


class HttpBilling:
    """bench.order_to_cash's billing port over the API."""

    def __init__(self, http: LeanClient) -> None:
        self.http = http

    def open_invoices(self, customer_id: uuid.UUID) -> Decimal:
        body = expect(self.http.get(f"/customers/{customer_id}/balance"), 200).json()
        return sum(
            (Decimal(b["open_invoices"]) for b in body["balances"] if b["currency"] == CURRENCY),
            Decimal(0),
        )

    def awaiting_payment(self, customer_id: uuid.UUID) -> tuple[uuid.UUID, Decimal] | None:
        params: dict[str, str | int] = {
            "customer_id": str(customer_id),
            "status": "on_hold",
            "hold_reason": "awaiting_payment",
            "limit": 1,
        }
        items = expect(self.http.get("/orders", params=params), 200).json()["items"]
        return (uuid.UUID(items[0]["id"]), Decimal(items[0]["total"])) if items else None

    def pay(
        self, customer_id: uuid.UUID, amount: Decimal, *, order_id: uuid.UUID | None, reference: str
    ) -> Paid:
        body: dict[str, Any] = {
            "customer_id": str(customer_id),
            "method": METHOD,
            "amount": str(amount),
            "currency": CURRENCY,
            "reference": reference,
        }
        if order_id is not None:
            body["order_id"] = str(order_id)
        out = expect(self.http.post("/payments", json=body), 201).json()
        return Paid(uuid.UUID(out["id"]), Decimal(out["amount"]), Decimal(out["amount_allocated"]))


class HttpWarehouse:
    """bench.order_to_cash's warehouse port over the API."""

    def __init__(self, http: LeanClient, carrier: str) -> None:
        self.http, self.carrier = http, carrier

    def wave(
        self, warehouse: str, max_orders: int, order_ids: list[uuid.UUID] | None
    ) -> dict[str, Any] | None:
        body: dict[str, Any] = {"warehouse": warehouse, "max_orders": max_orders}
        if order_ids is not None:
            body["order_ids"] = [str(i) for i in order_ids]
        response = self.http.post("/pick-lists", json=body)
        if response.status_code == 409 and _problem_code(response) == "nothing_to_pick":
            return None
        result: dict[str, Any] = expect(response, 201).json()
        return result

    def pick(self, pick_list: Any) -> list[uuid.UUID]:
        expect(self.http.post(f"/pick-lists/{pick_list['id']}/confirm"), 200)
        numbers = sorted({line["order_number"] for line in pick_list["lines"]})
        return [
            uuid.UUID(expect(self.http.get(f"/orders/{number}"), 200).json()["id"])
            for number in numbers
        ]

    def pack(self, warehouse: str, order_id: uuid.UUID) -> uuid.UUID:
        box = {
            "weight_grams": BOX.weight_grams,
            "length_mm": BOX.length_mm,
            "width_mm": BOX.width_mm,
            "height_mm": BOX.height_mm,
        }
        body = {
            "order_ids": [str(order_id)],
            "warehouse": warehouse,
            "carrier": self.carrier,
            "packages": [box],
            "consolidate": False,
        }
        return uuid.UUID(expect(self.http.post("/shipments", json=body), 201).json()["id"])

    def label(self, shipment_id: uuid.UUID) -> None:
        expect(self.http.post(f"/shipments/{shipment_id}/label"), 200)

    def dispatch(self, shipment_id: uuid.UUID) -> None:
        expect(self.http.post(f"/shipments/{shipment_id}/dispatch"), 200)
