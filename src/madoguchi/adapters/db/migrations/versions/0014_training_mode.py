"""training mode: which stations train now, and the record of every switch

Training sales themselves are never in this database (they live in the training store);
these two tables only say which staff and payment stations are in training.

Revision ID: 0014
Revises: 0011
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "training_stations",
        sa.Column("station_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("switched_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("station_id", name=op.f("pk_training_stations")),
    )
    op.create_table(
        "training_switches",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("station_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("training", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_switches")),
    )


def downgrade() -> None:
    op.drop_table("training_switches")
    op.drop_table("training_stations")
