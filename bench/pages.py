"""``python -m bench pages``: how long the server takes to render each back-office page
on the demo data, against the 100 ms budget (issue 8).

It signs in to a running server (``make run``) through the real login form, visits
every page of the menu and a few of the detail pages each list links to (same origin,
GET only), each ``--rounds`` times, and reads the server's own time from the
``Server-Timing`` header (the network and the client are not counted). It prints
p50, p95 and the slowest per page, and writes a JSON result file.

    make run                      # in one terminal: the demo on 127.0.0.1:8000
    python -m bench pages         # in another
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from statistics import median, quantiles
from urllib.parse import urljoin, urlsplit

import httpx
from rich.console import Console
from rich.table import Table

BUDGET_MS = 100.0
DETAILS_PER_PAGE = 3
SKIPPED = ("/logout", "/static/", "/api/", "/metrics")
"""Never visited: signing out, assets, the API."""
FILE_SUFFIXES = (".pdf", ".csv", ".png")
RESULTS = Path(__file__).parent / "results"


class _Links(HTMLParser):
    """The hrefs of a page's links, and the value of a named hidden input."""

    def __init__(self, wanted_input: str = "") -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.wanted_input = wanted_input
        self.input_value = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.hrefs.append(str(values["href"]))
        if tag == "input" and self.wanted_input and values.get("name") == self.wanted_input:
            self.input_value = values.get("value") or ""


def links_of(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.hrefs


def server_ms(response: httpx.Response) -> float | None:
    """The ``app;dur=`` of the response's Server-Timing header, in milliseconds."""
    found = re.search(r"app;dur=([0-9.]+)", response.headers.get("server-timing", ""))
    return float(found.group(1)) if found else None


@dataclass(frozen=True)
class Door:
    """Where a kind of user signs in, the cookie that proves it, and the page whose menu
    lists what they may open."""

    login: str
    cookie: str
    home: str


STAFF = Door("/login", "ordersmith_session", "/dashboard")
PORTAL = Door("/portal/login", "ordersmith_portal", "/portal/orders")


def sign_in(client: httpx.Client, door: Door, email: str, password: str) -> None:
    """Sign in through the login form (its CSRF token included), as a browser would."""
    form = client.get(door.login)
    parser = _Links(wanted_input="csrf_token")
    parser.feed(form.text)
    answer = client.post(
        door.login,
        data={"email": email, "password": password, "csrf_token": parser.input_value},
    )
    if door.cookie not in client.cookies:
        raise SystemExit(f"could not sign in as {email}: HTTP {answer.status_code}")


def menu_paths(client: httpx.Client, door: Door) -> list[str]:
    """The menu of the door's home page: the pages this user may open."""
    html = client.get(door.home).text
    nav = html.split("<nav", 1)[-1].split("</nav>", 1)[0]
    return [href for href in links_of("<nav" + nav) if href.startswith("/")]


def _same_section(href: str, section: str) -> bool:
    path = urlsplit(href).path
    return (
        path.startswith(section + "/")
        and not path.startswith(SKIPPED)
        and not path.endswith(FILE_SUFFIXES)
        and not urlsplit(href).netloc
    )


def pages_to_time(client: httpx.Client, menu: Iterable[str]) -> list[tuple[str, str]]:
    """(section, path): each menu page and up to DETAILS_PER_PAGE detail pages it links."""
    chosen: list[tuple[str, str]] = []
    for section in menu:
        chosen.append((section, section))
        html = client.get(section).text
        details: list[str] = []
        for href in links_of(html):
            path = urlsplit(urljoin(section, href)).path
            if _same_section(href, section) and path not in details and "/new" not in path:
                details.append(path)
        chosen.extend((section, path) for path in details[:DETAILS_PER_PAGE])
    return chosen


@dataclass
class PageTiming:
    section: str
    path: str
    statuses: set[int] = field(default_factory=set)
    samples: list[float] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return median(self.samples) if self.samples else 0.0

    @property
    def p95(self) -> float:
        if len(self.samples) < 2:
            return self.p50
        return quantiles(self.samples, n=20, method="inclusive")[18]

    @property
    def slowest(self) -> float:
        return max(self.samples, default=0.0)

    @property
    def ok(self) -> bool:
        return all(s < 400 for s in self.statuses) and self.p95 <= BUDGET_MS


def time_pages(client: httpx.Client, pages: list[tuple[str, str]], rounds: int) -> list[PageTiming]:
    """Each page ``rounds`` times, in turn (round-robin, so no page has the cache to itself)."""
    timings = {path: PageTiming(section, path) for section, path in pages}
    client.get(pages[0][1]) if pages else None  # warm the connection
    for _ in range(rounds):
        for timing in timings.values():
            response = client.get(timing.path)
            timing.statuses.add(response.status_code)
            measured = server_ms(response)
            if measured is not None:
                timing.samples.append(measured)
    return list(timings.values())


def measure(
    base_url: str, door: Door, email: str, password: str, *, rounds: int
) -> list[PageTiming]:
    """Sign in at ``door``, then time its menu's pages and their detail pages."""
    with httpx.Client(base_url=base_url, timeout=30, follow_redirects=True) as client:
        sign_in(client, door, email, password)
        return time_pages(client, pages_to_time(client, menu_paths(client, door)), rounds)


def print_table(timings: list[PageTiming], console: Console) -> None:
    table = Table(title=f"Back-office pages: server time, budget {BUDGET_MS:.0f} ms (p95)")
    for column in ("page", "status", "p50 ms", "p95 ms", "slowest ms", "verdict"):
        table.add_column(column, justify="left" if column in ("page", "verdict") else "right")
    for t in timings:
        table.add_row(
            t.path,
            ",".join(str(s) for s in sorted(t.statuses)),
            f"{t.p50:.1f}",
            f"{t.p95:.1f}",
            f"{t.slowest:.1f}",
            "ok" if t.ok else "OVER",
        )
    console.print(table)


def write(timings: list[PageTiming], out: Path | None, base_url: str) -> Path:
    now = datetime.now(UTC)
    path = out or RESULTS / f"pages-{now:%Y%m%dT%H%M%SZ}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "kind": "pages",
        "at": now.isoformat(),
        "base_url": base_url,
        "budget_ms": BUDGET_MS,
        "pages": [
            {
                "section": t.section,
                "path": t.path,
                "statuses": sorted(t.statuses),
                "p50_ms": round(t.p50, 1),
                "p95_ms": round(t.p95, 1),
                "slowest_ms": round(t.slowest, 1),
                "samples": len(t.samples),
                "within_budget": t.ok,
            }
            for t in timings
        ],
    }
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path
