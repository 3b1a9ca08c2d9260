"""Errors of signing in with a password, shared by staff and portal accounts (stable codes)."""

from __future__ import annotations

from ordersmith.errors import OmsError, ValidationFailed


class WeakPassword(ValidationFailed):
    code = "weak_password"


class InvalidCredentials(OmsError):
    """Wrong email or password (never says which)."""

    code = "invalid_credentials"
    status = 401
    title = "Sign-in failed"


class AccountLocked(OmsError):
    """Too many failed sign-ins for this email (shown the same for unknown emails)."""

    code = "account_locked"
    status = 429
    title = "Sign-in locked"


class TooManyAttempts(OmsError):
    """Too many failed sign-ins from this address."""

    code = "too_many_attempts"
    status = 429
    title = "Too many attempts"
