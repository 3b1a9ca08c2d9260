"""One typed Settings object, read from ORDERSMITH_* environment variables.

The embedded default needs no configuration at all: a SQLite file in ./data.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ordersmith.errors import ConfigurationError


class BackorderPolicy(StrEnum):
    REJECT = "reject"
    BACKORDER = "backorder"


class ShipPolicy(StrEnum):
    SHIP_COMPLETE = "ship_complete"
    """Wait until every line can leave together (from one warehouse if any can)."""
    SHIP_AS_AVAILABLE = "ship_as_available"
    """Ship what is in stock now; the rest follows as backorders arrive."""


class ReplenishmentDefault(StrEnum):
    """How (warehouse, SKU) pairs without a replenishment policy of their own are
    replenished (ordersmith.replenishment, ADR 0018)."""

    FORECAST = "forecast"
    """The latest forecast's reorder point and order-up-to level; without a forecast,
    min/max from the stock level's reorder point."""
    MIN_MAX = "min_max"
    """Min/max from the stock level's reorder point (forecasts are not used)."""
    MANUAL = "manual"
    """Never suggested automatically."""


class SmtpSecurity(StrEnum):
    NONE = "none"
    STARTTLS = "starttls"
    TLS = "tls"


ALLOCATION_RULES = ("ship_complete", "nearest", "fewest_splits", "priority")


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
    # order to cash (ordersmith.billing)
    cash_orders_require_payment: bool = True
    """A cash customer's order waits on hold (awaiting_payment) until it is paid."""
    unpaid_order_expiry_hours: int = Field(72, ge=1, le=24 * 90)
    """Cash orders still unpaid after this long are cancelled and their stock released."""
    chart_of_accounts: str = ""
    """Account codes the journal posts to, over the defaults (ordersmith.billing.accounts):
    ``role=code:name`` items separated by ``;``, e.g. ``receivable=1400:Debtors``."""

    # fulfilment (ordersmith.fulfillment)
    allocation_strategy: str = "ship_complete,nearest,fewest_splits,priority"
    """Rules tried in order when an order is allocated to warehouses (comma separated)."""
    default_ship_policy: ShipPolicy = ShipPolicy.SHIP_AS_AVAILABLE
    handling_days: int = Field(1, ge=0, le=60)
    """Business days between allocation and dispatch, for the promised delivery date."""
    dispatch_cutoff_hour: int = Field(15, ge=0, le=23)
    """Orders confirmed after this hour (UTC) leave the next business day."""
    consolidate_automatically: bool = False
    """Pack open orders of one customer to one address into one shipment without asking."""
    carrier_webhook_secret: str = ""
    """Signs inbound carrier tracking webhooks. Empty: derived from the secret key."""
    payment_webhook_secret: str = ""
    """Signs inbound payment-provider webhooks (never the carriers' secret: a carrier
    must not be able to forge payments). Empty: derived from the secret key."""
    webhook_tolerance_seconds: int = Field(300, ge=1, le=86_400)
    """Inbound webhooks older or newer than this are refused (replay protection)."""

    # demand forecasting and the buffer (ordersmith.forecasting, ADR 0017)
    forecast_service_level: Decimal = Field(Decimal("0.95"), ge=Decimal("0.5"), le=Decimal("0.999"))
    """Chance of not running out during a lead time: sets z of the safety stock."""
    default_lead_time_days: int = Field(14, ge=1, le=365)
    """Days from ordering stock to having it, for products without a preferred supplier
    (the preferred supplier's lead time otherwise: ordersmith.forecasting.supply)."""
    forecast_review_period_days: int = Field(7, ge=0, le=91)
    """Days between two replenishment decisions (the order-up-to level covers them)."""
    forecast_history_weeks: int = Field(156, ge=26, le=520)
    """How many complete weeks of order history a forecast run reads."""

    # purchasing (ordersmith.purchasing, ADR 0016)
    purchase_over_receipt_tolerance_percent: Decimal = Field(
        Decimal("0"), ge=Decimal("0"), le=Decimal("100"), max_digits=6, decimal_places=2
    )
    """How much more than ordered a purchase order line may receive, in percent of its
    ordered quantity (rounded down to whole units). 0: never more than ordered."""

    # returns (ordersmith.returns, ADR 0019)
    return_window_days: int = Field(30, ge=1, le=3650)
    """Days after delivery during which goods may be returned (staff with the
    ``returns:override`` permission may accept a later return, giving a reason)."""

    # customer service cases (ordersmith.customer_service, ADR 0021)
    case_sla_hours: str = "urgent=4,high=8,normal=24,low=72"
    """Hours from opening a case to resolving it, per priority (every priority once);
    the clock stops while a case waits on the customer."""

    # replenishment (ordersmith.replenishment, ADR 0018)
    replenishment_default_policy: ReplenishmentDefault = ReplenishmentDefault.FORECAST
    """The policy of (warehouse, SKU) pairs that have none of their own."""
    replenishment_fallback_max_multiple: int = Field(2, ge=1, le=100)
    """Without a policy's min/max or a forecast, min is the stock level's reorder point
    and max this many times it."""

    # API tokens (ordersmith.auth, ADR 0007 and ADR 0035)
    api_token_cache_seconds: int = Field(5, ge=0, le=300)
    """How long a server process trusts an API token it has checked without reading it
    again. A token revoked through another process (``ordersmith token revoke``, another
    server worker) is refused here within this time; one revoked through this process at
    once. 0: every request reads its token from the database."""

    # staff sign-in and sessions of the back office (ordersmith.staff, ADR 0023)
    session_idle_minutes: int = Field(60, ge=1, le=60 * 24 * 7)
    """A staff session unused for this long ends (sign in again)."""
    session_max_hours: int = Field(12, ge=1, le=24 * 30)
    """A staff session ends this long after sign-in, however busy (absolute lifetime)."""
    login_max_failures: int = Field(5, ge=1, le=100)
    """Failed sign-ins for one email in a row before the account locks."""
    login_lockout_minutes: int = Field(15, ge=1, le=60 * 24)
    """How long a locked account stays locked."""
    login_ip_max_failures: int = Field(30, ge=1, le=10_000)
    """Failed sign-ins from one IP address within ``login_ip_window_minutes`` before
    that address must wait (any emails; counted in the database, so across workers)."""
    login_ip_window_minutes: int = Field(15, ge=1, le=60 * 24)
    secure_cookies: bool | None = None
    """Session cookies only over https. None: when the request came over https."""

    # the customer portal (ordersmith.portal, ADR 0029); sessions use the settings above
    public_base_url: str = Field("", max_length=300)
    """The server's address as customers reach it, for links in emails (invite, password
    reset), e.g. ``https://orders.example.com``. Empty: ``http://<host>:<port>``."""
    portal_invite_days: int = Field(7, ge=1, le=90)
    """An invite link works this long."""
    portal_reset_minutes: int = Field(60, ge=5, le=60 * 24)
    """A password-reset link works this long."""
    portal_resets_per_hour: int = Field(3, ge=1, le=100)
    """Reset emails one account gets per hour at most (more requests are answered the
    same and send nothing)."""

    # documents: the seller on packing slips, labels and invoices
    company_name: str = "Ordersmith Demo Ltd"
    company_address: str = "Hafenstrasse 1\n20457 Hamburg\nDE"
    company_email: str = "orders@example.com"
    documents_warm_up: bool | None = None
    """Draw one unseen label in the background as a server process starts, so that the
    first real document does not pay the renderer's start-up (~1 s; ADR 0051). Unset:
    everywhere but the test environment."""

    # mail (ordersmith.adapters.mail); empty smtp_host: messages are written to
    # <data_dir>/mail as .eml files instead of sent
    smtp_host: str = ""
    smtp_port: int = Field(25, ge=1, le=65535)
    smtp_security: SmtpSecurity = SmtpSecurity.NONE
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_timeout_seconds: int = Field(30, ge=1, le=600)
    mail_from: str = "Ordersmith <orders@example.com>"

    # the outbox worker (ordersmith.jobs)
    worker_in_server: bool | None = None
    """Run the worker inside ``ordersmith serve``. Unset: only for the embedded default."""
    worker_poll_ms: int = Field(1_000, ge=10, le=60_000)
    worker_batch_size: int = Field(100, ge=1, le=10_000)
    outbox_max_attempts: int = Field(10, ge=1, le=100)
    """A delivery (an event's handlers, one email) is retried with backoff this many
    times, then parked as dead for an operator to replay."""

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    workers: int = Field(1, ge=1)
    log_level: str = "info"

    @field_validator("public_base_url")
    @classmethod
    def _web_address(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("public_base_url must start with http:// or https://")
        return value

    @property
    def base_url(self) -> str:
        """Where customers reach this server (``public_base_url``, else host and port)."""
        return self.public_base_url or f"http://{self.host}:{self.port}"

    @field_validator("database_url")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        if value and not value.startswith(("sqlite", "postgresql")):
            raise ValueError("database_url must be a sqlite:// or postgresql+psycopg:// URL")
        if value.startswith("postgresql://"):
            return "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value

    @field_validator("allocation_strategy")
    @classmethod
    def _known_rules(cls, value: str) -> str:
        rules = [r.strip() for r in value.split(",") if r.strip()]
        unknown = [r for r in rules if r not in ALLOCATION_RULES]
        if not rules or unknown:
            raise ValueError(f"allocation rules are {', '.join(ALLOCATION_RULES)}; got {value!r}")
        return ",".join(rules)

    @field_validator("case_sla_hours")
    @classmethod
    def _valid_case_sla(cls, value: str) -> str:
        from ordersmith.customer_service.sla import parse_sla_hours  # keeps config light

        hours = parse_sla_hours(value)
        return ",".join(f"{priority.value}={n}" for priority, n in hours.items())

    @field_validator("chart_of_accounts")
    @classmethod
    def _valid_chart(cls, value: str) -> str:
        from ordersmith.billing.accounts import chart_of_accounts  # billing imports us

        try:
            chart_of_accounts(value)
        except ConfigurationError as exc:
            raise ValueError(str(exc)) from None
        return value

    @property
    def allocation_rules(self) -> tuple[str, ...]:
        return tuple(self.allocation_strategy.split(","))

    @property
    def runs_worker_in_server(self) -> bool:
        return self.is_embedded if self.worker_in_server is None else self.worker_in_server

    @property
    def warms_documents_on_start(self) -> bool:
        if self.documents_warm_up is None:
            return self.environment != "test"
        return self.documents_warm_up

    def effective_webhook_secret(self) -> str:
        """The carriers' tracking-webhook secret."""
        if self.carrier_webhook_secret:
            return self.carrier_webhook_secret
        return self._derived_secret("carrier-webhooks:")

    def effective_payment_webhook_secret(self) -> str:
        """The payment providers' webhook secret (a different key from the carriers')."""
        if self.payment_webhook_secret:
            return self.payment_webhook_secret
        return self._derived_secret("payment-webhooks:")

    def _derived_secret(self, purpose: str) -> str:
        return hashlib.sha256((purpose + self.effective_secret_key()).encode()).hexdigest()

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
