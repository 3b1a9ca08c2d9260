from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter

from ordersmith import __version__
from ordersmith.web.deps import DbDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(db: DbDep) -> dict[str, str]:
    """Liveness and database reachability (no authentication)."""
    with db.reader() as session:
        session.execute(sa.text("SELECT 1"))
    return {"status": "ok", "version": __version__}
