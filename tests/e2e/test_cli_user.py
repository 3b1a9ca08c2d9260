"""`ordersmith user ...`: staff users from a terminal, and their errors."""

from __future__ import annotations

from ordersmith.errors import OmsError
from ordersmith.staff.services import sign_in
from tests.e2e.test_cli import app as cli_app
from tests.e2e.test_cli import runner

PASSWORD = "first admin passphrase"


def run(db, *args: str, input: str | None = None):
    env = {
        "ORDERSMITH_DATABASE_URL": db.settings.effective_database_url,
        "ORDERSMITH_DATA_DIR": str(db.settings.data_dir),
    }
    return runner.invoke(cli_app, list(args), env=env, input=input)


def _signs_in(db, email: str, password: str) -> bool:
    with db.unit_of_work(actor="test") as uow:
        return sign_in(uow, email=email, password=password, ip="cli-test").token is not None


def _code(result) -> str:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, OmsError)
    return result.exception.code


def test_the_first_admin_is_created_with_a_prompted_password_and_can_sign_in(db):
    # when
    result = run(
        db, "user", "create", "--email", "Ada@Example.com", "--name", "Ada", "--role", "admin",
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )  # fmt: skip
    # then
    assert result.exit_code == 0, result.output
    assert "created admin ada@example.com" in result.stdout
    assert _signs_in(db, "ada@example.com", PASSWORD)
    listed = run(db, "user", "list")
    assert "ada@example.com" in listed.stdout
    assert PASSWORD not in listed.stdout


def test_a_user_is_created_from_stdin_disabled_and_signed_out_everywhere(db):
    # given
    created = run(
        db, "user", "create", "--email", "walt@example.com", "--name", "Walt",
        "--role", "warehouse", "--password-stdin", input=PASSWORD + "\n",
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    assert _signs_in(db, "walt@example.com", PASSWORD)
    # when
    ended = run(db, "user", "logout-everywhere", "walt@example.com")
    disabled = run(db, "user", "disable", "walt@example.com")
    # then
    assert ended.exit_code == 0
    assert "ended 1 session(s)" in ended.stdout
    assert disabled.exit_code == 0
    assert not _signs_in(db, "walt@example.com", PASSWORD)


def test_set_password_replaces_the_old_one(db):
    # given
    run(
        db, "user", "create", "--email", "sam@example.com", "--name", "Sam", "--role", "sales",
        "--password-stdin", input=PASSWORD + "\n",
    )  # fmt: skip
    # when
    result = run(
        db, "user", "set-password", "sam@example.com", "--password-stdin",
        input="the second passphrase\n",
    )  # fmt: skip
    # then
    assert result.exit_code == 0, result.output
    assert _signs_in(db, "sam@example.com", "the second passphrase")
    assert not _signs_in(db, "sam@example.com", PASSWORD)


def test_bad_input_exits_non_zero_with_a_clear_error_and_creates_nothing(db):
    # when
    short = run(
        db, "user", "create", "--email", "x@example.com", "--name", "X", "--role", "sales",
        "--password-stdin", input="short\n",
    )  # fmt: skip
    bad_role = run(
        db, "user", "create", "--email", "x@example.com", "--name", "X", "--role", "janitor",
        "--password-stdin", input=PASSWORD + "\n",
    )  # fmt: skip
    unknown = run(db, "user", "disable", "nobody@example.com")
    # then
    assert _code(short) == "weak_password"
    assert bad_role.exit_code == 2
    assert _code(unknown) == "staff_user_not_found"
    assert "x@example.com" not in run(db, "user", "list").stdout
