"""Errors of portal accounts (stable codes); sign-in errors are ``ordersmith.auth.errors``."""

from __future__ import annotations

from ordersmith.errors import AlreadyExists, NotFound, OmsError


class PortalAccountNotFound(NotFound):
    code = "portal_account_not_found"


class PortalEmailTaken(AlreadyExists):
    code = "portal_email_taken"


class InvalidPortalToken(OmsError):
    """An invite or reset link that is unknown, used, expired or for another purpose
    (never says which)."""

    code = "invalid_portal_token"
    status = 400
    title = "Link not valid"
