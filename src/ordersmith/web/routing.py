"""Find a request's route by the first segments of its path, not by trying every route.

FastAPI matches a request against the app's routes one by one (and, since 0.16x, against
each included router's routes one by one): ``POST /api/v1/orders`` was tried against
~40 routes, a back-office page against 200 to 400 (ADR 0040). ``install(app)`` puts one
:class:`RouteIndex` in front of the app's routes. It holds the same routes in the same
order, grouped by a *key*: the first segment of the path, or the first three under
``/api`` (``api/v1/orders``). A request tries only the routes of its key, plus the few
whose key cannot be known (a path parameter in those segments, a route without a path).

The app's own routes stay where they were, after the index: when the index finds no
route (a 404, a trailing slash to redirect) or only a route of another method (405),
FastAPI's scan runs as before and decides. The OpenAPI document and ``url_for`` read
the app's routes, never the index.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from fastapi import FastAPI
from starlette._utils import get_route_path
from starlette.datastructures import URLPath
from starlette.routing import BaseRoute, Match, Mount, NoMatchFound
from starlette.types import Receive, Scope, Send

_CHOSEN = "ordersmith.route_index.chosen"
_API_DEPTH = 3  # api/v1/<area>


def path_key(path: str) -> tuple[str, ...]:
    """``/api/v1/orders/{order}`` -> ``("api", "v1", "orders")``; ``/orders/new`` ->
    ``("orders",)``; ``/`` -> ``("",)``."""
    segments = path.split("/", _API_DEPTH + 1)[1:] or [""]
    depth = _API_DEPTH if segments[0] == "api" else 1
    return tuple(segments[:depth])


def _route_paths(route: BaseRoute, prefix: str = "") -> list[str] | None:
    """Every path ``route`` can answer, or None when that cannot be known.

    A Starlette route has its ``path``. A mount answers every path below its own, so
    its path tells the key only when it is as deep as the key. A router included by
    FastAPI 0.16x is one entry that keeps its routes and its prefix; older FastAPI
    copied its routes."""
    path = getattr(route, "path", None)
    if isinstance(path, str):
        path = prefix + path
        if isinstance(route, Mount) and (
            not path.strip("/") or len(path.strip("/").split("/")) < len(path_key(path))
        ):
            return None
        return [path]
    router = getattr(route, "original_router", None)
    included_prefix = getattr(getattr(route, "include_context", None), "prefix", None)
    if router is None or not isinstance(included_prefix, str):
        return None
    paths: list[str] = []
    for inner in router.routes:
        inner_paths = _route_paths(inner, prefix + included_prefix)
        if inner_paths is None:
            return None
        paths.extend(inner_paths)
    return paths


def _keys(route: BaseRoute) -> set[tuple[str, ...]] | None:
    """The keys of the requests ``route`` may match; None for any request."""
    paths = _route_paths(route)
    if paths is None:
        return None
    keys = {path_key(path) for path in paths}
    if any("{" in segment for key in keys for segment in key):
        return None
    return keys


class RouteIndex(BaseRoute):
    """The given routes, tried in their order, but only those of the request's key."""

    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        keyed = [(route, _keys(route)) for route in routes]
        every_key = {key for _route, keys in keyed if keys for key in keys}
        self._anywhere = [route for route, keys in keyed if keys is None]
        self._by_key = {
            key: [route for route, keys in keyed if keys is None or key in keys]
            for key in every_key
        }

    def candidates(self, scope: Scope) -> list[BaseRoute]:
        return self._by_key.get(path_key(get_route_path(scope)), self._anywhere)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        partial: tuple[Scope, BaseRoute] | None = None
        for route in self.candidates(scope):
            match, child_scope = route.matches(scope)
            if match == Match.FULL:
                return Match.FULL, {**child_scope, _CHOSEN: route}
            if match == Match.PARTIAL and partial is None:
                partial = (child_scope, route)
        if partial is not None:
            child_scope, route = partial
            return Match.PARTIAL, {**child_scope, _CHOSEN: route}
        return Match.NONE, {}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        route: BaseRoute = scope.pop(_CHOSEN)
        await route.handle(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: object) -> URLPath:
        raise NoMatchFound(name, path_params)  # the app's own routes answer url_for


def install(app: FastAPI) -> None:
    """Put a :class:`RouteIndex` of the app's routes before them; call it last, after
    every route is added."""
    routes: Iterable[BaseRoute] = app.router.routes
    app.router.routes.insert(0, RouteIndex(list(routes)))
