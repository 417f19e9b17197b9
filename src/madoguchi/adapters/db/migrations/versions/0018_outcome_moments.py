"""outcome moments: when a sale's registration started and when it was handed off; when a
receipt was first printed (the city's outcomes: time to pay, time at the counter)

Nullable: sales and receipts made before this revision have no such moments.

Revision ID: 0018
Revises: 0017
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sales", schema=None) as batch_op:
        batch_op.add_column(sa.Column("registration_started_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("handed_off_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("receipts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("printed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("receipts", schema=None) as batch_op:
        batch_op.drop_column("printed_at")
    with op.batch_alter_table("sales", schema=None) as batch_op:
        batch_op.drop_column("handed_off_at")
        batch_op.drop_column("registration_started_at")
