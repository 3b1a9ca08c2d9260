"""`ordersmith serve`: the HTTP server (granian; uvicorn with --reload)."""

from __future__ import annotations

import typer

from ordersmith.cli.common import console
from ordersmith.config import load_settings
from ordersmith.runtime import open_database


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        host: str = typer.Option(None, help="bind address (default ORDERSMITH_HOST, 127.0.0.1)"),
        port: int = typer.Option(None, help="port (default ORDERSMITH_PORT, 8000)"),
        workers: int = typer.Option(None, help="worker processes (default ORDERSMITH_WORKERS)"),
        reload: bool = typer.Option(False, help="reload on code changes (development)"),
    ) -> None:
        """Serve the API and pages. Refuses to start on an unmigrated database."""
        settings = load_settings()
        open_database(settings).dispose()  # migrates the embedded default, checks the rest
        host = host or settings.host
        port = port or settings.port
        workers = workers or settings.workers
        console.print(f"Ordersmith on http://{host}:{port}  (API docs: http://{host}:{port}/docs)")
        target = "ordersmith.web.app:create_default_app"
        if reload:
            import uvicorn

            uvicorn.run(target, host=host, port=port, reload=True, factory=True)
            return
        from granian.constants import Interfaces
        from granian.server import Server

        Server(
            target,
            address=host,
            port=port,
            interface=Interfaces.ASGI,
            workers=workers,
            factory=True,
            log_access=False,
        ).serve()
