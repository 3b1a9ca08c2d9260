"""outbox delivery and communications

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 16:12:43.316560
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ordersmith.db

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "communications",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=True),
        sa.Column("shipment_id", sa.Uuid(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "order_received",
                "order_dispatched",
                "order_delivered",
                "backorder_delay",
                name="messagekind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "channel",
            sa.Enum("email", name="channel", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "sending",
                "sent",
                "dead",
                name="messagestatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", ordersmith.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("lease_until", ordersmith.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", ordersmith.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", ordersmith.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("source_event_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_communications_attempts_not_negative")),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_communications_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_communications_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_communications")),
        sa.UniqueConstraint("source_event_id", "kind", name="uq_communications_source_event"),
    )
    with op.batch_alter_table("communications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_communications_customer", ["customer_id", "created_at"], unique=False
        )
        batch_op.create_index("ix_communications_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index("ix_communications_order", ["order_id", "created_at"], unique=False)

    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("next_attempt_at", ordersmith.db.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("last_error", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(
            sa.Column("dead_at", ordersmith.db.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.drop_index(batch_op.f("ix_outbox_events_pending"))
        batch_op.create_index(
            "ix_outbox_events_due",
            ["created_at"],
            unique=False,
            sqlite_where=sa.text("delivered_at IS NULL AND dead_at IS NULL"),
            postgresql_where=sa.text("delivered_at IS NULL AND dead_at IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_outbox_events_due",
            sqlite_where=sa.text("delivered_at IS NULL AND dead_at IS NULL"),
            postgresql_where=sa.text("delivered_at IS NULL AND dead_at IS NULL"),
        )
        batch_op.create_index(
            batch_op.f("ix_outbox_events_pending"), ["delivered_at", "created_at"], unique=False
        )
        batch_op.drop_column("dead_at")
        batch_op.drop_column("last_error")
        batch_op.drop_column("next_attempt_at")

    with op.batch_alter_table("communications", schema=None) as batch_op:
        batch_op.drop_index("ix_communications_order")
        batch_op.drop_index("ix_communications_due")
        batch_op.drop_index("ix_communications_customer")

    op.drop_table("communications")
