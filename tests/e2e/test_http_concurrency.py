"""Nothing oversold, nothing duplicated, nothing lost — through HTTP, against the real server.

`ordersmith serve` runs as a subprocess (granian) over the test database of each backend;
sixteen independent HTTP clients order a scarce SKU at once. Afterwards the API, the
database and `ordersmith check` must all agree.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from ordersmith.auth.models import Role
from ordersmith.auth.services import create_token
from ordersmith.checks import run_checks
from ordersmith.uow import Database
from tests.e2e.server import Server, running_server
from tests.factories.catalog import make_product
from tests.factories.customers import make_customer
from tests.factories.inventory import make_warehouse, stock_up

pytestmark = pytest.mark.slow

CLIENTS = 16
SCARCE, PLENTY = "HTTP-SCARCE", "HTTP-PLENTY"
STOCK = {("NORTH", SCARCE): 25, ("SOUTH", SCARCE): 15, ("NORTH", PLENTY): 5000}


@dataclass
class Live:
    db: Database
    server: Server
    headers: dict[str, str]
    customers: list[str]


@pytest.fixture
def live(db: Database, tmp_path: Path) -> Iterator[Live]:
    """The real server, two worker processes (as in production: locks held in one
    process protect nothing in the other), over a shop with 40 units of a scarce SKU in
    two warehouses."""
    customers = []
    for _ in range(4):
        with db.unit_of_work(actor="test") as uow:
            customers.append(str(make_customer(uow).id))
    with db.unit_of_work(actor="test") as uow:
        make_warehouse(uow, code="NORTH", priority=10)
        make_warehouse(uow, code="SOUTH", priority=20)
        make_product(uow, sku=SCARCE, name="Scarce widget")
        make_product(uow, sku=PLENTY, name="Plentiful bolt", price="0.50")
        _info, token = create_token(uow, name="e2e-admin", role=Role.ADMIN)
    stock_up(db, STOCK)
    with running_server(
        database_url=db.settings.effective_database_url, data_dir=tmp_path / "server", workers=2
    ) as server:
        yield Live(db, server, {"Authorization": f"Bearer {token}"}, customers)


def mixed_bodies(live: Live, count: int, *, seed: int) -> list[dict[str, Any]]:
    """Orders for the scarce SKU (often on two lines) and a plentiful one; some pinned
    to SOUTH; a quarter may be backordered; far more demand than stock."""
    rng = random.Random(seed)
    bodies = []
    for i in range(count):
        pinned = "SOUTH" if i % 7 == 3 else None
        lines: list[dict[str, Any]] = [
            {"sku": SCARCE, "quantity": rng.randint(1, 4), "warehouse": pinned}
        ]
        if not pinned and rng.random() < 0.8:
            lines.append({"sku": PLENTY, "quantity": rng.randint(1, 20)})
        if rng.random() < 0.5:
            lines.append({"sku": SCARCE, "quantity": rng.randint(1, 3), "warehouse": pinned})
        bodies.append(
            {
                "customer_id": live.customers[i % len(live.customers)],
                "channel": "web",
                "external_ref": f"web-{i:03d}",
                "backorder_policy": "backorder" if i % 4 == 1 else "reject",
                "lines": lines,
            }
        )
    return bodies


def scarce_units(body: dict[str, Any]) -> int:
    return sum(line["quantity"] for line in body["lines"] if line["sku"] == SCARCE)


def reserved_units(order: dict[str, Any], sku: str = SCARCE) -> int:
    return sum(line["reserved_quantity"] for line in order["lines"] if line["sku"] == sku)


def send_all(
    live: Live, work: list[list[tuple[dict[str, str], dict[str, Any]]]]
) -> list[tuple[dict[str, Any], httpx.Response]]:
    """Each inner list is sent in order by its own HTTP client; all clients start together."""
    barrier = threading.Barrier(len(work))

    def client(mine: list[tuple[dict[str, str], dict[str, Any]]]) -> list[Any]:
        with httpx.Client(base_url=live.server.base_url, timeout=60.0) as http:
            barrier.wait(timeout=30)
            return [
                (body, http.post("/api/v1/orders", json=body, headers={**live.headers, **extra}))
                for extra, body in mine
            ]

    with ThreadPoolExecutor(max_workers=len(work)) as pool:
        futures = [pool.submit(client, mine) for mine in work]
        return [pair for f in futures for pair in f.result(timeout=180)]


def ordersmith_check(live: Live) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "ORDERSMITH_DATABASE_URL": live.db.settings.effective_database_url,
        "ORDERSMITH_DATA_DIR": str(live.server.log.parent),
        "ORDERSMITH_ENVIRONMENT": "test",
    }
    return subprocess.run(
        [sys.executable, "-m", "ordersmith", "check"],
        cwd=live.server.log.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_sixteen_http_clients_never_oversell_a_scarce_sku(live: Live) -> None:
    # given 40 units of the scarce SKU and 64 orders wanting about 200, each with its own
    # Idempotency-Key, split over 16 clients
    bodies = mixed_bodies(live, 64, seed=4242)
    work = [
        [({"Idempotency-Key": f"key-{b['external_ref']}"}, b) for b in bodies[i::CLIENTS]]
        for i in range(CLIENTS)
    ]

    # when all clients send at once
    results = send_all(live, work)

    # then every order was captured (201) or refused for lack of stock (409), nothing else
    outcomes = Counter(
        (r.status_code, r.json().get("code") if r.status_code != 201 else None) for _b, r in results
    )
    assert set(outcomes) <= {(201, None), (409, "insufficient_stock")}, outcomes
    assert outcomes[(201, None)], "some orders must be acknowledged"
    assert outcomes[(409, "insufficient_stock")], "the scenario must be contended"
    placed = {b["external_ref"]: r.json() for b, r in results if r.status_code == 201}
    refused = [b for b, r in results if r.status_code == 409]
    assert all(b["backorder_policy"] == "reject" for b in refused)

    with httpx.Client(base_url=live.server.base_url, headers=live.headers) as http:
        # oversold = 0, and the stock adds up to what the acknowledged orders hold
        stock = http.get(f"/api/v1/stock/availability/{SCARCE}").json()
        assert stock["on_hand"] == 40
        assert all(w["reserved"] <= w["on_hand"] for w in stock["warehouses"])
        assert stock["reserved"] == sum(reserved_units(o) for o in placed.values())
        assert stock["reserved"] <= 40

        # every acknowledged order can be read back exactly as it was acknowledged
        for ref, order in placed.items():
            stored = http.get(f"/api/v1/orders/{order['id']}")
            assert stored.status_code == 200
            assert stored.json()["external_ref"] == ref
            assert stored.json()["lines"] == order["lines"]
            for line in order["lines"]:
                assert line["reserved_quantity"] + line["backordered_quantity"] == line["quantity"]

        # every refused order left nothing behind
        for body in refused:
            found = http.get("/api/v1/orders", params={"external_ref": body["external_ref"]})
            assert found.json()["items"] == []
        listed = http.get("/api/v1/orders", params={"limit": 200}).json()["items"]
        assert sorted(o["external_ref"] for o in listed) == sorted(placed)

    # no order was refused while enough stock was left
    available = {w["warehouse"]: w["available"] for w in stock["warehouses"]}
    for body in refused:
        pinned = body["lines"][0].get("warehouse")
        left = available[pinned] if pinned else sum(available.values())
        assert left < scarce_units(body)

    # and the ledger agrees, by the service and by the CLI an operator would run
    with live.db.reader() as session:
        assert {k: v for k, v in run_checks(session).items() if v} == {}
    check = ordersmith_check(live)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "all checks passed" in check.stdout


def test_sixteen_http_clients_retrying_one_order_with_one_key_create_it_once(
    live: Live,
) -> None:
    # given one order and one Idempotency-Key, retried by 16 clients, three times each
    body = mixed_bodies(live, 1, seed=1)[0] | {"backorder_policy": "reject"}
    body["lines"] = [{"sku": SCARCE, "quantity": 2}, {"sku": PLENTY, "quantity": 3}]
    key = {"Idempotency-Key": f"retry-{uuid.uuid4()}"}

    # when
    results = send_all(live, [[(key, body)] * 3 for _ in range(CLIENTS)])

    # then exactly one request created it; the rest replayed it or were told to wait
    created = [r for _b, r in results if r.status_code == 201]
    first = [r for r in created if r.headers.get("Idempotent-Replayed") != "true"]
    assert len(first) == 1
    assert {r.json()["id"] for r in created} == {first[0].json()["id"]}
    others = [r for _b, r in results if r.status_code != 201]
    assert all(
        r.status_code == 409 and r.json()["code"] == "idempotency_key_in_flight" for r in others
    )
    assert all(r.headers["content-type"].startswith("application/problem+json") for r in others)
    with httpx.Client(base_url=live.server.base_url, headers=live.headers) as http:
        found = http.get("/api/v1/orders", params={"external_ref": body["external_ref"]})
        assert [o["id"] for o in found.json()["items"]] == [first[0].json()["id"]]
        assert http.get(f"/api/v1/stock/availability/{SCARCE}").json()["reserved"] == 2
        # the same key with a different body is refused
        changed = body | {"notes": "changed"}
        reused = http.post("/api/v1/orders", json=changed, headers=key)
        assert reused.status_code == 422
        assert reused.json()["code"] == "idempotency_key_reused"
    with live.db.reader() as session:
        assert {k: v for k, v in run_checks(session).items() if v} == {}
