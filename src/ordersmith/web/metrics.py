"""Prometheus metrics at /metrics: requests by route and status, and their latency.

The registry is made per application (never at import), so tests and workers don't share it.
"""
# float-ok-module: latency buckets are seconds, not money

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)

LATENCY_BUCKETS_SECONDS = (
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1,
    2.5,
)


def install(app: FastAPI, *, api_prefix: str) -> None:
    registry = CollectorRegistry()
    requests = Counter(
        "ordersmith_http_requests_total",
        "HTTP requests",
        ["method", "route", "status"],
        registry=registry,
    )
    latency = Histogram(
        "ordersmith_http_request_seconds",
        "HTTP request latency",
        ["method", "route"],
        registry=registry,
        buckets=LATENCY_BUCKETS_SECONDS,
    )

    @app.middleware("http")
    async def measure(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        matched = request.scope.get("route")  # set by the router once a route matched
        route = str(getattr(matched, "path", "unmatched"))
        if request.url.path.startswith(api_prefix) and not route.startswith(api_prefix):
            route = api_prefix + route  # routes of included routers know only their own path
        elapsed = time.perf_counter() - started
        latency.labels(request.method, route).observe(elapsed)
        # the server's own time, for browsers' dev tools and `python -m bench pages`
        response.headers["Server-Timing"] = f"app;dur={elapsed * 1000:.1f}"
        requests.labels(request.method, route, str(response.status_code)).inc()
        return response

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
