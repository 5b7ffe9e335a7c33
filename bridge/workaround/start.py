"""Recording a workaround, and what joining tickets and a shipped fix queue for it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Connection

from bridge.domain.lifecycle import Cause, transition
from bridge.domain.problems import CLOSED, DETECTING, FIXED, WORKED_AROUND, Problem
from bridge.planning.workaround import ends_problem
from bridge.rules import RuleSet
from bridge.storage.audit import AuditLog
from bridge.storage.outbox import Outbox
from bridge.storage.problems import ProblemStore
from bridge.storage.workarounds import ENDED, FIX, Workaround, WorkaroundStore
from bridge.workaround.actions import ANSWER_TICKETS, WRITE_ARTICLE

CLI, JIRA_COMMENT, JIRA_FIELD = "cli", "jira_comment", "jira_field"  # where a workaround came from


class NoWorkaround(ValueError):
    """The problem cannot take a workaround (said why)."""


class Workarounds:
    def __init__(self, rules: Callable[[], RuleSet], problems: ProblemStore, store: WorkaroundStore,
                 outbox: Outbox, audit: AuditLog, writes_articles: bool):
        self.rules, self.problems, self.store, self.outbox, self.audit = rules, problems, store, outbox, audit
        self.writes_articles = writes_articles  # Help Center is configured

    def record(self, connection: Connection, problem_id: int, text: str | None, article_url: str | None,
               source: str, now: datetime) -> Workaround:
        """The problem's workaround, in the caller's transaction: the impact bar applied, the
        article (or, without Help Center, the answers) queued. Raises NoWorkaround."""
        if not (text and text.strip()) and not (article_url and article_url.strip()):
            raise NoWorkaround("give the workaround's text or its article's URL")
        if self.problems.get(problem_id) is None:
            raise NoWorkaround(f"no problem {problem_id}")
        problem = self.problems.lock(connection, problem_id)
        if problem.state == DETECTING:
            raise NoWorkaround("it is still detecting: it has no linked tickets to tell")
        if problem.state in (FIXED, CLOSED):
            raise NoWorkaround(f"it is {problem.state}: its tickets were told of the fix")
        rule = self.rules().by_name(problem.rule)
        ends = rule is not None and ends_problem(rule.spec.zendesk.on_workaround, problem)
        if ends:
            problem = self.problems.change_state(connection, problem.id, transition(
                problem.state, Cause.WORKED_AROUND, now, details={"requesters": problem.requester_count}), now)
        outcome = ENDED if problem.state == WORKED_AROUND else FIX
        workaround = self.store.record(connection, problem.id, text, article_url, source, outcome, now)
        self.audit.record(connection, now, "problem.workaround_added", f"problem:{problem.id}", {
            "source": source, "outcome": outcome, "article_url": article_url})
        if self.writes_articles and not article_url and workaround.text:
            self.outbox.enqueue(connection, WRITE_ARTICLE, now, problem.id, dedupe_key=f"article:{problem.id}")
        else:
            self.answer_tickets(connection, problem.id, now)
        return workaround

    def answer_tickets(self, connection: Connection, problem_id: int, now: datetime) -> None:
        self.outbox.enqueue(connection, ANSWER_TICKETS, now, problem_id, dedupe_key=f"workaround:{problem_id}")

    def tickets_changed(self, connection: Connection, problem: Problem, now: datetime) -> None:
        """Tickets joined a problem: with a workaround, they get it at once."""
        if problem.state not in (FIXED, CLOSED) and self.store.current(connection, problem.id) is not None:
            self.answer_tickets(connection, problem.id, now)

    def fix_shipped(self, connection: Connection, problem: Problem, now: datetime) -> None:
        """The article says the fix shipped."""
        workaround = self.store.current(connection, problem.id)
        if workaround is not None and workaround.article_id is not None:
            self.outbox.enqueue(connection, WRITE_ARTICLE, now, problem.id, dedupe_key=f"article:{problem.id}")
