"""`ordersmith serve`: the HTTP server (granian; uvicorn with --reload)."""

from __future__ import annotations

import ipaddress
import socket

import typer

from ordersmith.cli.common import cli_settings, console
from ordersmith.runtime import open_database

MAX_WORKERS = 1024


def bind_address(host: str) -> str:
    """The IP address to bind: granian takes addresses only, so a host name such as
    ``localhost`` is resolved here (and a host that resolves to nothing is a usage error)."""
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:  # socket.gaierror is an OSError
        raise typer.BadParameter(
            f"{host!r} is not an IP address or a host name this machine can resolve",
            param_hint="'--host'",
        ) from exc
    return str(found[0][4][0])


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        host: str = typer.Option(None, help="bind address (default ORDERSMITH_HOST, 127.0.0.1)"),
        port: int = typer.Option(
            None, min=1, max=65535, help="port (default ORDERSMITH_PORT, 8000)"
        ),
        workers: int = typer.Option(
            None, min=1, max=MAX_WORKERS, help="worker processes (default ORDERSMITH_WORKERS)"
        ),
        reload: bool = typer.Option(False, help="reload on code changes (development)"),
    ) -> None:
        """Serve the API and pages. Refuses to start on an unmigrated database."""
        settings = cli_settings()
        host = bind_address(host or settings.host)
        port = port or settings.port
        workers = workers or settings.workers
        if workers > MAX_WORKERS:
            raise typer.BadParameter(f"at most {MAX_WORKERS}", param_hint="ORDERSMITH_WORKERS")
        open_database(settings).dispose()  # migrates the embedded default, checks the rest
        url = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
        console.print(f"Ordersmith on {url}  (API docs: {url}/docs)")
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
