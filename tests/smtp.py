"""A real SMTP server for tests: aiosmtpd on a free local port, in its own thread.

    def test_x(smtp_server: SmtpServer) -> None:
        ...
        smtp_server.wait_for(1)
        assert smtp_server.messages[0]["Subject"] == "..."

``smtp_server`` is running; ``smtp_port`` gives a free port with nothing listening yet
(a server that is down) — ``SmtpServer(port).start()`` brings it up on that port later.
Recipients whose address starts with ``bounce`` are refused with 550 (a permanent error).
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from ordersmith.adapters.mail import SmtpMailer
from ordersmith.config import Settings, SmtpSecurity


@dataclass
class Received:
    envelope_from: str
    envelope_to: list[str]
    message: EmailMessage


@dataclass
class _Handler:
    received: list[Received] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    async def handle_RCPT(  # noqa: N802  (aiosmtpd's hook name)
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address.lower().startswith("bounce"):
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self.arrived:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
            self.arrived.notify_all()
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class SmtpServer:
    """aiosmtpd listening on 127.0.0.1:<port>; what it received, in arrival order."""

    def __init__(self, port: int | None = None) -> None:
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self._handler = _Handler()
        self._controller: Controller | None = None

    def start(self) -> SmtpServer:
        self._controller = Controller(self._handler, hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def received(self) -> list[Received]:
        with self._handler.arrived:
            return list(self._handler.received)

    @property
    def messages(self) -> list[EmailMessage]:
        return [r.message for r in self.received]

    def wait_for(self, count: int, timeout_seconds: int = 10) -> list[EmailMessage]:
        """Block until ``count`` messages arrived (the server answers before it stores)."""
        deadline = time.monotonic() + timeout_seconds
        with self._handler.arrived:
            while len(self._handler.received) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{len(self._handler.received)} of {count} arrived")
                self._handler.arrived.wait(left)
        return self.messages

    def mailer(self) -> SmtpMailer:
        return SmtpMailer(self.host, self.port, timeout_seconds=5)

    def settings_overrides(self) -> dict[str, Any]:
        """Settings fields that send through this server."""
        return {
            "smtp_host": self.host,
            "smtp_port": self.port,
            "smtp_security": SmtpSecurity.NONE,
            "smtp_timeout_seconds": 5,
        }


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def smtp_port() -> int:
    """A free port with no server on it (SMTP down)."""
    return free_port()


def with_smtp(settings: Settings, server: SmtpServer) -> Settings:
    return settings.model_copy(update=server.settings_overrides())
