"""payment provider events: webhooks from payment providers, handled once

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 18:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ordersmith.db

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "payment_provider_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("event_id", sa.String(length=120), nullable=False),
        sa.Column(
            "event_type",
            sa.Enum(
                "payment.succeeded",
                "refund.succeeded",
                name="providereventtype",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("object_reference", sa.String(length=120), nullable=False),
        sa.Column("message_id", sa.String(length=120), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=True),
        sa.Column("received_at", ordersmith.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.id"],
            name=op.f("fk_payment_provider_events_payment_id_payments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_provider_events")),
        sa.UniqueConstraint("provider", "event_id", name="uq_payment_provider_events_event"),
        sa.UniqueConstraint(
            "provider",
            "event_type",
            "object_reference",
            name="uq_payment_provider_events_object",
        ),
    )
    with op.batch_alter_table("payment_provider_events", schema=None) as batch_op:
        batch_op.create_index("ix_payment_provider_events_payment", ["payment_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("payment_provider_events", schema=None) as batch_op:
        batch_op.drop_index("ix_payment_provider_events_payment")
    op.drop_table("payment_provider_events")
