"""/metrics and the Server-Timing header: every request counted by method, route
template and status, refusals included."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def _metrics(client: TestClient) -> str:
    return client.get("/metrics").text


def test_every_response_carries_the_servers_own_time(client: TestClient) -> None:
    # when
    response = client.get("/healthz")
    # then
    assert re.fullmatch(r"app;dur=\d+\.\d", response.headers["Server-Timing"])


def test_requests_are_counted_by_route_template_and_status_refusals_included(
    client: TestClient, api: TestClient
) -> None:
    # when an order is not found, a request has no token, and a path does not exist
    assert api.get("/api/v1/orders/SO-1999-000001").status_code == 404
    assert client.get("/api/v1/orders", headers={"Authorization": ""}).status_code == 401
    assert client.get("/api/v1/no-such-thing").status_code == 404
    # then each is counted under its route's template, or as unmatched
    body = _metrics(client)
    for line in (
        'ordersmith_http_requests_total{method="GET",route="/api/v1/orders/{order}",status="404"}',
        'ordersmith_http_requests_total{method="GET",route="/api/v1/orders",status="401"}',
        'ordersmith_http_requests_total{method="GET",route="unmatched",status="404"}',
        'ordersmith_http_request_seconds_count{method="GET",route="/api/v1/orders/{order}"}',
    ):
        assert line in body, line
