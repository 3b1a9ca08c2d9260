"""customer service: cases, threaded notes, SLA

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-28 22:00:00.000000

``cases`` (tickets of a customer, optionally about one of their orders, shipments or
returns, with an SLA due time) and ``case_notes`` (the threaded notes; a staff note to
the customer names the email that carried it), ADR 0021.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ordersmith.db

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=True),
        sa.Column("shipment_id", sa.Uuid(), nullable=True),
        sa.Column("return_id", sa.Uuid(), nullable=True),
        sa.Column(
            "type",
            sa.Enum(
                "enquiry",
                "complaint",
                "delivery_problem",
                "damage_report",
                "billing",
                name="casetype",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "priority",
            sa.Enum(
                "low", "normal", "high", "urgent", name="casepriority", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "waiting_on_customer",
                "resolved",
                "closed",
                name="casestatus",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("assignee", sa.String(length=120), nullable=False),
        sa.Column(
            "opened_by",
            sa.Enum("staff", "customer", name="party", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", ordersmith.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", ordersmith.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("sla_hours", sa.Integer(), nullable=False),
        sa.Column("sla_due_at", ordersmith.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("clock_stopped_at", ordersmith.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("paused_seconds", sa.BigInteger(), nullable=False),
        sa.Column("damage_incident_id", sa.Uuid(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.Column("resolved_by", sa.String(length=120), nullable=False),
        sa.Column("resolved_at", ordersmith.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=120), nullable=False),
        sa.Column("closed_at", ordersmith.db.UtcDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(status = 'open') = (clock_stopped_at IS NULL)",
            name=op.f("ck_cases_clock_runs_when_open"),
        ),
        sa.CheckConstraint(
            "(status IN ('resolved', 'closed')) = (resolved_at IS NOT NULL)",
            name=op.f("ck_cases_resolved_when_done"),
        ),
        sa.CheckConstraint("paused_seconds >= 0", name=op.f("ck_cases_paused_not_negative")),
        sa.CheckConstraint("sla_hours > 0", name=op.f("ck_cases_sla_hours_positive")),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_cases_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["damage_incident_id"],
            ["order_incidents.id"],
            name=op.f("fk_cases_damage_incident_id_order_incidents"),
        ),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_cases_order_id_orders")),
        sa.ForeignKeyConstraint(
            ["return_id"], ["returns.id"], name=op.f("fk_cases_return_id_returns")
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"], name=op.f("fk_cases_shipment_id_shipments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("number", name=op.f("uq_cases_number")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cases_assignee_created", ["assignee", "created_at", "id"], unique=False
        )
        batch_op.create_index("ix_cases_created", ["created_at", "id"], unique=False)
        batch_op.create_index(
            "ix_cases_customer_created", ["customer_id", "created_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_cases_order_created", ["order_id", "created_at", "id"], unique=False
        )
        batch_op.create_index("ix_cases_return", ["return_id"], unique=False)
        batch_op.create_index("ix_cases_shipment", ["shipment_id"], unique=False)
        batch_op.create_index(
            "ix_cases_status_created", ["status", "created_at", "id"], unique=False
        )
        batch_op.create_index("ix_cases_status_due", ["status", "sla_due_at"], unique=False)

    op.create_table(
        "case_notes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("author", sa.String(length=120), nullable=False),
        sa.Column(
            "author_kind",
            sa.Enum("staff", "customer", name="party", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column(
            "visibility",
            sa.Enum("internal", "customer", name="visibility", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("communication_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", ordersmith.db.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "communication_id IS NULL OR visibility = 'customer'",
            name=op.f("ck_case_notes_only_customer_notes_mailed"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_notes_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["communication_id"],
            ["communications.id"],
            name=op.f("fk_case_notes_communication_id_communications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_notes")),
    )
    with op.batch_alter_table("case_notes", schema=None) as batch_op:
        batch_op.create_index("ix_case_notes_case", ["case_id", "created_at", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_notes", schema=None) as batch_op:
        batch_op.drop_index("ix_case_notes_case")

    op.drop_table("case_notes")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_status_due")
        batch_op.drop_index("ix_cases_status_created")
        batch_op.drop_index("ix_cases_shipment")
        batch_op.drop_index("ix_cases_return")
        batch_op.drop_index("ix_cases_order_created")
        batch_op.drop_index("ix_cases_customer_created")
        batch_op.drop_index("ix_cases_created")
        batch_op.drop_index("ix_cases_assignee_created")

    op.drop_table("cases")
