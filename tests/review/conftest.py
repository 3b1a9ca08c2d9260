"""The review tests use the e2e HTTP fixtures (``api`` is an admin client on ``db``)."""

from tests.e2e.conftest import api, app, client, shop  # noqa: F401
