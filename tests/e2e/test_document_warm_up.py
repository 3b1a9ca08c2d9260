"""A server process readies its document renderer as it starts (ADR 0051)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from ordersmith.documents import render
from ordersmith.web.app import create_app


def test_a_starting_server_warms_its_document_renderer_in_the_background(db):
    # given: a server configured to warm up (the test environment does not by default),
    # in a process whose renderer has parsed no stylesheet yet
    app = create_app(db.settings.model_copy(update={"documents_warm_up": True}), db=db)
    render._document_css.cache_clear()
    # when it starts
    with TestClient(app) as client:
        # then it answers while the renderer warms up beside it
        assert client.get("/healthz").status_code == 200
        warm_up = app.state.documents_warm_up
        warm_up.join(timeout=120)
        assert not warm_up.is_alive()
        # and the renderer is ready: the stylesheet parsed by the warm-up's label
        assert render._document_css.cache_info().currsize == 1


def test_a_server_of_the_test_environment_starts_without_a_warm_up(db):
    # given
    app = create_app(db.settings, db=db)
    # when
    with TestClient(app):
        # then
        assert not hasattr(app.state, "documents_warm_up")
