"""What the back office's list pages share: their query parameters and how a filter with
a fixed set of values is read (every problem becomes a message; nothing raises)."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

PAGE_SIZE = 50


@dataclass
class ListParams:
    """A list's query parameters as typed, and the problems found reading them; each page
    adds what they mean once read (its filter, its cursor)."""

    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    limit: int = PAGE_SIZE

    def query(self, **extra: str) -> str:
        """The parameters as a query string (empty ones left out), with ``extra``."""
        return urlencode({k: v for k, v in self.values.items() if v} | extra)


def choice(name: str, value: str, allowed: list[str], errors: list[str]) -> str | None:
    """``value`` when it is one of ``allowed``; None when empty, or (with a message in
    ``errors``) when it is not."""
    if not value:
        return None
    if value not in allowed:
        errors.append(f"{name}: {value!r} is not one of {', '.join(allowed)}")
        return None
    return value
