"""The load generator's HTTP client: one keep-alive HTTP/1.1 connection, stdlib only.

The benchmark's client threads share the server's two cores, so what a request costs the
client is taken from what the server can do. ``httpx`` cost its caller ~1 ms of CPU per
request there (measured in the runs of docs/performance.md, "+1.06 in httpx clients" per
order): as much as a third of the server's own work for an order. ``http.client`` on a
kept-alive socket costs a fraction of that, the way a load generator such as wrk keeps
its own cost out of the figure. Only what the workload uses is here: GET with query
parameters, POST with a JSON body, the status and the JSON of the answer.

A request is never sent twice: a failure is raised (``TransportError``) and the next
request opens a new connection. A connection left idle is replaced before it is used, so
that a server closing idle connections cannot make a POST fail between two phases.
"""

from __future__ import annotations

import http.client
import json as jsonlib
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any

IDLE_SECONDS = 2.0
"""A connection unused for this long is replaced before its next request."""


class TransportError(Exception):
    """The request could not be sent or its answer not read (connection refused, reset,
    timed out): no status to show."""


class HttpStatusError(Exception):
    """``raise_for_status`` on an answer of 400 or more."""


@dataclass(frozen=True, slots=True)
class Response:
    status_code: int
    content: bytes
    path: str
    """The request's path (with its query), for error messages."""

    def json(self) -> Any:
        return jsonlib.loads(self.content)

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise HttpStatusError(f"HTTP {self.status_code} {self.path}")


class LeanClient:
    """Requests to ``base_url`` (``http://host:port/prefix``) with fixed ``headers``, over
    one connection kept alive; not thread-safe (one per client thread)."""

    def __init__(self, base_url: str, headers: dict[str, str], timeout: float = 60.0) -> None:
        url = urllib.parse.urlsplit(base_url)
        if url.scheme != "http" or url.hostname is None:
            raise ValueError(f"an http:// URL is needed, not {base_url!r}")
        self._host, self._port = url.hostname, url.port or 80
        self._prefix = url.path.rstrip("/")
        self._headers = {**headers, "Accept": "application/json"}
        self._timeout = timeout
        self._conn: http.client.HTTPConnection | None = None
        self._used_at = 0.0

    def get(self, path: str, params: dict[str, Any] | None = None) -> Response:
        if params:
            path += "?" + urllib.parse.urlencode(params)
        return self.request("GET", path)

    def post(self, path: str, json: Any = None) -> Response:
        return self.request("POST", path, None if json is None else jsonlib.dumps(json).encode())

    def request(self, method: str, path: str, body: bytes | None = None) -> Response:
        conn = self._connection()
        headers = self._headers
        if body is not None:
            headers = {**headers, "Content-Type": "application/json"}
        try:
            conn.request(method, self._prefix + path, body=body, headers=headers)
            answer = conn.getresponse()
            content = answer.read()
        except (OSError, http.client.HTTPException) as exc:
            self.close()  # the next request starts on a new connection
            raise TransportError(f"{method} {path}: {exc!r}") from exc
        if answer.will_close:
            self.close()
        self._used_at = time.monotonic()
        return Response(answer.status, content, path)

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is not None and time.monotonic() - self._used_at > IDLE_SECONDS:
            self.close()
        if self._conn is None:
            self._conn = http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
