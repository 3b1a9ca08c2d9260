"""One typed Settings object, read from ORDERSMITH_* environment variables.

The embedded default needs no configuration at all: a SQLite file in ./data.
"""

from __future__ import annotations

import os
import secrets
from enum import StrEnum
from functools import cached_property
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ordersmith.errors import ConfigurationError


class BackorderPolicy(StrEnum):
    REJECT = "reject"
    BACKORDER = "backorder"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ORDERSMITH_", env_file=".env", extra="ignore", frozen=True
    )

    environment: str = Field("development", pattern="^(development|test|production)$")
    data_dir: Path = Path("data")
    database_url: str = ""
    """SQLAlchemy URL. Empty means the embedded SQLite file ``<data_dir>/ordersmith.db``."""

    secret_key: str = ""
    """Signs sessions. Empty: generated once and stored in ``<data_dir>/secret_key``
    (refused in production, where it must be set)."""

    default_currency: str = Field("EUR", pattern="^[A-Z]{3}$")
    backorder_policy: BackorderPolicy = BackorderPolicy.REJECT
    duplicate_window_minutes: int = Field(30, ge=0, le=60 * 24 * 30)
    idempotency_ttl_hours: int = Field(48, ge=24)
    idempotency_in_flight_timeout_seconds: int = Field(60, ge=5)
    order_number_prefix: str = Field("SO", pattern="^[A-Z]{1,6}$")
    number_block_size: int = Field(20, ge=1, le=10_000)
    sqlite_busy_timeout_ms: int = Field(30_000, ge=0)
    """How long a SQLite writer waits for the one write lock."""
    db_lock_timeout_ms: int = Field(10_000, ge=0)
    """How long a PostgreSQL statement waits for a row lock (0: forever)."""
    db_pool_size: int = Field(10, ge=1)
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    workers: int = Field(1, ge=1)
    log_level: str = "info"

    @field_validator("database_url")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        if value and not value.startswith(("sqlite", "postgresql")):
            raise ValueError("database_url must be a sqlite:// or postgresql+psycopg:// URL")
        if value.startswith("postgresql://"):
            return "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value

    @cached_property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'ordersmith.db').as_posix()}"

    @property
    def is_embedded(self) -> bool:
        """True for the zero-configuration SQLite default, which migrates itself."""
        return not self.database_url

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")

    def effective_secret_key(self) -> str:
        if self.secret_key:
            return self.secret_key
        if self.environment == "production":
            raise ConfigurationError("ORDERSMITH_SECRET_KEY must be set in production")
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        # created owner-only from the start, never briefly readable by others
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as file:
            file.write(key)
        return key


def load_settings(**overrides: object) -> Settings:
    """Build and validate settings (called at start-up, never at import)."""
    return Settings(**overrides)  # type: ignore[arg-type]
