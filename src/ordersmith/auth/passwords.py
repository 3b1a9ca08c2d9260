"""argon2id password hashes (argon2-cffi's defaults: RFC 9106's low-memory profile),
shared by staff users and customer portal accounts."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ordersmith.auth.errors import WeakPassword

MIN_LENGTH = 12
MAX_LENGTH = 1024


@cache
def hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id, t=3, m=64 MiB, p=4


@cache
def _dummy_hash() -> str:
    return hasher().hash("not a password: keeps unknown emails as slow as known ones")


def check_strength(password: str, *, email: str) -> None:
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"a password has at most {MAX_LENGTH} characters")
    if password.strip().lower() == email.strip().lower():
        raise WeakPassword("the password must not be the email address")


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; with no hash (unknown email) a dummy hash is
    verified instead, so both cases take the same time."""
    try:
        return hasher().verify(password_hash or _dummy_hash(), password[:MAX_LENGTH]) and (
            password_hash is not None
        )
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return hasher().check_needs_rehash(password_hash)
