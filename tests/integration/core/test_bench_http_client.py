"""``bench.http_client.LeanClient``, the load generator's keep-alive client, against a real
HTTP server on a local port (``http.server`` in a thread): query parameters, JSON bodies,
statuses, one connection for many requests, a new one after a failure or a long idle."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from bench import http_client
from bench.http_client import HttpStatusError, LeanClient, TransportError


class _Recorder(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    seen: list[dict[str, Any]] = []

    def do_GET(self) -> None:
        self._answer(None)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self._answer(json.loads(self.rfile.read(length)))

    def _answer(self, body: Any) -> None:
        self.seen.append(
            {
                "method": self.command,
                "path": self.path,
                "body": body,
                "auth": self.headers.get("Authorization"),
                "content_type": self.headers.get("Content-Type"),
                "peer": self.client_address[1],
            }
        )
        status = 404 if self.path.startswith("/api/missing") else 200
        payload = json.dumps({"path": self.path, "echo": body}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass


@pytest.fixture
def server() -> Iterator[str]:
    _Recorder.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/api"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_requests_carry_the_prefix_headers_parameters_and_json_body(server: str) -> None:
    # given
    client = LeanClient(server, {"Authorization": "Bearer t"})

    # when
    got = client.get("/orders", params={"status": "placed", "limit": 2})
    posted = client.post("/orders", json={"lines": [{"sku": "A", "quantity": 1}]})
    client.close()

    # then
    assert got.status_code == 200
    assert got.json()["path"] == "/api/orders?status=placed&limit=2"
    assert posted.json()["echo"] == {"lines": [{"sku": "A", "quantity": 1}]}
    first, second = _Recorder.seen
    assert (first["method"], second["method"]) == ("GET", "POST")
    assert first["auth"] == second["auth"] == "Bearer t"
    assert second["content_type"] == "application/json"
    assert first["peer"] == second["peer"]  # one kept-alive connection


def test_an_error_status_is_an_answer_and_raise_for_status_names_it(server: str) -> None:
    # given
    client = LeanClient(server, {})

    # when
    answer = client.get("/missing/thing")

    # then
    assert answer.status_code == 404
    with pytest.raises(HttpStatusError, match="HTTP 404 /missing/thing"):
        answer.raise_for_status()
    client.close()


def test_a_connection_idle_too_long_is_replaced_before_the_next_request(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a client whose connection has been idle longer than allowed
    client = LeanClient(server, {})
    client.get("/a")
    monkeypatch.setattr(http_client, "IDLE_SECONDS", -1.0)

    # when
    client.get("/b")
    client.close()

    # then
    first, second = _Recorder.seen
    assert first["peer"] != second["peer"]


def test_no_server_is_a_transport_error_and_the_next_request_tries_again() -> None:
    # given a port nobody listens on
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = LeanClient(f"http://127.0.0.1:{port}", {}, timeout=2.0)

    # when / then
    with pytest.raises(TransportError, match="GET /healthz"):
        client.get("/healthz")
    with pytest.raises(TransportError):
        client.post("/orders", json={})


def test_only_plain_http_urls_are_taken() -> None:
    # when / then
    with pytest.raises(ValueError, match="http://"):
        LeanClient("https://example.org", {})
