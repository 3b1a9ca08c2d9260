"""Errors of staff accounts and sign-in (stable codes); the sign-in ones are shared with
the customer portal (``ordersmith.auth.errors``)."""

from __future__ import annotations

from ordersmith.auth.errors import AccountLocked, InvalidCredentials, TooManyAttempts, WeakPassword
from ordersmith.errors import AlreadyExists, NotFound

__all__ = [
    "AccountLocked",
    "InvalidCredentials",
    "StaffEmailTaken",
    "StaffUserNotFound",
    "TooManyAttempts",
    "WeakPassword",
]


class StaffUserNotFound(NotFound):
    code = "staff_user_not_found"


class StaffEmailTaken(AlreadyExists):
    code = "staff_email_taken"
