"""Portal accounts: an invite mails a single-use link that sets the password and signs
in; sign-in locks after repeated failures like staff sign-in; a forgotten password is
reset through an emailed link sent by the worker to a real SMTP server; links expire
and work once; sessions are the portal's own."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage

import pytest

from ordersmith import clock
from ordersmith.auth.errors import WeakPassword
from ordersmith.jobs.worker import run_once
from ordersmith.notifications.models import MessageKind
from ordersmith.portal.errors import InvalidPortalToken, PortalEmailTaken
from ordersmith.portal.services import (
    accept_invite,
    request_password_reset,
    reset_password,
)
from ordersmith.portal.sessions import PORTAL_PERMISSIONS, find_session
from ordersmith.staff.sessions import find_session as find_staff_session
from tests.integration.conftest import Shop
from tests.integration.portal.conftest import (
    PASSWORD,
    activate,
    attempt,
    invite,
    mailed_links,
    token_of,
)
from tests.smtp import SmtpServer, smtp_server

__all__ = ["smtp_server"]


def _text(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def test_an_invite_mails_a_link_that_sets_the_password_and_opens_a_session(
    shop: Shop, smtp_server: SmtpServer
) -> None:
    # given Ann is invited to the portal
    link = invite(shop.db, shop.cash.number)
    # when the worker sends the mail and Ann follows its link
    run_once(shop.db, mailer=smtp_server.mailer())
    (mail,) = smtp_server.wait_for(1)
    with shop.db.unit_of_work(actor="test") as uow:
        token = accept_invite(uow, token=token_of(link), password=PASSWORD)
    # then the mail went to her, with the link; the session is hers, with portal rights
    assert mail["To"] == "ann@example.com"
    assert link in _text(mail)
    assert link.startswith(shop.db.settings.base_url + "/portal/invite/")
    found = find_session(shop.db, token)
    assert found is not None
    assert found.customer_number == shop.cash.number
    assert find_staff_session(shop.db, token) is None  # a portal session is no staff one
    assert attempt(shop.db, "ann@example.com") not in (None, "invalid_credentials")
    assert not PORTAL_PERMISSIONS & {"users:manage", "orders:manage", "returns:override"}


def test_an_invite_link_works_once_and_not_after_seven_days(shop: Shop) -> None:
    # given two invites: one accepted, one left to expire
    first = invite(shop.db, shop.cash.number)
    with shop.db.unit_of_work(actor="test") as uow:
        accept_invite(uow, token=token_of(first), password=PASSWORD)
    second = invite(shop.db, shop.trade.number)
    # when each link is used (again / after 7 days)
    # then both are refused, and nothing changes
    with pytest.raises(InvalidPortalToken), shop.db.unit_of_work(actor="test") as uow:
        accept_invite(uow, token=token_of(first), password="another passphrase")
    later = clock.now() + timedelta(days=7, minutes=1)
    with (
        clock.simulated(later),
        pytest.raises(InvalidPortalToken),
        shop.db.unit_of_work(actor="test") as uow,
    ):
        accept_invite(uow, token=token_of(second), password=PASSWORD)
    assert attempt(shop.db, "bob@example.com") == "invalid_credentials"


def test_a_second_invite_replaces_the_first_and_an_active_email_cannot_be_invited(
    shop: Shop,
) -> None:
    # given Ann was invited twice
    first = invite(shop.db, shop.cash.number)
    second = invite(shop.db, shop.cash.number)
    # when the first link is used
    # then it no longer works; the second does; and a third invite is refused
    with pytest.raises(InvalidPortalToken), shop.db.unit_of_work(actor="test") as uow:
        accept_invite(uow, token=token_of(first), password=PASSWORD)
    with shop.db.unit_of_work(actor="test") as uow:
        accept_invite(uow, token=token_of(second), password=PASSWORD)
    with pytest.raises(PortalEmailTaken):
        invite(shop.db, shop.cash.number)
    with pytest.raises(PortalEmailTaken):  # the same email for another customer
        invite(shop.db, shop.trade.number, email="ANN@example.com")


def test_a_weak_password_is_refused_and_the_link_still_works(shop: Shop) -> None:
    link = invite(shop.db, shop.cash.number)
    with pytest.raises(WeakPassword), shop.db.unit_of_work(actor="test") as uow:
        accept_invite(uow, token=token_of(link), password="short")
    with shop.db.unit_of_work(actor="test") as uow:
        assert accept_invite(uow, token=token_of(link), password=PASSWORD)


def test_sign_in_locks_after_five_failures_even_with_the_right_password(shop: Shop) -> None:
    # given an active account
    activate(shop.db, shop.cash.number)
    # when the wrong password is tried five times
    codes = [attempt(shop.db, "ann@example.com", "wrong password!") for _ in range(5)]
    # then the fifth locks the account, and the right password is refused while locked
    assert codes == ["invalid_credentials"] * 4 + ["account_locked"]
    assert attempt(shop.db, "ann@example.com") == "account_locked"
    assert attempt(shop.db, "nobody@example.com") == "invalid_credentials"


def test_a_forgotten_password_is_reset_through_the_mailed_link_once(
    shop: Shop, smtp_server: SmtpServer
) -> None:
    # given an active, signed-in account
    session_token = activate(shop.db, shop.cash.number)
    # when Ann asks for a reset (and someone asks for an unknown email)
    with shop.db.unit_of_work(actor="test") as uow:
        request_password_reset(uow, email=" Ann@Example.com ", ip="10.0.0.9")
        request_password_reset(uow, email="nobody@example.com", ip="10.0.0.9")
    run_once(shop.db, mailer=smtp_server.mailer())
    mails = smtp_server.wait_for(2)  # the invite and the reset
    (link,) = mailed_links(shop.db, MessageKind.PORTAL_PASSWORD_RESET)
    with shop.db.unit_of_work(actor="test") as uow:
        reset_password(uow, token=token_of(link), password="a brand new passphrase")
    # then only Ann got a reset mail; the new password works, the old one and the old
    # session do not, and the link works once
    assert [m["To"] for m in mails] == ["ann@example.com", "ann@example.com"]
    assert link in _text(mails[1])
    assert attempt(shop.db, "ann@example.com", "a brand new passphrase") is not None
    assert attempt(shop.db, "ann@example.com", PASSWORD) == "invalid_credentials"
    assert find_session(shop.db, session_token) is None
    with pytest.raises(InvalidPortalToken), shop.db.unit_of_work(actor="test") as uow:
        reset_password(uow, token=token_of(link), password="yet another passphrase")


def test_reset_links_expire_after_an_hour_and_at_most_three_are_mailed_an_hour(
    shop: Shop,
) -> None:
    # given an active account
    activate(shop.db, shop.cash.number)
    # when a reset is asked five times
    for _ in range(5):
        with shop.db.unit_of_work(actor="test") as uow:
            request_password_reset(uow, email="ann@example.com", ip="10.0.0.9")
    links = mailed_links(shop.db, MessageKind.PORTAL_PASSWORD_RESET)
    # then three links went out; the last one stops working after an hour
    assert len(links) == 3
    later = clock.now() + timedelta(minutes=61)
    with (
        clock.simulated(later),
        pytest.raises(InvalidPortalToken),
        shop.db.unit_of_work(actor="test") as uow,
    ):
        reset_password(uow, token=token_of(links[-1]), password="a brand new passphrase")
