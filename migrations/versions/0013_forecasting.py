"""forecasting: forecast runs, their series (model, scores, buffer) and weekly points

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28 18:58:52.535045
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ordersmith.db

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "forecast_runs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "running",
                "completed",
                "failed",
                name="forecastrunstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("started_at", ordersmith.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", ordersmith.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("horizon_weeks", sa.Integer(), nullable=False),
        sa.Column("service_level", ordersmith.db.Fixed(), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("series_count", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "horizon_weeks >= 1 AND horizon_weeks <= 52",
            name=op.f("ck_forecast_runs_horizon_range"),
        ),
        sa.CheckConstraint(
            "series_count >= 0", name=op.f("ck_forecast_runs_series_count_not_negative")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_runs")),
    )
    with op.batch_alter_table("forecast_runs", schema=None) as batch_op:
        batch_op.create_index("ix_forecast_runs_started", ["started_at", "id"], unique=False)

    op.create_table(
        "forecast_series",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("warehouse_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", ordersmith.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column(
            "demand_class",
            sa.Enum(
                "smooth",
                "erratic",
                "intermittent",
                "lumpy",
                name="demandclass",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("adi", ordersmith.db.Fixed(), nullable=False),
        sa.Column("cv2", ordersmith.db.Fixed(), nullable=False),
        sa.Column("model", sa.String(length=40), nullable=False),
        sa.Column(
            "method",
            sa.Enum("backtest", "fallback", name="forecastmethod", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("history_weeks", sa.Integer(), nullable=False),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("error_sigma", ordersmith.db.Fixed(), nullable=False),
        sa.Column("lead_time_days", sa.Integer(), nullable=False),
        sa.Column("review_period_days", sa.Integer(), nullable=False),
        sa.Column("lead_time_demand", ordersmith.db.Fixed(2), nullable=False),
        sa.Column("review_demand", ordersmith.db.Fixed(2), nullable=False),
        sa.Column("horizon_demand", ordersmith.db.Fixed(2), nullable=False),
        sa.Column("safety_stock", sa.BigInteger(), nullable=False),
        sa.Column("reorder_point", sa.BigInteger(), nullable=False),
        sa.Column("order_up_to", sa.BigInteger(), nullable=False),
        sa.Column("available", sa.BigInteger(), nullable=False),
        sa.Column("backordered", sa.BigInteger(), nullable=False),
        sa.Column("on_order", sa.BigInteger(), nullable=False),
        sa.Column("recommended_order", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint("history_weeks >= 1", name=op.f("ck_forecast_series_history_not_empty")),
        sa.CheckConstraint(
            "safety_stock >= 0 AND reorder_point >= safety_stock "
            "AND order_up_to >= reorder_point AND recommended_order >= 0",
            name=op.f("ck_forecast_series_buffer_consistent"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_forecast_series_product_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["forecast_runs.id"],
            name=op.f("fk_forecast_series_run_id_forecast_runs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_id"],
            ["warehouses.id"],
            name=op.f("fk_forecast_series_warehouse_id_warehouses"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_series")),
        sa.UniqueConstraint("run_id", "product_id", "warehouse_id", name="uq_forecast_series_key"),
    )
    with op.batch_alter_table("forecast_series", schema=None) as batch_op:
        batch_op.create_index(
            "ix_forecast_series_latest", ["product_id", "warehouse_id", "created_at"], unique=False
        )

    op.create_table(
        "forecast_points",
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("warehouse_id", sa.Uuid(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("mean", ordersmith.db.Fixed(2), nullable=False),
        sa.Column("lo80", ordersmith.db.Fixed(2), nullable=False),
        sa.Column("hi80", ordersmith.db.Fixed(2), nullable=False),
        sa.Column("lo95", ordersmith.db.Fixed(2), nullable=False),
        sa.Column("hi95", ordersmith.db.Fixed(2), nullable=False),
        sa.CheckConstraint(
            "lo95 >= 0 AND lo95 <= lo80 AND lo80 <= mean AND mean <= hi80 AND hi80 <= hi95",
            name=op.f("ck_forecast_points_interval_ordered"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id", "product_id", "warehouse_id"],
            [
                "forecast_series.run_id",
                "forecast_series.product_id",
                "forecast_series.warehouse_id",
            ],
            name=op.f("fk_forecast_points_run_id_forecast_series"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "run_id", "product_id", "warehouse_id", "week_start", name=op.f("pk_forecast_points")
        ),
    )


def downgrade() -> None:
    op.drop_table("forecast_points")
    with op.batch_alter_table("forecast_series", schema=None) as batch_op:
        batch_op.drop_index("ix_forecast_series_latest")

    op.drop_table("forecast_series")
    with op.batch_alter_table("forecast_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_forecast_runs_started")

    op.drop_table("forecast_runs")
