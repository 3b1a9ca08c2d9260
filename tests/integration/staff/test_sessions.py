"""Staff sessions: hashed ids, idle and absolute ends, revocation, role permissions."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import sqlalchemy as sa

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.staff.models import StaffSessionRow
from ordersmith.staff.roles import STAFF_ROLE_PERMISSIONS, StaffRole, permissions_of
from ordersmith.staff.services import logout_everywhere, set_password, sign_in, sign_out
from ordersmith.staff.sessions import find_session
from tests.integration.staff.conftest import attempt, make_user


def test_the_database_keeps_only_the_sha256_of_the_session_token(db):
    # given
    make_user(db)
    # when
    token = attempt(db).token
    # then
    assert token is not None
    with db.reader() as session:
        ids = session.scalars(sa.select(StaffSessionRow.id)).all()
    assert ids == [hashlib.sha256(token.encode()).hexdigest()]
    assert token not in ids


def test_a_session_finds_its_user_with_the_roles_permissions(db):
    # given
    make_user(db, role="warehouse")
    token = attempt(db).token
    # when
    found = find_session(db, token or "")
    # then
    assert found is not None
    assert found.email == "kim@example.com"
    assert found.role == "warehouse"
    assert found.permissions == permissions_of(StaffRole.WAREHOUSE)
    assert len(found.csrf_token) >= 32


def test_a_session_unused_for_the_idle_time_ends(db):
    # given
    make_user(db)
    token = attempt(db).token or ""
    # when
    with clock.simulated(clock.now() + timedelta(minutes=59)):
        still = find_session(db, token)
    with clock.simulated(clock.now() + timedelta(minutes=59 + 61)):
        idle = find_session(db, token)
    # then
    assert still is not None
    assert idle is None


def test_a_busy_session_still_ends_at_its_absolute_lifetime(db):
    # given
    make_user(db)
    start = clock.now()
    token = attempt(db).token or ""
    # when (used every 30 minutes for 12 hours)
    alive = []
    for half_hours in range(1, 26):
        with clock.simulated(start + timedelta(minutes=30 * half_hours)):
            alive.append(find_session(db, token) is not None)
    # then
    assert all(alive[:23])
    assert alive[-1] is False


def test_signing_in_again_replaces_the_old_session_id(db):
    # given
    make_user(db)
    old = attempt(db).token or ""
    # when
    with db.unit_of_work(actor="test") as uow:
        new = sign_in(
            uow, email="kim@example.com", password="correct horse battery", ip="1.2.3.4",
            previous_token=old,
        ).token  # fmt: skip
    # then
    assert new is not None
    assert new != old
    assert find_session(db, old) is None
    assert find_session(db, new) is not None


def test_logout_ends_one_session_and_logout_everywhere_ends_them_all(db):
    # given
    user = make_user(db)
    laptop, phone, tablet = (attempt(db).token or "" for _ in range(3))
    # when
    with db.unit_of_work(actor="test") as uow:
        sign_out(uow, token=laptop)
    # then
    assert find_session(db, laptop) is None
    assert find_session(db, phone) is not None
    # when
    with db.unit_of_work(actor="test") as uow:
        ended = logout_everywhere(uow, user_id=user.id)
    # then
    assert ended == 2
    assert find_session(db, phone) is None
    assert find_session(db, tablet) is None


def test_a_new_password_ends_every_open_session(db):
    # given
    make_user(db)
    token = attempt(db).token or ""
    # when
    with db.unit_of_work(actor="test") as uow:
        set_password(uow, email="kim@example.com", password="another long passphrase")
    # then
    assert find_session(db, token) is None


def test_every_role_has_its_permissions_and_only_admin_has_them_all():
    # then
    assert set(STAFF_ROLE_PERMISSIONS) == set(StaffRole)
    assert permissions_of("admin") == frozenset(Permission)
    for role in set(StaffRole) - {StaffRole.ADMIN}:
        assert Permission.USERS_MANAGE not in permissions_of(role)
        assert Permission.TOKENS_MANAGE not in permissions_of(role)
    warehouse = permissions_of("warehouse")
    assert Permission.FULFILMENT_WRITE in warehouse
    assert Permission.BILLING_READ not in warehouse
    assert Permission.ORDERS_MANAGE not in warehouse
    assert Permission.BILLING_WRITE in permissions_of("accounting")
    assert Permission.PURCHASING_APPROVE in permissions_of("purchasing")
    assert Permission.CASES_WRITE in permissions_of("customer_service")
    assert Permission.ORDERS_CREATE in permissions_of("sales")
