"""Inbox, ticket and issue snapshots, cursors, audit log.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from bridge.storage.types import BigId, UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox_events",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("delivery_key", sa.String(200), nullable=False),
        sa.Column("event_type", sa.String(120)),
        sa.Column("received_at", UtcDateTime, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("available_at", UtcDateTime, nullable=False),
        sa.Column("lease_owner", sa.String(64)),
        sa.Column("lease_until", UtcDateTime),
        sa.Column("last_error", sa.Text),
        sa.Column("outcome", sa.String(200)),
        sa.Column("processed_at", UtcDateTime),
        sa.UniqueConstraint("source", "delivery_key", name="uq_inbox_delivery"),
    )
    op.create_index("ix_inbox_claimable", "inbox_events", ["status", "available_at", "id"])
    op.create_table(
        "tickets",
        sa.Column("id", BigId, primary_key=True, autoincrement=False),
        sa.Column("snapshot", sa.JSON, nullable=False),
        sa.Column("ticket_updated_at", UtcDateTime),
        sa.Column("event_count", sa.Integer, nullable=False),
        sa.Column("seen_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "issues",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("snapshot", sa.JSON, nullable=False),
        sa.Column("issue_updated_at", UtcDateTime),
        sa.Column("seen_at", UtcDateTime, nullable=False),
    )
    op.create_index("ix_issues_key", "issues", ["key"])
    op.create_table(
        "cursors",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(120), nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
    )
    op.create_index("ix_audit_subject", "audit_log", ["subject", "at"])


def downgrade() -> None:
    for table in ("audit_log", "cursors", "issues", "tickets", "inbox_events"):
        op.drop_table(table)
