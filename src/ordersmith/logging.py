"""Structured logs (structlog): JSON lines in production, readable lines in development."""

from __future__ import annotations

import logging

import structlog


def configure_logging(level: str = "info", *, json: bool = True) -> None:
    """Configure once at start-up (the server's app factory calls it; importing never does)."""
    logging.basicConfig(format="%(message)s", level=level.upper())
    for chatty in ("weasyprint", "fontTools"):  # a line per rendering step otherwise
        logging.getLogger(chatty).setLevel(
            max(logging.WARNING, logging.getLevelName(level.upper()))
        )
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        cache_logger_on_first_use=True,
    )
