"""A server process readies its document renderer before the first user needs it
(ADR 0051)."""

import logging

from ordersmith.documents import render, warm_up
from ordersmith.documents.warm_up import start_document_warm_up, warm_up_documents


def _compiled_templates() -> set[str]:
    cache = render.environment().cache
    assert cache is not None
    return {name for _loader, name in cache}


def test_the_warm_up_compiles_every_template_and_parses_the_stylesheet():
    # given: a process whose renderer has drawn nothing yet
    render.environment.cache_clear()
    render._document_css.cache_clear()
    # when
    warm_up_documents()
    # then
    assert _compiled_templates() >= set(render.environment().list_templates(extensions=["html"]))
    assert render._document_css.cache_info().currsize == 1


def test_the_warm_up_draws_a_real_label(monkeypatch):
    # given: the PDFs the warm-up draws, kept
    drawn: list[bytes] = []
    real = warm_up.shipping_label_pdf
    monkeypatch.setattr(warm_up, "shipping_label_pdf", lambda labels: drawn.append(real(labels)))
    # when
    warm_up_documents()
    # then
    assert len(drawn) == 1
    assert drawn[0].startswith(b"%PDF-")


def test_a_renderer_that_cannot_draw_is_logged_and_never_raised(monkeypatch, caplog):
    # given: a renderer whose system library is missing
    def broken(_labels: object) -> bytes:
        raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(warm_up, "shipping_label_pdf", broken)
    # when
    with caplog.at_level(logging.WARNING, logger="ordersmith.documents.warm_up"):
        warm_up_documents()
    # then
    [record] = caplog.records
    assert record.getMessage() == "documents.warm_up_failed"
    assert record.exc_info is not None
    assert "libpango" in str(record.exc_info[1])


def test_the_warm_up_runs_in_a_daemon_thread_of_its_own():
    # when
    thread = start_document_warm_up()
    thread.join(timeout=120)
    # then
    assert thread.name == "ordersmith-documents-warm-up"
    assert thread.daemon
    assert not thread.is_alive()
