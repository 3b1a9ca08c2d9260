"""Start-up: open the configured database, ready for use by the server, CLI or worker."""

from __future__ import annotations

from ordersmith import migrate
from ordersmith.config import Settings
from ordersmith.uow import Database


def open_database(settings: Settings) -> Database:
    """Connect; migrate the embedded default; refuse an unmigrated external database
    (and, in production, a missing secret key)."""
    settings.effective_secret_key()
    db = Database.connect(settings)
    try:
        if settings.is_embedded:
            migrate.upgrade(db.engine)
        migrate.ensure_current(db.engine)
    except Exception:
        db.dispose()
        raise
    return db
