"""communication attachments, payment reminders, accounting export batches

Revision ID: 0009
Revises: 0007
Create Date: 2026-11-28 17:13:33.231191
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ordersmith.db

revision: str = "0009"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "export_batches",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("journal", "invoices", "xero", name="exportkind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("date_from", sa.Date(), nullable=False),
        sa.Column("date_to", sa.Date(), nullable=False),
        sa.Column("new_only", sa.Boolean(), nullable=False),
        sa.Column("entry_count", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", ordersmith.db.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("date_from <= date_to", name=op.f("ck_export_batches_period_ordered")),
        sa.CheckConstraint(
            "entry_count >= 0", name=op.f("ck_export_batches_entry_count_not_negative")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_batches")),
    )
    with op.batch_alter_table("export_batches", schema=None) as batch_op:
        batch_op.create_index("ix_export_batches_created", ["created_at"], unique=False)
        batch_op.create_index(
            "uq_export_batches_period",
            ["kind", "date_from", "date_to"],
            unique=True,
            sqlite_where=sa.text("NOT new_only"),
            postgresql_where=sa.text("NOT new_only"),
        )

    op.create_table(
        "payment_reminders",
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("sent_at", ordersmith.db.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("step > 0", name=op.f("ck_payment_reminders_step_positive")),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_payment_reminders_invoice_id_invoices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("invoice_id", "step", name=op.f("pk_payment_reminders")),
    )
    with op.batch_alter_table("communications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attachments", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("communications", schema=None) as batch_op:
        batch_op.drop_column("attachments")

    op.drop_table("payment_reminders")
    with op.batch_alter_table("export_batches", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_export_batches_period",
            sqlite_where=sa.text("NOT new_only"),
            postgresql_where=sa.text("NOT new_only"),
        )
        batch_op.drop_index("ix_export_batches_created")

    op.drop_table("export_batches")
