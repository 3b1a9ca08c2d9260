"""Order-to-cash follow-up tests: a real SMTP server, PDFs read back, a set clock."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader

from ordersmith import clock
from tests.smtp import smtp_server

__all__ = ["smtp_server"]


def pdf_text(pdf: bytes) -> str:
    """The text of every page, each run of spaces and line breaks made one space."""
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    return " ".join(" ".join(pages).split())


class SetClock:
    """``ordersmith.clock.now()`` (and so ``today()``) answers a set moment."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, day: date) -> None:
        self.now = datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)
        monkeypatch.setattr(clock, "now", lambda: self.now)

    def day(self, day: date, hour: int = 10) -> None:
        self.now = datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)
