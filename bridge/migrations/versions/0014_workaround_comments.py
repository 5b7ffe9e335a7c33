"""Jira comments that carried a workaround, remembered so that each is applied once, whether its
webhook or the Jira poll brought it (issue 17).

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

from bridge.storage.types import BigId, UtcDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workaround_comments",
        sa.Column("comment_id", sa.String(32), primary_key=True),
        sa.Column("version", sa.String(40), primary_key=True),
        sa.Column("problem_id", BigId, sa.ForeignKey("problems.id", ondelete="CASCADE"), nullable=False),
        sa.Column("applied_at", UtcDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("workaround_comments")
