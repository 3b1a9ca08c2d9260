"""The customer self-service portal under ``/portal`` (ADR 0029): its own sign-in,
session cookie and base template; every page scoped to the signed-in customer.

``router`` gathers the portal's routers (fixed paths before ``/{number}`` paths) so the
back office registers it with one line in ``web.pages.page_routers``.
"""

from __future__ import annotations

from fastapi import APIRouter

from ordersmith.web.portal import account, actions, aftersales, auth, orders

router = APIRouter(include_in_schema=False)
for _part in (auth, actions, aftersales, orders, account):  # fixed paths before /{number}
    router.include_router(_part.router)
