"""Outbound mail behind one small Protocol.

``SmtpMailer`` sends over SMTP with the standard library (plain, STARTTLS or implicit
TLS, optional login). ``FileMailer`` writes each message as an ``.eml`` file into
``<data_dir>/mail/`` — what the embedded default uses, where no SMTP server is
configured; open the files in any mail program. ``mailer_for(settings)`` picks one.

Both raise ``MailDeliveryFailed`` (code ``mail_delivery_failed``) for anything that went
wrong; ``permanent`` says retrying cannot help (the server refused the recipient with a
5xx answer), so the caller can stop at once instead of backing off.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path
from typing import Protocol

from ordersmith import clock
from ordersmith.config import Settings, SmtpSecurity
from ordersmith.errors import OmsError
from ordersmith.ids import new_id


class MailDeliveryFailed(OmsError):
    code = "mail_delivery_failed"
    status = 502
    title = "The mail could not be delivered"

    def __init__(self, detail: str, *, permanent: bool = False) -> None:
        super().__init__(detail)
        self.permanent = permanent


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None:
        """Hand the message over for delivery, or raise ``MailDeliveryFailed``."""


class SmtpMailer:
    """Sends through an SMTP server: one connection per message (the worker sends a
    handful at a time; no connection to keep healthy between polls)."""

    def __init__(
        self,
        host: str,
        port: int = 25,
        *,
        security: SmtpSecurity = SmtpSecurity.NONE,
        username: str = "",
        password: str = "",
        timeout_seconds: int = 30,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.timeout_seconds = timeout_seconds
        self.tls_context = tls_context

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpMailer:
        return cls(
            settings.smtp_host,
            settings.smtp_port,
            security=settings.smtp_security,
            username=settings.smtp_username,
            password=settings.smtp_password,
            timeout_seconds=settings.smtp_timeout_seconds,
        )

    def send(self, message: EmailMessage) -> None:
        try:
            with self._connect() as smtp:
                if self.security is SmtpSecurity.STARTTLS:
                    smtp.starttls(context=self._context())
                if self.username:
                    smtp.login(self.username, self.password)
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _text in exc.recipients.values()]
            raise MailDeliveryFailed(
                f"{self._where()} refused every recipient: {_answers(exc.recipients)}",
                permanent=all(code >= 500 for code in codes),
            ) from exc
        except smtplib.SMTPResponseException as exc:
            raise MailDeliveryFailed(
                f"{self._where()} answered {exc.smtp_code}: {_text(exc.smtp_error)}"
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:  # refused, unreachable, timed out, TLS
            raise MailDeliveryFailed(
                f"cannot send through {self._where()}: {exc or type(exc).__name__}"
            ) from exc

    def _connect(self) -> smtplib.SMTP:
        if self.security is SmtpSecurity.TLS:
            return smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout_seconds, context=self._context()
            )
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout_seconds)

    def _context(self) -> ssl.SSLContext:
        return self.tls_context or ssl.create_default_context()

    def _where(self) -> str:
        return f"the SMTP server {self.host}:{self.port}"


class FileMailer:
    """Writes each message to ``<folder>/<time>-<id>.eml``, atomically (a reader never
    sees half a file) and durably (fsync before the rename is published)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @classmethod
    def from_settings(cls, settings: Settings) -> FileMailer:
        return cls(settings.data_dir / "mail")

    def send(self, message: EmailMessage) -> None:
        name = f"{clock.now():%Y%m%dT%H%M%S%fZ}-{new_id().hex}"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            partial = self.folder / f".{name}.tmp"
            with partial.open("wb") as file:
                file.write(message.as_bytes(policy=SMTP))
                file.flush()
                os.fsync(file.fileno())
            os.replace(partial, self.folder / f"{name}.eml")
        except OSError as exc:
            raise MailDeliveryFailed(f"cannot write the message to {self.folder}: {exc}") from exc

    def messages(self) -> list[Path]:
        """The written messages, oldest first."""
        if not self.folder.is_dir():
            return []
        return sorted(self.folder.glob("*.eml"))


def mailer_for(settings: Settings) -> Mailer:
    """SMTP when ``smtp_host`` is set; otherwise .eml files in ``<data_dir>/mail``."""
    if settings.smtp_host:
        return SmtpMailer.from_settings(settings)
    return FileMailer.from_settings(settings)


def _text(raw: bytes | str) -> str:
    return raw.decode(errors="replace") if isinstance(raw, bytes) else raw


def _answers(recipients: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{to}: {code} {_text(text)}" for to, (code, text) in recipients.items())
