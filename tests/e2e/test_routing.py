"""Which route answers a request: API paths, pages, static files and the misses between
them, the same with the route index (ADR 0040) as with FastAPI's scan of every route."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute, Match

from ordersmith.web.routing import RouteIndex
from tests.e2e.conftest import assert_problem

HTML = {"Accept": "text/html"}
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _scope(app: FastAPI, method: str, path: str) -> dict[str, object]:
    return {
        "type": "http",
        "method": method,
        "path": path,
        "root_path": "",
        "headers": [],
        "query_string": b"",
        "app": app,
    }


def _scanned(routes: list[BaseRoute], scope: dict[str, object]) -> tuple[Match, BaseRoute | None]:
    """What Starlette's router does: the first full match, else the first partial one."""
    partial: tuple[Match, BaseRoute] | None = None
    for route in routes:
        match, _child = route.matches(scope)
        if match == Match.FULL:
            return match, route
        if match == Match.PARTIAL and partial is None:
            partial = (match, route)
    return partial or (Match.NONE, None)


def test_every_path_finds_through_the_index_the_route_the_scan_finds(app: FastAPI) -> None:
    # given: every path of the API document and every page, a parameter filled in
    index, *routes = app.router.routes
    assert isinstance(index, RouteIndex)
    paths = set(app.openapi()["paths"]) | set(app.state.page_paths)
    paths |= {"/", "/static/app.css", "/metrics", "/docs", "/openapi.json", "/api/v1/nope"}
    for path in sorted(paths):
        concrete = re.sub(r"\{[^}]+\}", "x1", path)
        for method in METHODS:
            # when
            match, child_scope = index.matches(_scope(app, method, concrete))
            # then
            scanned_match, scanned_route = _scanned(routes, _scope(app, method, concrete))
            assert match == scanned_match, (method, concrete)
            if match != Match.NONE:
                assert child_scope["ordersmith.route_index.chosen"] is scanned_route


def test_an_api_route_answers_through_the_index(api: TestClient) -> None:
    # when
    response = api.get("/api/v1/orders?limit=1")
    # then
    assert response.status_code == 200
    assert response.json() == {"items": [], "next_cursor": None}
    assert response.headers["server-timing"].startswith("app;dur=")


def test_an_unknown_api_path_is_a_404_problem_even_for_a_browser(client: TestClient) -> None:
    # when
    responses = [client.get(path, headers=HTML) for path in ("/api/v1/nope", "/api/v1")]
    # then
    for response in responses:
        assert_problem(response, 404, "not_found")


def test_an_api_path_asked_with_another_method_is_a_405_problem_naming_the_allowed_ones(
    api: TestClient,
) -> None:
    # when
    collection = api.delete("/api/v1/orders")
    one = api.post("/api/v1/orders/SO-1")
    # then
    assert_problem(collection, 405, "method_not_allowed")
    assert collection.headers["allow"] == "POST"
    assert_problem(one, 405, "method_not_allowed")
    assert one.headers["allow"] == "GET"


def test_an_api_path_with_a_trailing_slash_redirects_to_the_route(api: TestClient) -> None:
    # when
    response = api.get("/api/v1/orders/", follow_redirects=False)
    # then
    assert response.status_code == 307
    assert response.headers["location"] == "http://testserver/api/v1/orders"


def test_an_api_route_without_a_token_is_a_401_problem_asking_for_bearer(
    client: TestClient,
) -> None:
    # when
    response = client.post("/api/v1/orders", json={})
    # then
    assert_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_page_without_sign_in_redirects_to_the_sign_in_page(client: TestClient) -> None:
    # when
    response = client.get("/orders", headers=HTML, follow_redirects=False)
    # then
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/orders"


def test_an_unknown_page_is_a_404_page_for_a_browser_and_a_problem_otherwise(
    client: TestClient,
) -> None:
    # when
    page = client.get("/nope", headers=HTML)
    problem = client.get("/nope")
    wrong_method = client.put("/orders", headers=HTML)
    # then
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert_problem(problem, 404, "not_found")
    assert wrong_method.status_code == 405
    assert wrong_method.headers["content-type"].startswith("text/html")


def test_static_files_health_and_the_api_document_answer(client: TestClient) -> None:
    # when
    css = client.get("/static/app.css")
    health = client.get("/healthz")
    spec = client.get("/openapi.json")
    # then
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert health.json()["status"] == "ok"
    assert "/api/v1/orders" in spec.json()["paths"]
