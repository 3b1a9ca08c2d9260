"""Staff fixtures: users of each role created through the real service."""

from __future__ import annotations

from pathlib import Path

from ordersmith.staff.models import StaffUser
from ordersmith.staff.services import SignInOutcome, create_staff_user, sign_in
from ordersmith.uow import Database
from tests.conftest import make_settings

PASSWORD = "correct horse battery"


def make_user(db: Database, role: str = "sales", email: str = "kim@example.com") -> StaffUser:
    with db.unit_of_work(actor="test") as uow:
        return create_staff_user(uow, email=email, name="Kim", role=role, password=PASSWORD)


def attempt(
    db: Database, email: str = "kim@example.com", password: str = PASSWORD, ip: str = "10.0.0.1"
) -> SignInOutcome:
    with db.unit_of_work(actor="test") as uow:
        return sign_in(uow, email=email, password=password, ip=ip, user_agent="pytest")


def connect(tmp_path: Path, database_url: str, **overrides: object) -> Database:
    return Database.connect(make_settings(tmp_path, database_url, **overrides))
