"""Closures: notifying every linked ticket when a problem's fix ships, resumable and exactly once.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from bridge.storage.types import BigId, UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "closures",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("problem_id", BigId, sa.ForeignKey("problems.id", ondelete="CASCADE"), nullable=False),
        sa.Column("running_key", BigId, unique=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("fix_version", sa.String(200)),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("done_count", sa.Integer, nullable=False),
        sa.Column("failed_count", sa.Integer, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("finished_at", UtcDateTime),
    )
    op.create_index("ix_closures_problem", "closures", ["problem_id", "id"])
    op.create_table(
        "closure_tickets",
        sa.Column("closure_id", BigId, sa.ForeignKey("closures.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("ticket_id", BigId, primary_key=True, autoincrement=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("requester_id", BigId),
        sa.Column("requester_name", sa.String(300)),
        sa.Column("closed", sa.Boolean, nullable=False),
        sa.Column("verify", sa.Boolean, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("job_id", sa.String(64)),
        sa.Column("sent_at", UtcDateTime),
        sa.Column("followup_ticket_id", BigId),
        sa.Column("notified_at", UtcDateTime),
        sa.Column("last_error", sa.Text),
    )
    op.create_index("ix_closure_tickets_state", "closure_tickets", ["closure_id", "state"])


def downgrade() -> None:
    op.drop_table("closure_tickets")
    op.drop_table("closures")
