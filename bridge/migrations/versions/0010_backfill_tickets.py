"""`bridge backfill`: tickets read from Zendesk's incremental export, staged until detection has
evaluated them in the order they happened (the export's cursor is a row of `cursors`).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

from bridge.storage.types import BigId, UtcDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "backfill_tickets",
        sa.Column("ticket_id", BigId, primary_key=True, autoincrement=False),
        sa.Column("occurred_at", UtcDateTime, nullable=False),
        sa.Column("snapshot", sa.JSON, nullable=False),
        sa.Column("submitter_id", BigId),
        sa.Column("staged_at", UtcDateTime, nullable=False),
        sa.Column("evaluated_at", UtcDateTime),
    )
    op.create_index("ix_backfill_tickets_order", "backfill_tickets", ["occurred_at", "ticket_id"])


def downgrade() -> None:
    op.drop_index("ix_backfill_tickets_order", table_name="backfill_tickets")
    op.drop_table("backfill_tickets")
