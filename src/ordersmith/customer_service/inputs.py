"""Input rules of cases (pure: no database)."""

from __future__ import annotations

from ordersmith.validation import text

SUBJECT = text(200)
BODY = text(10_000, multiline=True)
DESCRIPTION = text(10_000, required=False, multiline=True)
RESOLUTION = text(2_000, multiline=True)
ASSIGNEE = text(120, required=False)
