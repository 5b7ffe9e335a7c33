"""Reading a problem's weighted impact from Zendesk: an outbox action, so that the reads (batched,
retried like every action) never hold up intake. It runs once the problem has its Jira issue;
again, at most once per `jira.counts_update_interval_seconds`, as tickets join or leave; and every
`impact.refresh_seconds` while the problem is being worked on (ratings and replies come later);
and, queued when a worker starts, for every active problem not scored under the current `impact:`
settings (switched on, or weighed differently, since its last read). The score it stores is what
the Jira issue, escalations, the dashboard and `bridge report` use."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from bridge.actions.problem_context import ProblemContext
from bridge.actions.results import Done
from bridge.config.settings import Settings
from bridge.domain.ports import ImpactSource
from bridge.domain.problems import CHECKED_STATES, Problem
from bridge.logs import log_event
from bridge.planning.impact_score import impact_score
from bridge.storage.audit import AuditLog
from bridge.storage.outbox import Action, Outbox

READ_IMPACT = "zendesk.read_impact"

log = logging.getLogger("bridge.actions")

# What a new score sets off (the Jira issue's update, bridge/problems/actions.py), in its transaction.
ImpactChanged = Callable[[Connection, Problem, datetime], None]


class ImpactActions:
    def __init__(self, settings: Settings, context: ProblemContext, outbox: Outbox, audit: AuditLog,
                 source: ImpactSource, on_read: ImpactChanged):
        self.settings, self.context, self.problems = settings, context, context.problems
        self.outbox, self.audit, self.source, self.on_read = outbox, audit, source, on_read

    def handlers(self) -> dict:
        return {READ_IMPACT: self.read_impact}

    def queue_read(self, connection: Connection, problem: Problem, now: datetime) -> None:
        """Read the impact again, at least the counts' interval after the last read."""
        if self.settings.impact is None:
            return
        interval = timedelta(seconds=self.settings.jira.counts_update_interval_seconds)
        last = problem.impact.read_at if problem.impact else None
        self.outbox.enqueue(connection, READ_IMPACT, now, problem.id, dedupe_key=f"impact:{problem.id}",
                            not_before=last + interval if last else None)

    def queue_unscored(self, now: datetime) -> int:
        """Queue a read for every active problem with a Jira issue whose score is missing or was
        weighed under other `impact:` settings (deduplicated like every read); how many. A failure
        is logged, not raised: the scores then come with the problems' next changes."""
        if self.settings.impact is None:
            return 0
        digest = self.settings.impact.digest()
        try:
            with self.problems.engine.begin() as connection:
                unscored = [problem for problem in self.problems.active_with_issues(connection)
                            if problem.impact is None or problem.impact.settings_digest != digest]
                for problem in unscored:
                    self.queue_read(connection, problem, now)
        except SQLAlchemyError as error:
            log_event(log, logging.WARNING, "impact.queue_unscored_failed", error_type=type(error).__name__)
            return 0
        if unscored:
            log_event(log, logging.INFO, "impact.unscored_queued", problems=len(unscored))
        return len(unscored)

    def read_impact(self, action: Action, now: datetime) -> Done:
        problem = self.context.problem(action)
        settings = self.settings.impact
        if settings is None:
            return Done("impact is not configured")
        ticket_ids = self.problems.linked_ticket_ids(problem.id)
        score = impact_score(self.source.read_impact(ticket_ids, settings.organization_field), settings, now)

        def record(connection: Connection, when: datetime) -> None:
            self.problems.record_impact(connection, problem.id, score)
            current = self.problems.lock(connection, problem.id)
            if problem.impact is None or problem.impact.score != score.score:
                self.audit.record(connection, when, "problem.impact_read", f"problem:{problem.id}",
                                  {"score": score.score, "tickets": score.tickets_read})
                self.on_read(connection, current, when)
            if current.ticket_count != len(ticket_ids):  # tickets joined or left while this read
                self.queue_read(connection, current, when)
            if current.state in CHECKED_STATES:  # a key of its own: joins are not held up until then
                self.outbox.enqueue(connection, READ_IMPACT, when, problem.id,
                                    dedupe_key=f"impact-refresh:{problem.id}",
                                    not_before=when + timedelta(seconds=settings.refresh_seconds))

        return Done(f"impact score {score.score:g} from {score.tickets_read} tickets", record)
