"""The application factory: settings, database, routers, one error mapping."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ordersmith import __version__
from ordersmith.config import Settings, load_settings
from ordersmith.documents.warm_up import start_document_warm_up
from ordersmith.heap import freeze_startup_objects
from ordersmith.jobs.background import start_background_worker
from ordersmith.logging import configure_logging
from ordersmith.runtime import open_database
from ordersmith.uow import Database
from ordersmith.web import metrics, pages, problems, routing
from ordersmith.web.api import (
    billing,
    cases,
    catalog,
    communications,
    customers,
    forecasts,
    fulfilment,
    health,
    incidents,
    inventory,
    kpis,
    orders,
    payment_webhooks,
    purchasing,
    receivables,
    replenishment,
    returns,
    shipping,
    timeline,
    transfers,
)

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    settings = settings or (db.settings if db else load_settings())
    owns_db = db is None
    database = db or open_database(settings)

    @asynccontextmanager
    async def lifespan(running: FastAPI) -> AsyncIterator[None]:
        worker = start_background_worker(database) if settings.runs_worker_in_server else None
        if settings.warms_documents_on_start:
            running.state.documents_warm_up = start_document_warm_up()
        yield
        if worker is not None:
            worker.stop()
        if owns_db:
            database.dispose()

    app = FastAPI(
        title="Ordersmith",
        version=__version__,
        description="Order management: every order from every channel, captured once, "
        "against real-time stock. Authenticate with `Authorization: Bearer <token>` "
        "(`ordersmith token create`). Errors are `application/problem+json` with a stable `code`.",
        lifespan=lifespan,
    )
    app.state.db = database
    app.state.settings = settings
    problems.install(app)
    metrics.install(app, api_prefix=API_PREFIX)
    app.include_router(health.router)
    for module in (catalog, customers, inventory, orders, fulfilment, shipping, communications):
        app.include_router(module.router, prefix=API_PREFIX)
    for module in (incidents, kpis, billing, payment_webhooks):  # incidents, KPIs, billing
        app.include_router(module.router, prefix=API_PREFIX)
    app.include_router(receivables.router, prefix=API_PREFIX)  # statements, aging, exports
    app.include_router(forecasts.router, prefix=API_PREFIX)  # demand forecasts and buffers
    app.include_router(purchasing.router, prefix=API_PREFIX)  # suppliers, purchase orders
    app.include_router(transfers.router, prefix=API_PREFIX)  # stock transfers
    app.include_router(returns.router, prefix=API_PREFIX)  # returns (RMA)
    app.include_router(cases.router, prefix=API_PREFIX)  # customer service cases
    app.include_router(timeline.router, prefix=API_PREFIX)  # the order timeline
    app.include_router(replenishment.router, prefix=API_PREFIX)  # requests, policies, runs
    pages.install(app)  # back-office pages, /static, errors as pages (ADR 0023)
    routing.install(app)  # last: a request tries only the routes of its path (ADR 0040)
    return app


def create_default_app() -> FastAPI:
    """Entry point for ASGI servers (granian/uvicorn --factory): one per worker process,
    whose start-up objects are then frozen (ordersmith.heap, ADR 0044)."""
    settings = load_settings()
    configure_logging(settings.log_level, json=settings.environment == "production")
    app = create_app(settings)
    freeze_startup_objects()
    return app
