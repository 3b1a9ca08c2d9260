"""Back office: staff users, their sessions and sign-in attempts (ADR 0023)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ordersmith.db

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=24), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", ordersmith.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("created_at", ordersmith.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", ordersmith.db.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("email = lower(email)", name=op.f("ck_staff_users_email_lower_case")),
        sa.CheckConstraint(
            "failed_logins >= 0", name=op.f("ck_staff_users_failed_logins_not_negative")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_users")),
        sa.UniqueConstraint("email", name=op.f("uq_staff_users_email")),
    )
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.create_index("ix_staff_users_created", ["created_at", "id"], unique=False)
    op.create_table(
        "staff_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", ordersmith.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", ordersmith.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", ordersmith.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", ordersmith.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("user_agent", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["staff_users.id"], name=op.f("fk_staff_sessions_user_id_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_sessions")),
    )
    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.create_index("ix_staff_sessions_user", ["user_id", "revoked_at"], unique=False)
    op.create_table(
        "staff_login_attempts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("at", ordersmith.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_login_attempts")),
    )
    with op.batch_alter_table("staff_login_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_staff_login_attempts_email", ["email", "at"], unique=False)
        batch_op.create_index("ix_staff_login_attempts_ip", ["ip", "at"], unique=False)


def downgrade() -> None:
    op.drop_table("staff_login_attempts")
    op.drop_table("staff_sessions")
    op.drop_table("staff_users")
