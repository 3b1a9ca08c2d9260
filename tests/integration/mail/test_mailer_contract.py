"""One contract, every Mailer: SmtpMailer against a real aiosmtpd server, FileMailer
against a real folder. Each reads back what it delivered the same way."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from ordersmith.adapters.mail import (
    FileMailer,
    MailDeliveryFailed,
    Mailer,
    SmtpMailer,
    mailer_for,
)
from ordersmith.config import Settings
from tests.smtp import SmtpServer

Delivered = Callable[[], list[EmailMessage]]


@pytest.fixture(params=["smtp", "file"])
def mailer_and_inbox(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[Mailer, Delivered]]:
    if request.param == "smtp":
        server: SmtpServer = request.getfixturevalue("smtp_server")
        yield server.mailer(), lambda: server.messages
        return
    mailer = FileMailer(tmp_path / "mail")

    def read() -> list[EmailMessage]:
        return [
            email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in mailer.messages()
        ]

    yield mailer, read


def _message(to: str = "ann@example.com", subject: str = "Your order SO-1") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Shop <orders@example.com>"
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = "<test-1@example.com>"
    message.set_content("Hello Ann,\nthank you for order SO-1.\n")
    message.add_alternative("<p>Hello Ann, thank you for order <b>SO-1</b>.</p>", subtype="html")
    return message


def test_a_sent_message_arrives_with_its_headers_and_both_bodies(mailer_and_inbox):
    # given
    mailer, delivered = mailer_and_inbox
    # when
    mailer.send(_message())
    # then
    [received] = delivered()
    assert received["To"] == "ann@example.com"
    assert received["Subject"] == "Your order SO-1"
    assert received["Message-ID"] == "<test-1@example.com>"
    text = received.get_body(preferencelist=("plain",))
    html = received.get_body(preferencelist=("html",))
    assert text is not None
    assert "thank you for order SO-1" in text.get_content()
    assert html is not None
    assert "<b>SO-1</b>" in html.get_content()


def test_messages_arrive_one_each_in_the_order_they_were_sent(mailer_and_inbox):
    # given
    mailer, delivered = mailer_and_inbox
    # when
    for number in range(3):
        mailer.send(_message(subject=f"Message {number}"))
    # then
    assert [m["Subject"] for m in delivered()] == ["Message 0", "Message 1", "Message 2"]


def test_non_ascii_subjects_and_names_survive_the_trip(mailer_and_inbox):
    # given
    mailer, delivered = mailer_and_inbox
    # when
    mailer.send(_message(to="Jürgen Groß <jurgen@example.com>", subject="Bestellung SO-1 — danke"))
    # then
    [received] = delivered()
    assert received["Subject"] == "Bestellung SO-1 — danke"
    assert received["To"].addresses[0].display_name == "Jürgen Groß"


def test_an_smtp_server_that_is_down_is_a_delivery_failure_that_may_be_retried(smtp_port):
    # given nothing listens on the port
    mailer = SmtpMailer("127.0.0.1", smtp_port, timeout_seconds=5)
    # when
    with pytest.raises(MailDeliveryFailed) as failure:
        mailer.send(_message())
    # then
    assert failure.value.code == "mail_delivery_failed"
    assert not failure.value.permanent
    assert f"127.0.0.1:{smtp_port}" in failure.value.detail


def test_a_recipient_the_server_refuses_for_good_is_a_permanent_failure(smtp_server):
    # given the server answers 550 for this mailbox
    mailer = smtp_server.mailer()
    # when
    with pytest.raises(MailDeliveryFailed) as failure:
        mailer.send(_message(to="bounce@example.com"))
    # then
    assert failure.value.permanent
    assert "550" in failure.value.detail
    assert smtp_server.messages == []


def test_a_folder_that_cannot_be_written_is_a_delivery_failure(tmp_path):
    # given a file where the mail folder should be
    blocker = tmp_path / "mail"
    blocker.write_text("not a folder")
    # when
    with pytest.raises(MailDeliveryFailed):
        FileMailer(blocker).send(_message())
    # then
    assert blocker.read_text() == "not a folder"


def test_smtp_is_used_when_a_host_is_configured_and_files_otherwise(tmp_path):
    # given
    with_host = Settings(environment="test", data_dir=tmp_path, smtp_host="mail.example.com")
    without = Settings(environment="test", data_dir=tmp_path)
    # when
    smtp, files = mailer_for(with_host), mailer_for(without)
    # then
    assert isinstance(smtp, SmtpMailer)
    assert smtp.host == "mail.example.com"
    assert isinstance(files, FileMailer)
    assert files.folder == tmp_path / "mail"
