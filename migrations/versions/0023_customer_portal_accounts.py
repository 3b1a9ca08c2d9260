"""Customer portal: accounts, invite and reset links, sessions, sign-in attempts (ADR 0029)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ordersmith.db

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_AT = ordersmith.db.UtcDateTime


def _session_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("created_at", _AT(timezone=True), nullable=False),
        sa.Column("last_seen_at", _AT(timezone=True), nullable=False),
        sa.Column("expires_at", _AT(timezone=True), nullable=False),
        sa.Column("revoked_at", _AT(timezone=True), nullable=True),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("user_agent", sa.String(length=300), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "portal_accounts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "invited", "active", "disabled", name="accountstatus", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", _AT(timezone=True), nullable=True),
        sa.Column("marketing_emails", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", _AT(timezone=True), nullable=False),
        sa.Column("updated_at", _AT(timezone=True), nullable=False),
        sa.Column("activated_at", _AT(timezone=True), nullable=True),
        sa.CheckConstraint(
            "email = lower(email)", name=op.f("ck_portal_accounts_email_lower_case")
        ),
        sa.CheckConstraint(
            "failed_logins >= 0", name=op.f("ck_portal_accounts_failed_logins_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_portal_accounts_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_accounts")),
        sa.UniqueConstraint("email", name=op.f("uq_portal_accounts_email")),
    )
    with op.batch_alter_table("portal_accounts", schema=None) as batch_op:
        batch_op.create_index("ix_portal_accounts_customer", ["customer_id"], unique=False)
    op.create_table(
        "portal_tokens",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column(
            "purpose",
            sa.Enum("invite", "reset", name="tokenpurpose", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("created_at", _AT(timezone=True), nullable=False),
        sa.Column("expires_at", _AT(timezone=True), nullable=False),
        sa.Column("used_at", _AT(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["portal_accounts.id"],
            name=op.f("fk_portal_tokens_account_id_portal_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_tokens")),
    )
    with op.batch_alter_table("portal_tokens", schema=None) as batch_op:
        batch_op.create_index(
            "ix_portal_tokens_account", ["account_id", "purpose", "created_at"], unique=False
        )
    op.create_table(
        "portal_sessions",
        *_session_columns(),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["portal_accounts.id"],
            name=op.f("fk_portal_sessions_account_id_portal_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_sessions")),
    )
    with op.batch_alter_table("portal_sessions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_portal_sessions_account", ["account_id", "revoked_at"], unique=False
        )
    op.create_table(
        "portal_login_attempts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("at", _AT(timezone=True), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_login_attempts")),
    )
    with op.batch_alter_table("portal_login_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_portal_login_attempts_email", ["email", "at"], unique=False)
        batch_op.create_index("ix_portal_login_attempts_ip", ["ip", "at"], unique=False)


def downgrade() -> None:
    op.drop_table("portal_login_attempts")
    op.drop_table("portal_sessions")
    op.drop_table("portal_tokens")
    op.drop_table("portal_accounts")
