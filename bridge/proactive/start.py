"""Starting a proactive notice: the preview (`--dry-run`: who would be told, who is left out and
why, what they would read) and the start itself, which records every recipient, queues the
notice's outbox action and puts it on the problem's timeline in one transaction."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bridge.config.proactive_settings import proactive_template
from bridge.config.settings import Settings
from bridge.domain.audience import BadQuery, audience_query
from bridge.domain.ports import AudienceSource, RemoteError
from bridge.domain.problems import IN_PROGRESS, OPEN, REGRESSED, Problem
from bridge.logs import log_event
from bridge.planning.facts import ProblemFacts
from bridge.planning.proactive import ALREADY_NOTIFIED, Audience, ProactiveMessage, choose_audience
from bridge.rules import RuleSet
from bridge.rules.templates import RuleTemplate
from bridge.storage.audit import AuditLog
from bridge.storage.outbox import Outbox
from bridge.storage.proactive import NewRecipient, ProactiveStore
from bridge.storage.problems import ProblemStore

log = logging.getLogger("bridge.proactive")

RUN_NOTICE = "zendesk.proactive_notice"
# A problem still being worked on: not detecting (nothing confirmed yet), nor fixed, worked
# around, closed or won't fix (the customers have nothing left to be warned of).
NOTIFIABLE_STATES = (OPEN, IN_PROGRESS, REGRESSED)
REFUSED_QUERY = (400, 422)  # Zendesk's answers to a search it cannot run


class NotNotifiable(Exception):
    """The notice cannot go out (said why): unknown problem, its state, the query, a template."""


@dataclass(frozen=True)
class Preview:
    problem: Problem
    query: str
    audience: Audience
    subject: str  # the template sources ("": the default)
    message: str
    sample: ProactiveMessage  # what the recipients would read (notice id 0)


def templates_of(store: ProactiveStore, notice_id: int) -> tuple[RuleTemplate | None, RuleTemplate | None]:
    subject, message = store.texts(notice_id)
    return (proactive_template(subject) if subject else None, proactive_template(message) if message else None)


def _template(source: str | None, default: RuleTemplate | None, what: str) -> str:
    if source is None:
        return default.source if default else ""
    try:
        return proactive_template(source).source
    except ValueError as exc:
        raise NotNotifiable(f"the {what} is not a valid template: {exc}") from None


class ProactiveNotices:
    def __init__(self, settings: Settings, rules: Callable[[], RuleSet], problems: ProblemStore,
                 store: ProactiveStore, outbox: Outbox, audit: AuditLog, audience: AudienceSource):
        self.settings, self.rules, self.problems, self.store = settings, rules, problems, store
        self.outbox, self.audit, self.audience = outbox, audit, audience

    def preview(self, problem_id: int, query: str | None = None, subject: str | None = None,
                message: str | None = None) -> Preview:
        """Who the notice would reach; NotNotifiable when it cannot go out. The search runs now."""
        problem = self._notifiable(problem_id)
        team = self.settings.teams.get(problem.team)
        query = query if query is not None else (team.proactive_query if team else None)
        if query is None:
            raise NotNotifiable(f"no audience: give --query, or set teams.{problem.team}.proactive_query")
        try:
            query = audience_query(query)
        except BadQuery as exc:
            raise NotNotifiable(str(exc)) from None
        settings = self.settings.proactive
        subject = _template(subject, settings.subject, "subject")
        message = _template(message, settings.message, "message")
        try:
            found = self.audience.find_customers(query)
        except RemoteError as exc:
            if exc.status in REFUSED_QUERY:
                raise NotNotifiable(f"Zendesk refused the query: {exc}") from None
            raise
        audience = choose_audience(found, settings.opt_out_tag, self.store.linked_requesters(problem.id),
                                   self.store.notified_users(problem.id))
        first, last = self.problems.ticket_times(problem.id)
        sample = ProactiveMessage(0, proactive_template(subject) if subject else None,
                                  proactive_template(message) if message else None,
                                  self.rules().by_name(problem.rule), ProblemFacts(problem, first, last),
                                  settings.status)
        return Preview(problem, query, audience, subject, message, sample)

    def start(self, preview: Preview, now: datetime) -> int:
        """Record the notice and queue its sending, in one transaction; the notice's id."""
        if not preview.audience.recipients:
            raise NotNotifiable("nobody to notify: every customer the query found is left out (see --dry-run)")
        problem_id = preview.problem.id
        with self.problems.engine.begin() as connection:
            problem = self.problems.lock(connection, problem_id)
            if problem.state not in NOTIFIABLE_STATES:
                raise NotNotifiable(f"it is {problem.state} now")
            running = self.store.running_for(connection, problem_id)
            if running is not None:
                raise NotNotifiable(f"proactive notice {running} is still being sent (`bridge problems show "
                                    f"{problem_id}`); run this again once it finished")
            # A notice that finished since the preview told some of them already.
            told = self.store.notified_users(problem_id)
            recipients = [NewRecipient(c.id, c.name, c.organization_id)
                          for c in preview.audience.recipients if c.id not in told]
            excluded = preview.audience.excluded_counts
            if len(recipients) < len(preview.audience.recipients):
                excluded[ALREADY_NOTIFIED] = (excluded.get(ALREADY_NOTIFIED, 0)
                                              + len(preview.audience.recipients) - len(recipients))
            if not recipients:
                raise NotNotifiable("nobody to notify: an earlier notice told them all")
            notice_id = self.store.create(connection, problem_id, preview.query, preview.subject, preview.message,
                                          excluded, recipients, now)
            assert notice_id is not None, "no notice runs for the locked problem"
            self.outbox.enqueue(connection, RUN_NOTICE, now, problem_id, {"notice_id": notice_id},
                                dedupe_key=f"proactive:{notice_id}")
            self.audit.record(connection, now, "proactive.started", f"problem:{problem_id}", {
                "notice_id": notice_id, "query": preview.query, "recipients": len(recipients), "excluded": excluded})
        log_event(log, logging.INFO, "proactive.started", problem_id=problem_id, notice_id=notice_id,
                  recipients=len(recipients), excluded=sum(excluded.values()))
        return notice_id

    def _notifiable(self, problem_id: int) -> Problem:
        problem = self.problems.get(problem_id)
        if problem is None:
            raise NotNotifiable(f"there is no problem {problem_id}")
        if problem.state not in NOTIFIABLE_STATES:
            raise NotNotifiable(f"it is {problem.state}: a proactive notice warns of a problem still being "
                                f"worked on ({', '.join(NOTIFIABLE_STATES)})")
        return problem
