"""payments.booked_on, and a cashless attempt the terminal never received is not_sent

A payment keeps the business day the money moved on (``business_date``); when a later
booking lands in another day (an in-doubt payment resolved after its day was closed),
that open day is ``booked_on``. And a cashless attempt the terminal never received
(``failed`` until now, exported as ``cancelled``) gets its own state, ``not_sent``.

Revision ID: 0005
Revises: 0004
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("payments") as batch_op:
        batch_op.add_column(sa.Column("booked_on", sa.Date(), nullable=True))
    op.execute("UPDATE payments SET state = 'not_sent' WHERE state = 'failed' AND method = 'cashless'")


def downgrade() -> None:
    op.execute("UPDATE payments SET state = 'failed' WHERE state = 'not_sent'")
    with op.batch_alter_table("payments") as batch_op:
        batch_op.drop_column("booked_on")
