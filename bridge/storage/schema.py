"""The database tables (SQLAlchemy Core). Migrations in bridge/migrations mirror these."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from bridge.storage.types import BigId, UtcDateTime

metadata = MetaData()

# Every webhook delivery, stored before it is acknowledged; the worker drains it in id order.
inbox_events = Table(
    "inbox_events",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("source", String(16), nullable=False),  # zendesk | jira
    Column("delivery_key", String(200), nullable=False),
    Column("event_type", String(120)),
    Column("received_at", UtcDateTime, nullable=False),
    Column("body", Text, nullable=False),
    Column("status", String(16), nullable=False),  # pending|processing|done|ignored|failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("available_at", UtcDateTime, nullable=False),
    Column("lease_owner", String(64)),
    Column("lease_until", UtcDateTime),
    Column("last_error", Text),
    Column("outcome", String(200)),
    Column("processed_at", UtcDateTime),
    # sha256 (hex) of what the vendor's signature covers: a replay under a fresh, unsigned
    # delivery id is still a duplicate. NULL for deliveries the bridge made itself (polls).
    Column("signed_digest", String(64)),
    # What the event is about ("ticket:123"): events with the same subject are processed one at
    # a time, in arrival order, however many workers claim. NULL: no such order is needed.
    Column("subject_key", String(64)),
    UniqueConstraint("source", "delivery_key", name="uq_inbox_delivery"),
)
Index("ix_inbox_claimable", inbox_events.c.status, inbox_events.c.available_at, inbox_events.c.id)
# Only unfinished rows: what a claim asks is whether a subject has an earlier one.
_UNFINISHED = inbox_events.c.status.in_(["pending", "processing"])
Index("ix_inbox_subject_unfinished", inbox_events.c.subject_key, inbox_events.c.id,
      postgresql_where=_UNFINISHED, sqlite_where=_UNFINISHED)
Index("uq_inbox_signed", inbox_events.c.source, inbox_events.c.signed_digest, unique=True)

# Latest known snapshot of every ticket the bridge has seen.
tickets = Table(
    "tickets",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=False),
    Column("snapshot", JSON, nullable=False),
    Column("ticket_updated_at", UtcDateTime),
    Column("event_count", Integer, nullable=False),  # events applied to this ticket
    # Sub-second time of the newest applied event: orders changes within one updated_at second.
    Column("last_event_at", UtcDateTime),
    Column("seen_at", UtcDateTime, nullable=False),
)

# Latest known state of every Jira issue the bridge has heard about.
issues = Table(
    "issues",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("key", String(64), nullable=False),
    Column("snapshot", JSON, nullable=False),
    Column("issue_updated_at", UtcDateTime),
    Column("seen_at", UtcDateTime, nullable=False),
)
Index("ix_issues_key", issues.c.key)

# Named positions for pollers (Jira search, Zendesk incremental export).
cursors = Table(
    "cursors",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# Tickets read from Zendesk's incremental export by `bridge backfill`, waiting to be evaluated in
# the order they happened (the export lists them by last change); evaluated_at once detection saw
# this state of the ticket.
backfill_tickets = Table(
    "backfill_tickets",
    metadata,
    Column("ticket_id", BigId, primary_key=True, autoincrement=False),
    Column("occurred_at", UtcDateTime, nullable=False),  # when the customer reported it
    Column("snapshot", JSON, nullable=False),
    Column("submitter_id", BigId),  # who created the ticket, where the export says
    Column("staged_at", UtcDateTime, nullable=False),
    Column("evaluated_at", UtcDateTime),
)
Index("ix_backfill_tickets_order", backfill_tickets.c.occurred_at, backfill_tickets.c.ticket_id)

# What the bridge did and why, for people.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime, nullable=False),
    Column("action", String(64), nullable=False),
    Column("subject", String(120), nullable=False),
    Column("details", JSON, nullable=False),
)
Index("ix_audit_subject", audit_log.c.subject, audit_log.c.at)

# A problem per (rule, group key): `detecting` while its tickets are counted, `open` once they
# cross the rule's threshold, then on through the lifecycle (bridge/domain/problems.py).
problems = Table(
    "problems",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("rule", String(120), nullable=False),
    Column("group_key", String(400), nullable=False),
    Column("team", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    # "rule + group key" while the problem is active, NULL afterwards: this unique column is how
    # the database itself guarantees one active problem per (rule, group key).
    Column("active_key", String(600), unique=True),
    Column("detected_at", UtcDateTime, nullable=False),
    Column("opened_at", UtcDateTime),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("ticket_count", Integer, nullable=False),
    Column("requester_count", Integer, nullable=False),
    Column("organization_count", Integer, nullable=False),
    Column("origin", String(16), nullable=False, server_default="rule"),  # rule | agent_link | agent_escalation
    Column("jira_key", String(64)),
    Column("jira_id", String(32)),
    Column("priority", String(32)),
    Column("due_date", Date),
    Column("escalation_applied", JSON),  # positions of the rule's escalation steps already applied
    # What the Jira issue shows of the counts, and when it was last written (debounce).
    Column("counts_written", String(64)),
    Column("counts_written_at", UtcDateTime),
    Column("fixed_at", UtcDateTime),  # when the fix shipped (starts the regression window)
    Column("fix_version", String(120)),
    Column("closed_at", UtcDateTime),
    # Against the due date (bridge/overdue/accountability.py): on_time | at_risk | overdue, for the due
    # date in `accountability_due`; a moved due date starts over at on_time.
    Column("accountability", String(16), nullable=False, server_default="on_time"),
    Column("accountability_due", Date),
    Column("at_risk_at", UtcDateTime),
    Column("overdue_at", UtcDateTime),
    Column("impact", JSON),  # the weighted impact score and its parts, as last read (ImpactScore)
)
Index("ix_problems_rule_state", problems.c.rule, problems.c.state)

# Tickets counted towards a problem's threshold (the rule's window), by event time.
occurrences = Table(
    "occurrences",
    metadata,
    Column("problem_id", BigId, ForeignKey("problems.id", ondelete="CASCADE"), primary_key=True),
    Column("ticket_id", BigId, primary_key=True, autoincrement=False),
    Column("counted_key", String(64), nullable=False),
    Column("requester_id", BigId),
    Column("organization_id", BigId),
    Column("event_time", UtcDateTime, nullable=False),
)
Index("ix_occurrences_ticket", occurrences.c.ticket_id)

# Tickets that belong to an open problem; `left_at` is set when a ticket stops matching.
problem_tickets = Table(
    "problem_tickets",
    metadata,
    Column("problem_id", BigId, ForeignKey("problems.id", ondelete="CASCADE"), primary_key=True),
    Column("ticket_id", BigId, primary_key=True, autoincrement=False),
    Column("requester_id", BigId),
    Column("organization_id", BigId),
    Column("joined_at", UtcDateTime, nullable=False),
    Column("left_at", UtcDateTime),
    Column("linked_at", UtcDateTime),  # when Zendesk was told (tag, Jira key, internal note)
    Column("unlinked_at", UtcDateTime),  # when Zendesk was told the ticket left
)
Index("ix_problem_tickets_ticket", problem_tickets.c.ticket_id)

# Actions on Zendesk and Jira decided in a transaction and carried out after it, retried until done.
outbox_actions = Table(
    "outbox_actions",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("kind", String(64), nullable=False),
    Column("problem_id", BigId, ForeignKey("problems.id", ondelete="CASCADE")),
    Column("payload", JSON, nullable=False),
    # One live action per key (e.g. "counts:12"): requests coalesce into it while it is pending
    # or running; the key is released when it is done or parked.
    Column("dedupe_key", String(200), unique=True),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("available_at", UtcDateTime, nullable=False),
    Column("lease_owner", String(64)),
    Column("lease_until", UtcDateTime),
    Column("last_error", Text),
    Column("outcome", String(200)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("processed_at", UtcDateTime),
)
Index("ix_outbox_claimable", outbox_actions.c.status, outbox_actions.c.available_at, outbox_actions.c.id)
Index("ix_outbox_problem", outbox_actions.c.problem_id)

# A "fix shipped" notification run (bulk job) for a problem: one per fix; `running_key` is the
# problem id while it runs and NULL afterwards, so the database allows one running closure per problem.
closures = Table(
    "closures",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("problem_id", BigId, ForeignKey("problems.id", ondelete="CASCADE"), nullable=False),
    Column("running_key", BigId, unique=True),
    Column("state", String(16), nullable=False),  # running | done | failed
    Column("fix_version", String(200)),
    Column("total", Integer, nullable=False),
    Column("done_count", Integer, nullable=False),  # tickets notified
    Column("failed_count", Integer, nullable=False),  # tickets given up on, with their reasons
    Column("created_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime),
)
Index("ix_closures_problem", closures.c.problem_id, closures.c.id)

# One linked ticket of a closure: pending → sent (job id, or NULL while the outcome of the request
# is unknown) → notified | failed (reason). `closed` tickets are reached through a follow-up ticket;
# `verify` means "read the ticket in Zendesk before sending again" (an earlier send may have landed).
closure_tickets = Table(
    "closure_tickets",
    metadata,
    Column("closure_id", BigId, ForeignKey("closures.id", ondelete="CASCADE"), primary_key=True),
    Column("ticket_id", BigId, primary_key=True, autoincrement=False),
    Column("state", String(16), nullable=False),
    Column("requester_id", BigId),
    Column("requester_name", String(300)),
    Column("closed", Boolean, nullable=False),
    Column("verify", Boolean, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("job_id", String(64)),
    Column("sent_at", UtcDateTime),
    Column("followup_ticket_id", BigId),
    Column("notified_at", UtcDateTime),
    Column("last_error", Text),
)
Index("ix_closure_tickets_state", closure_tickets.c.closure_id, closure_tickets.c.state)

# A proactive notice (issue 17): customers who have not written in, found by a Zendesk user or
# organization search, told of a high-impact problem by a new ticket each. `running_key` is the
# problem id while it runs and NULL afterwards (one running notice per problem); `excluded` counts
# the customers the search found and the notice left out, by reason.
proactive_notices = Table(
    "proactive_notices",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("problem_id", BigId, ForeignKey("problems.id", ondelete="CASCADE"), nullable=False),
    Column("running_key", BigId, unique=True),
    Column("state", String(16), nullable=False),  # running | done | failed
    Column("query", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("message", Text, nullable=False),  # the sandboxed template the tickets' text comes from
    Column("excluded", JSON, nullable=False),  # {reason: count}
    Column("total", Integer, nullable=False),
    Column("done_count", Integer, nullable=False),  # customers notified
    Column("failed_count", Integer, nullable=False),  # customers given up on, with their reasons
    Column("created_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime),
)
Index("ix_proactive_notices_problem", proactive_notices.c.problem_id, proactive_notices.c.id)

# One customer of a proactive notice: pending → sent (job id, or NULL while the outcome of the
# request is unknown) → notified (the ticket created for them) | failed, as closure_tickets.
proactive_recipients = Table(
    "proactive_recipients",
    metadata,
    Column("notice_id", BigId, ForeignKey("proactive_notices.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", BigId, primary_key=True, autoincrement=False),
    Column("state", String(16), nullable=False),
    Column("name", String(300)),
    Column("organization_id", BigId),
    Column("verify", Boolean, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("job_id", String(64)),
    Column("sent_at", UtcDateTime),
    Column("ticket_id", BigId),  # the proactive ticket created for the customer
    Column("notified_at", UtcDateTime),
    Column("last_error", Text),
)
Index("ix_proactive_recipients_state", proactive_recipients.c.notice_id, proactive_recipients.c.state)

# A problem's workaround (at most one; a newer one replaces the text): where it came from, the
# Help Center article written for it (or the URL an admin gave), and what the rule's impact bar
# decided (`ended`: the problem ends with the article; `fix`: it stays on course for a fix).
problem_workarounds = Table(
    "problem_workarounds",
    metadata,
    Column("problem_id", BigId, ForeignKey("problems.id", ondelete="CASCADE"), primary_key=True),
    Column("text", Text),
    Column("article_url", String(2000)),
    Column("article_id", BigId),  # the Help Center article the bridge wrote, if it did
    Column("source", String(32), nullable=False),  # cli | jira_comment | jira_field
    Column("outcome", String(16), nullable=False),  # ended | fix
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("article_written_at", UtcDateTime),
    Column("article_fix_version", String(200)),  # set when the article says the fix shipped
)

# Jira comments that carried a workaround (jira.workaround_marker), each applied once, whether its
# webhook or the poll brought it; `version` is when it was last edited, as Jira says (an edit is new).
workaround_comments = Table(
    "workaround_comments",
    metadata,
    Column("comment_id", String(32), primary_key=True),
    Column("version", String(40), primary_key=True),
    Column("problem_id", BigId, ForeignKey("problems.id", ondelete="CASCADE"), nullable=False),
    Column("applied_at", UtcDateTime, nullable=False),
)

# Every linked ticket told of its problem's workaround, once.
workaround_answers = Table(
    "workaround_answers",
    metadata,
    Column("problem_id", BigId, ForeignKey("problems.id", ondelete="CASCADE"), primary_key=True),
    Column("ticket_id", BigId, primary_key=True, autoincrement=False),
    Column("public", Boolean, nullable=False),  # a public reply to the customer, or an internal note
    Column("answered_at", UtcDateTime, nullable=False),
)

# Discovery (bridge/discovery): the tickets no rule matched, grouped by their words, while they are
# in the window. A group outlives its tickets only once an admin decided on it.
discovery_groups = Table(
    "discovery_groups",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("status", String(16), nullable=False),  # watching | dismissed | accepted
    Column("decided_size", Integer),  # its size when dismissed: suggested again only past it
    Column("decided_at", UtcDateTime),
    Column("rule", String(120)),  # the rule accepted from it
)

discovery_tickets = Table(
    "discovery_tickets",
    metadata,
    Column("ticket_id", BigId, primary_key=True, autoincrement=False),
    Column("group_id", BigId, ForeignKey("discovery_groups.id", ondelete="CASCADE"), nullable=False),
    Column("arrived_at", UtcDateTime, nullable=False),  # when the customer reported it
    Column("requester_id", BigId),
    Column("organization_id", BigId),
    Column("terms", JSON, nullable=False),  # stem -> count, the customer's own words (discovery/terms.py)
)
Index("ix_discovery_tickets_group", discovery_tickets.c.group_id)
Index("ix_discovery_tickets_arrived", discovery_tickets.c.arrived_at)
# Discovery reads the tickets changed since its last run.
Index("ix_tickets_seen", tickets.c.seen_at, tickets.c.id)
