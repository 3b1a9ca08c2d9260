"""A server process readies its document renderer before the first user needs it
(ADR 0051)."""

from __future__ import annotations

import pytest
from structlog.testing import capture_logs

from ordersmith.documents import render, warm_up
from ordersmith.documents.font_subsetting import fast_font_subsetting
from ordersmith.documents.warm_up import start_document_warm_up, warm_up_documents


def test_the_warm_up_compiles_every_template_and_parses_the_stylesheet(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given: a process whose renderer has drawn nothing yet, its template loads watched
    render.environment.cache_clear()
    render._document_css.cache_clear()
    templates = render.environment()
    loaded: list[str] = []
    real_get_template = templates.get_template

    def get_template(name: str, *args: object, **kwargs: object) -> object:
        loaded.append(name)
        return real_get_template(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(templates, "get_template", get_template)
    # when
    warm_up_documents()
    # then
    assert set(loaded) >= set(templates.list_templates(extensions=["html"]))
    assert render._document_css.cache_info().currsize == 1


def test_the_warm_up_draws_a_real_label_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    # given: the PDFs the warm-up draws, kept
    drawn: list[bytes] = []
    real = warm_up.shipping_label_pdf
    monkeypatch.setattr(warm_up, "shipping_label_pdf", lambda labels: drawn.append(real(labels)))
    # when
    with capture_logs() as logs:
        warm_up_documents()
    # then
    assert len(drawn) == 1
    assert drawn[0].startswith(b"%PDF-")
    fast = fast_font_subsetting()
    slow_warning = ["documents_font_subsetting_slow"] if fast is False else []
    assert [entry["event"] for entry in logs] == ["documents_warmed_up", *slow_warning]
    assert logs[0]["seconds"] >= 0
    assert logs[0]["fast_font_subsetting"] is fast


def test_a_renderer_without_harfbuzz_s_subsetter_is_a_warning_that_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given: WeasyPrint falling back to fontTools to subset fonts
    monkeypatch.setattr(warm_up, "fast_font_subsetting", lambda: False)
    # when
    with capture_logs() as logs:
        warm_up_documents()
    # then: the label is still drawn, and the warning names the package
    assert [entry["event"] for entry in logs] == [
        "documents_warmed_up",
        "documents_font_subsetting_slow",
    ]
    assert logs[0]["fast_font_subsetting"] is False
    assert logs[1]["log_level"] == "warning"
    assert "libharfbuzz-subset0" in logs[1]["hint"]


def test_a_renderer_with_harfbuzz_s_subsetter_warms_up_without_a_warning(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given
    monkeypatch.setattr(warm_up, "fast_font_subsetting", lambda: True)
    # when
    with capture_logs() as logs:
        warm_up_documents()
    # then
    assert [entry["event"] for entry in logs] == ["documents_warmed_up"]


def test_a_renderer_that_cannot_draw_is_logged_and_never_raised(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given: a renderer whose system library is missing
    def broken(_labels: object) -> bytes:
        raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(warm_up, "shipping_label_pdf", broken)
    # when
    with capture_logs() as logs:
        warm_up_documents()
    # then
    [entry] = logs
    assert entry["event"] == "documents_warm_up_failed"
    assert entry["log_level"] == "warning"
    assert entry["exc_info"] is True


def test_the_warm_up_runs_in_a_daemon_thread_of_its_own() -> None:
    # when
    thread = start_document_warm_up()
    thread.join(timeout=120)
    # then
    assert thread.name == "ordersmith-documents-warm-up"
    assert thread.daemon
    assert not thread.is_alive()
