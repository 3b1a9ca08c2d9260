"""billing: refunds carry the provider's reference; credit notes free what paid an invoice

- ``refunds.provider_reference`` (the provider's or the card terminal's id of the
  refund, "" if none), unique per payment when not empty (a partial unique index on
  both databases): a provider's webhook finds the refund staff recorded, and the same
  refund is never recorded twice.
- ``payment_allocations`` and ``credit_applications`` may hold negative rows, each
  naming the credit note that freed the money (``released_by_credit_note_id``): a
  credit note on a paid invoice frees its payments instead of becoming a credit of its
  own (ADR 0012, revised). Existing rows are all positive and stay as they are.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-28 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SETTLEMENTS = ("payment_allocations", "credit_applications")
_RELEASED = (
    "(amount > 0 AND released_by_credit_note_id IS NULL) OR "
    "(amount < 0 AND released_by_credit_note_id IS NOT NULL)"
)
_NOT_EMPTY = sa.text("provider_reference <> ''")


def upgrade() -> None:
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "provider_reference", sa.String(length=120), nullable=False, server_default=""
            )
        )
        batch_op.create_index(
            "uq_refunds_payment_provider_reference",
            ["payment_id", "provider_reference"],
            unique=True,
            sqlite_where=_NOT_EMPTY,
            postgresql_where=_NOT_EMPTY,
        )
    for table in _SETTLEMENTS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("released_by_credit_note_id", sa.Uuid(), nullable=True))
            batch_op.create_foreign_key(
                op.f(f"fk_{table}_released_by_credit_note_id_credit_notes"),
                "credit_notes",
                ["released_by_credit_note_id"],
                ["id"],
            )
            batch_op.create_index(
                f"ix_{table}_released_by", ["released_by_credit_note_id"], unique=False
            )
            batch_op.drop_constraint(op.f(f"ck_{table}_amount_positive"), type_="check")
            batch_op.create_check_constraint("positive_or_released", _RELEASED)


def downgrade() -> None:
    for table in reversed(_SETTLEMENTS):
        # with freed (negative) rows on file the restored CHECK fails: a downgrade
        # never throws that history away silently
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_positive_or_released"), type_="check")
            batch_op.create_check_constraint("amount_positive", "amount > 0")
            batch_op.drop_index(f"ix_{table}_released_by")
            batch_op.drop_constraint(
                op.f(f"fk_{table}_released_by_credit_note_id_credit_notes"), type_="foreignkey"
            )
            batch_op.drop_column("released_by_credit_note_id")
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.drop_index("uq_refunds_payment_provider_reference")
        batch_op.drop_column("provider_reference")
