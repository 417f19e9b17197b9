"""close of day: day_closes (the day lock and each close), day_close_counts, day_adjustments

Revision ID: 0002
Revises: 0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    yen = sa.BigInteger()
    op.create_table(
        "day_closes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("station", sa.String(length=64), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("float_amount", yen, nullable=False),
        sa.Column("received", yen, nullable=False),
        sa.Column("change", yen, nullable=False),
        sa.Column("refunds", yen, nullable=False),
        sa.Column("cash_in", yen, nullable=False),
        sa.Column("cash_out", yen, nullable=False),
        sa.Column("adjustments", yen, nullable=False),
        sa.Column("expected", yen, nullable=False),
        sa.Column("machine", yen, nullable=True),
        sa.Column("counted", yen, nullable=True),
        sa.Column("over_short", yen, nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.Column("figures", sa.Text(), nullable=True),
        sa.Column("findings", sa.Text(), nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_by", sa.String(length=64), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("journal_seq", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_day_closes")),
        sa.UniqueConstraint("site", "station", "business_date", name="uq_day_closes_site_station_date"),
    )
    with op.batch_alter_table("day_closes", schema=None) as batch_op:
        batch_op.create_index("ix_day_closes_date", ["business_date"], unique=False)
    op.create_table(
        "day_close_counts",
        sa.Column("close_id", sa.Integer(), nullable=False),
        sa.Column("denomination", sa.Integer(), nullable=False),
        sa.Column("counted", sa.Integer(), nullable=False),
        sa.Column("machine", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["close_id"], ["day_closes.id"],
                                name=op.f("fk_day_close_counts_close_id_day_closes")),
        sa.PrimaryKeyConstraint("close_id", "denomination", name=op.f("pk_day_close_counts")),
    )
    op.create_table(
        "day_adjustments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("station", sa.String(length=64), nullable=True),
        sa.Column("corrects_date", sa.Date(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=True),
        sa.Column("category", sa.String(length=10), nullable=False),
        sa.Column("revenue_line", sa.String(length=32), nullable=True),
        sa.Column("amount", yen, nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by", sa.String(length=64), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("journal_seq", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_day_adjustments")),
    )
    with op.batch_alter_table("day_adjustments", schema=None) as batch_op:
        batch_op.create_index("ix_day_adjustments_site_state", ["site", "state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("day_adjustments", schema=None) as batch_op:
        batch_op.drop_index("ix_day_adjustments_site_state")
    op.drop_table("day_adjustments")
    op.drop_table("day_close_counts")
    with op.batch_alter_table("day_closes", schema=None) as batch_op:
        batch_op.drop_index("ix_day_closes_date")
    op.drop_table("day_closes")
