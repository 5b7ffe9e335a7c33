"""Discovery (issue 18): unmatched tickets grouped by their words, and the groups admins decided on.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

from bridge.storage.types import BigId, UtcDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "discovery_groups",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decided_size", sa.Integer),
        sa.Column("decided_at", UtcDateTime),
        sa.Column("rule", sa.String(120)),
    )
    op.create_table(
        "discovery_tickets",
        sa.Column("ticket_id", BigId, primary_key=True, autoincrement=False),
        sa.Column("group_id", BigId, sa.ForeignKey("discovery_groups.id", ondelete="CASCADE"), nullable=False),
        sa.Column("arrived_at", UtcDateTime, nullable=False),
        sa.Column("requester_id", BigId),
        sa.Column("organization_id", BigId),
        sa.Column("terms", sa.JSON, nullable=False),
    )
    op.create_index("ix_discovery_tickets_group", "discovery_tickets", ["group_id"])
    op.create_index("ix_discovery_tickets_arrived", "discovery_tickets", ["arrived_at"])
    op.create_index("ix_tickets_seen", "tickets", ["seen_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_tickets_seen", table_name="tickets")
    op.drop_table("discovery_tickets")
    op.drop_table("discovery_groups")
