"""Outbox actions; problems get their Jira issue, priority, due date, escalation and counts.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from bridge.storage.types import BigId, UtcDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("problems") as batch:
        batch.add_column(sa.Column("origin", sa.String(16), nullable=False, server_default="rule"))
        batch.add_column(sa.Column("jira_key", sa.String(64)))
        batch.add_column(sa.Column("jira_id", sa.String(32)))
        batch.add_column(sa.Column("priority", sa.String(32)))
        batch.add_column(sa.Column("due_date", sa.Date))
        batch.add_column(sa.Column("escalation_applied", sa.JSON))
        batch.add_column(sa.Column("counts_written", sa.String(64)))
        batch.add_column(sa.Column("counts_written_at", UtcDateTime))
    with op.batch_alter_table("problem_tickets") as batch:
        batch.add_column(sa.Column("linked_at", UtcDateTime))
        batch.add_column(sa.Column("unlinked_at", UtcDateTime))
    op.create_table(
        "outbox_actions",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("problem_id", BigId, sa.ForeignKey("problems.id", ondelete="CASCADE")),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("dedupe_key", sa.String(200), unique=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("available_at", UtcDateTime, nullable=False),
        sa.Column("lease_owner", sa.String(64)),
        sa.Column("lease_until", UtcDateTime),
        sa.Column("last_error", sa.Text),
        sa.Column("outcome", sa.String(200)),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("processed_at", UtcDateTime),
    )
    op.create_index("ix_outbox_claimable", "outbox_actions", ["status", "available_at", "id"])
    op.create_index("ix_outbox_problem", "outbox_actions", ["problem_id"])


def downgrade() -> None:
    op.drop_table("outbox_actions")
    with op.batch_alter_table("problem_tickets") as batch:
        batch.drop_column("unlinked_at")
        batch.drop_column("linked_at")
    with op.batch_alter_table("problems") as batch:
        for column in ("counts_written_at", "counts_written", "escalation_applied", "due_date",
                       "priority", "jira_id", "jira_key", "origin"):
            batch.drop_column(column)
