"""index sale_lines by sale: every read of a sale joins its lines

Without it, SQLite and PostgreSQL scanned the whole sale_lines table on each read of
a sale (about four per sale at the counter), a cost that grew with every line ever sold.

Revision ID: 0004
Revises: 0003
"""
from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_sale_lines_sale_position", "sale_lines", ["sale_id", "position"])


def downgrade() -> None:
    op.drop_index("ix_sale_lines_sale_position", table_name="sale_lines")
