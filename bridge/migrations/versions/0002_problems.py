"""Problems, the occurrences counted towards them, and their tickets.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from bridge.storage.types import BigId, UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "problems",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("rule", sa.String(120), nullable=False),
        sa.Column("group_key", sa.String(400), nullable=False),
        sa.Column("team", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("active_key", sa.String(600), unique=True),
        sa.Column("detected_at", UtcDateTime, nullable=False),
        sa.Column("opened_at", UtcDateTime),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.Column("ticket_count", sa.Integer, nullable=False),
        sa.Column("requester_count", sa.Integer, nullable=False),
        sa.Column("organization_count", sa.Integer, nullable=False),
    )
    op.create_index("ix_problems_rule_state", "problems", ["rule", "state"])
    op.create_table(
        "occurrences",
        sa.Column("problem_id", BigId, sa.ForeignKey("problems.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("ticket_id", BigId, primary_key=True, autoincrement=False),
        sa.Column("counted_key", sa.String(64), nullable=False),
        sa.Column("requester_id", BigId),
        sa.Column("organization_id", BigId),
        sa.Column("event_time", UtcDateTime, nullable=False),
    )
    op.create_index("ix_occurrences_ticket", "occurrences", ["ticket_id"])
    op.create_table(
        "problem_tickets",
        sa.Column("problem_id", BigId, sa.ForeignKey("problems.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("ticket_id", BigId, primary_key=True, autoincrement=False),
        sa.Column("requester_id", BigId),
        sa.Column("organization_id", BigId),
        sa.Column("joined_at", UtcDateTime, nullable=False),
        sa.Column("left_at", UtcDateTime),
    )
    op.create_index("ix_problem_tickets_ticket", "problem_tickets", ["ticket_id"])


def downgrade() -> None:
    for table in ("problem_tickets", "occurrences", "problems"):
        op.drop_table(table)
