"""Communications errors, each with a stable code."""

from __future__ import annotations

from ordersmith.errors import NotFound


class CommunicationNotFound(NotFound):
    code = "communication_not_found"
