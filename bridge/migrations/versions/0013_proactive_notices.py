"""Proactive notices (issue 17): customers who have not written in, told of a high-impact problem,
each exactly once.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

from bridge.storage.types import BigId, UtcDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "proactive_notices",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("problem_id", BigId, sa.ForeignKey("problems.id", ondelete="CASCADE"), nullable=False),
        sa.Column("running_key", BigId, unique=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("query", sa.Text, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("excluded", sa.JSON, nullable=False),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("done_count", sa.Integer, nullable=False),
        sa.Column("failed_count", sa.Integer, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("finished_at", UtcDateTime),
    )
    op.create_index("ix_proactive_notices_problem", "proactive_notices", ["problem_id", "id"])
    op.create_table(
        "proactive_recipients",
        sa.Column("notice_id", BigId, sa.ForeignKey("proactive_notices.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("user_id", BigId, primary_key=True, autoincrement=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("name", sa.String(300)),
        sa.Column("organization_id", BigId),
        sa.Column("verify", sa.Boolean, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("job_id", sa.String(64)),
        sa.Column("sent_at", UtcDateTime),
        sa.Column("ticket_id", BigId),
        sa.Column("notified_at", UtcDateTime),
        sa.Column("last_error", sa.Text),
    )
    op.create_index("ix_proactive_recipients_state", "proactive_recipients", ["notice_id", "state"])


def downgrade() -> None:
    op.drop_table("proactive_recipients")
    op.drop_index("ix_proactive_notices_problem", "proactive_notices")
    op.drop_table("proactive_notices")
