"""``python -m bench.api_overhead``: what one API request costs the server, one client.

On a fresh database with one warehouse, one product and one cash customer, through the
real server (``ordersmith serve``, granian, 1 worker) and one keep-alive ``httpx``
client, after a warm-up:

- ``GET /api/v1/orders?limit=1`` ``--requests`` times;
- ``POST /api/v1/orders`` (one line) ``--requests`` times.

For each it prints the client's wall time per request (p50, mean) and the CPU per
request of the server's process tree and, on PostgreSQL, of the database's backends
(``/proc``). ``--profile`` instead runs the same requests in this process, the ASGI app
called directly from one thread (the threadpool hand-off made inline), under cProfile,
and prints the functions with the most cumulative time.

    .venv/bin/python -m bench.api_overhead --db postgresql --requests 1000
    .venv/bin/python -m bench.api_overhead --db postgresql --requests 500 --profile
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import statistics
import time
from collections.abc import Callable
from typing import Any

import httpx

from bench.databases import Target, fresh_database
from bench.http_mode import running_server
from bench.metrics import CpuMeter, children_of
from bench.run import Meters
from ordersmith.auth.models import Role
from ordersmith.auth.services import create_token
from ordersmith.uow import Database

API = "/api/v1"
ORDER_LIST = f"{API}/orders?limit=1"


def _seed(call: Callable[[str, str, dict[str, Any] | None], httpx.Response]) -> str:
    """Warehouse MAIN, product A-1 with plenty of stock, a cash customer: its id."""
    call("POST", f"{API}/warehouses", {"code": "MAIN", "name": "Main"})
    product = {"sku": "A-1", "name": "Anvil", "price": "12.50", "currency": "EUR"}
    call("POST", f"{API}/products", product)
    customer = call(
        "POST",
        f"{API}/customers",
        {"name": "Ann", "email": "a@example.com", "account_type": "cash"},
    )
    call("POST", f"{API}/stock/receipts", {"warehouse": "MAIN", "sku": "A-1", "quantity": 10**8})
    customer_id: str = customer.json()["id"]
    return customer_id


def _order(customer_id: str) -> dict[str, Any]:
    return {"customer_id": customer_id, "channel": "api", "lines": [{"sku": "A-1", "quantity": 1}]}


def _checked(response: httpx.Response) -> httpx.Response:
    if response.status_code >= 300:
        raise RuntimeError(f"{response.request.method} {response.request.url}: {response.text}")
    return response


def _over_http(target: Target, requests: int) -> dict[str, Any]:
    db = Database.connect(target.settings())
    results: dict[str, Any] = {}
    try:
        with running_server(db, target, workers=1) as server:
            http = httpx.Client(
                base_url=server.base_url, headers={"Authorization": f"Bearer {server.token}"}
            )

            def call(method: str, path: str, body: dict[str, Any] | None) -> httpx.Response:
                return _checked(http.request(method, path, json=body))

            customer_id = _seed(call)
            meters = Meters(target, lambda: children_of(server.process.pid))
            try:
                for name, method, path, body in (
                    ("GET /orders?limit=1", "GET", ORDER_LIST, None),
                    ("POST /orders", "POST", f"{API}/orders", _order(customer_id)),
                ):
                    for _ in range(max(50, requests // 5)):  # warm-up
                        call(method, path, body)
                    walls = []
                    app, database = meters.app, meters.db
                    app.start()
                    if database is not None:
                        database.start()
                    for _ in range(requests):
                        started = time.perf_counter()
                        call(method, path, body)
                        walls.append(time.perf_counter() - started)
                    results[name] = {
                        "wall_ms_p50": round(statistics.median(walls) * 1000, 3),
                        "wall_ms_mean": round(statistics.fmean(walls) * 1000, 3),
                        "server_cpu_ms": round(app.stop() * 1000 / requests, 3),
                        "db_cpu_ms": (
                            round(database.stop() * 1000 / requests, 3) if database else None
                        ),
                    }
            finally:
                meters.close()
                http.close()
    finally:
        db.dispose()
    return results


def _inline_threadpool() -> None:
    """Run the sync endpoints and dependencies in the calling thread, so that one
    cProfile sees the whole request (FastAPI and Starlette call anyio's thread pool)."""
    import anyio.to_thread

    async def run_sync(func: Callable[..., Any], *args: Any, **_kwargs: Any) -> Any:
        return func(*args)

    anyio.to_thread.run_sync = run_sync  # type: ignore[assignment]


async def _asgi(app: Any, method: str, path: str, body: bytes, token: str) -> tuple[int, bytes]:
    """One request straight into the ASGI app: its status and body."""
    raw_path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": raw_path,
        "raw_path": raw_path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"authorization", f"Bearer {token}".encode()),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    sent = False
    status = 0
    answer = bytearray()

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            answer.extend(message.get("body", b""))

    await app(scope, receive, send)
    return status, bytes(answer)


def _profiled(target: Target, requests: int, top: int, sort: str) -> None:
    from ordersmith.web.app import create_app

    _inline_threadpool()
    db = Database.connect(target.settings())
    with db.unit_of_work(actor="bench") as uow:
        _info, token = create_token(uow, name="bench", role=Role.ADMIN)
    app = create_app(db.settings, db=db)
    loop = asyncio.new_event_loop()

    def answer(method: str, path: str, body: dict[str, Any] | None) -> httpx.Response:
        data = json.dumps(body).encode() if body is not None else b""
        status, content = loop.run_until_complete(_asgi(app, method, path, data, token))
        return httpx.Response(status, content=content)

    def call(method: str, path: str, body: dict[str, Any] | None) -> int:
        return answer(method, path, body).status_code

    def seed_call(method: str, path: str, body: dict[str, Any] | None) -> httpx.Response:
        response = answer(method, path, body)
        if response.status_code >= 300:
            raise RuntimeError(f"{method} {path}: {response.text}")
        return response

    customer_id = _seed(seed_call)
    try:
        for name, method, path, body in (
            ("GET /orders?limit=1", "GET", ORDER_LIST, None),
            ("POST /orders", "POST", f"{API}/orders", _order(customer_id)),
        ):
            for _ in range(max(50, requests // 5)):
                call(method, path, body)
            cpu = CpuMeter(lambda: [os.getpid()])
            cpu.start()
            for _ in range(requests):
                assert call(method, path, body) < 300
            plain = cpu.stop() * 1000 / requests
            cpu.start()
            profiler = cProfile.Profile(time.process_time)  # CPU, not waits
            profiler.enable()
            for _ in range(requests):
                assert call(method, path, body) < 300
            profiler.disable()
            profiled = cpu.stop() * 1000 / requests
            print(f"\n== {name}: {plain:.3f} ms CPU per request ({profiled:.3f} profiled)")
            stats = pstats.Stats(profiler)
            stats.sort_stats(sort).print_stats(top)
    finally:
        loop.close()
        db.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.api_overhead", description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--profile", action="store_true", help="cProfile in-process instead")
    parser.add_argument("--top", type=int, default=45, help="profile lines to print")
    parser.add_argument("--sort", default="cumulative", help="pstats order: cumulative, tottime")
    args = parser.parse_args(argv)
    with fresh_database(args.db) as target:
        if args.profile:
            _profiled(target, args.requests, args.top, args.sort)
        else:
            results = _over_http(target, args.requests)
            print(json.dumps({"db": args.db, "requests": args.requests, **results}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
