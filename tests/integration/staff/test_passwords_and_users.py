"""Staff users: argon2id passwords, strength rules, unique emails, disabling."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from ordersmith.errors import ValidationFailed
from ordersmith.staff.errors import StaffEmailTaken, WeakPassword
from ordersmith.staff.models import StaffUser
from ordersmith.staff.services import create_staff_user, disable_user, set_password
from ordersmith.uow import Database
from tests.integration.staff.conftest import PASSWORD, attempt, make_user


def _stored_hash(db: Database, email: str = "kim@example.com") -> str:
    with db.reader() as session:
        return str(
            session.scalar(sa.select(StaffUser.password_hash).where(StaffUser.email == email))
        )


def test_a_password_is_stored_as_an_argon2id_hash_never_in_plain(db):
    # when
    make_user(db)
    # then
    stored = _stored_hash(db)
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_emails_are_kept_in_lower_case_and_unique_whatever_their_case(db):
    # given
    make_user(db, email="Kim@Example.COM")
    # when / then
    with pytest.raises(StaffEmailTaken), db.unit_of_work(actor="test") as uow:
        create_staff_user(
            uow, email="KIM@example.com", name="Kim 2", role="sales", password=PASSWORD
        )
    assert attempt(db, email="KIM@EXAMPLE.com").token is not None


@pytest.mark.parametrize(
    ("password", "why"),
    [("short-pass1", "at least 12"), ("kim@example.com", "must not be the email")],
)
def test_a_short_password_or_the_email_as_password_is_refused(db, password, why):
    # when / then
    with pytest.raises(WeakPassword, match=why), db.unit_of_work(actor="test") as uow:
        create_staff_user(uow, email="kim@example.com", name="Kim", role="sales", password=password)
    with db.reader() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(StaffUser)) == 0


def test_an_unknown_role_is_refused_with_the_roles_listed(db):
    # when / then
    with pytest.raises(ValidationFailed, match="customer_service") as raised:
        make_user(db, role="janitor")
    assert raised.value.code == "invalid_role"


def test_a_hash_made_with_weaker_parameters_is_rehashed_at_the_next_sign_in(db):
    # given
    make_user(db)
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    with db.unit_of_work(actor="test") as uow:
        uow.session.execute(sa.update(StaffUser).values(password_hash=weak))
    # when
    assert attempt(db).token is not None
    # then
    stored = _stored_hash(db)
    assert stored != weak
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_a_disabled_user_cannot_sign_in_and_loses_open_sessions(db):
    # given
    make_user(db)
    assert attempt(db).token is not None
    # when
    with db.unit_of_work(actor="test") as uow:
        disable_user(uow, email="kim@example.com")
    # then
    refused = attempt(db)
    assert refused.token is None
    assert refused.error is not None
    assert refused.error.code == "invalid_credentials"


def test_a_new_password_works_and_the_old_one_no_longer_does(db):
    # given
    make_user(db)
    # when
    with db.unit_of_work(actor="test") as uow:
        set_password(uow, email="kim@example.com", password="a brand new passphrase")
    # then
    assert attempt(db).token is None
    assert attempt(db, password="a brand new passphrase").token is not None
