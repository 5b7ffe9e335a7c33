"""What the API and `bridge problems` show of a problem: states, counts, ids and links. Never a
ticket's subject or a customer's words: those stay in Zendesk, one link away."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, Protocol

from bridge.config.settings import Settings
from bridge.domain.problems import DETECTING, Problem
from bridge.planning.impact_score import impact_summary
from bridge.planning.links import jira_issue_url, zendesk_ticket_url
from bridge.problems.overview import DetectingProgress, detecting_progress
from bridge.rules import RuleSet
from bridge.storage.audit import AuditLog
from bridge.storage.closures import ClosureStore
from bridge.storage.leased_queue import FAILED, PENDING, PROCESSING
from bridge.storage.outbox import Outbox
from bridge.storage.proactive import ProactiveStore
from bridge.storage.problems import ProblemStore
from bridge.storage.workarounds import WorkaroundStore


class CurrentRules(Protocol):
    def current(self) -> RuleSet: ...


class ProblemSources(Protocol):
    """Where a problem's detail is read from (the runtime has them all)."""

    settings: Settings
    problems: ProblemStore
    outbox: Outbox
    audit: AuditLog
    closures: ClosureStore
    workaround_store: WorkaroundStore
    proactive_store: ProactiveStore

    @property
    def rules(self) -> CurrentRules: ...  # read-only here: the runtime's LiveRules


# Outbox actions still owed for a problem: waiting, being carried out, or parked after failing.
UNFINISHED_ACTIONS = (PENDING, PROCESSING, FAILED)


def iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def problem_summary(problem: Problem, settings: Settings) -> dict[str, Any]:
    return {
        "id": problem.id, "rule": problem.rule, "group": problem.group_key, "team": problem.team,
        "state": problem.state, "origin": problem.origin, "jira_key": problem.jira_key,
        "jira_url": jira_issue_url(settings.jira.browse_base, problem.jira_key) if problem.jira_key else None,
        "priority": problem.priority,
        "due_date": iso(problem.due_date), "counts": problem.counts,
        "detected_at": iso(problem.detected_at), "opened_at": iso(problem.opened_at),
        "updated_at": iso(problem.updated_at), "accountability": problem.accountability,
        "at_risk_at": iso(problem.at_risk_at), "overdue_at": iso(problem.overdue_at),
        "impact": problem.impact.to_json() if problem.impact else None,
        "impact_text": impact_summary(problem.impact) if problem.impact else None,
    }


CSV_COLUMNS = ("id", "rule", "group", "team", "state", "accountability", "jira_key", "jira_url", "priority",
               "due_date", "tickets", "requesters", "organizations", "detected_at", "opened_at", "fixed_at",
               "impact_score")
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection): such cells
# get a leading single quote, which makes them text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def problems_csv(found: Iterable[Problem], settings: Settings) -> str:
    """A header row, then one row per problem (`CSV_COLUMNS`), every cell formula-safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for problem in found:
        view = problem_summary(problem, settings)
        values = {**view, **view["counts"], "fixed_at": iso(problem.fixed_at),
                  "impact_score": problem.impact.score if problem.impact else None}
        writer.writerow([csv_cell(values[column]) for column in CSV_COLUMNS])
    return out.getvalue()


def detecting(runtime: ProblemSources, problem: Problem) -> DetectingProgress | None:
    """How close a detecting problem is to its rule's threshold (None otherwise, or without its rule)."""
    if problem.state != DETECTING:
        return None
    rule = runtime.rules.current().by_name(problem.rule)
    return detecting_progress(problem, runtime.problems.counted(problem.id), rule.spec.threshold if rule else None)


def detecting_json(progress: DetectingProgress | None) -> dict[str, Any] | None:
    return None if progress is None else {"counted": progress.counted, "threshold": progress.threshold,
                                          "of": progress.of, "window": progress.window, "text": progress.text}


def problem_detail(runtime: ProblemSources, problem_id: int) -> dict[str, Any] | None:
    """The summary plus linked tickets, unfinished actions and the audit log; None if unknown."""
    problem = runtime.problems.get(problem_id)
    if problem is None:
        return None
    settings = runtime.settings
    tickets = [{"id": link.ticket_id, "url": zendesk_ticket_url(settings.zendesk.agent_base, link.ticket_id),
                "joined_at": iso(link.joined_at), "left_at": iso(link.left_at),
                "linked_at": iso(link.linked_at), "unlinked_at": iso(link.unlinked_at)}
               for link in runtime.problems.ticket_links(problem_id)]
    actions = [{"id": action.id, "kind": action.kind, "status": action.status, "attempts": action.attempts,
                "last_error": action.last_error, "created_at": iso(action.created_at)}
               for action in runtime.outbox.for_problem(problem_id, UNFINISHED_ACTIONS)]
    audit = [{"at": iso(entry.at), "action": entry.action, "details": entry.details}
             for entry in runtime.audit.entries(f"problem:{problem_id}")]
    progress = runtime.closures.progress(problem_id)
    closure = None if progress is None else {
        "state": progress.state, "fix_version": progress.fix_version, "total": progress.total,
        "done": progress.done, "failed": progress.failed, "started_at": iso(progress.created_at),
        "finished_at": iso(progress.finished_at)}
    workaround = runtime.workaround_store.get(problem_id)
    answered = runtime.workaround_store.answer_counts([problem_id]).get(problem_id, 0)
    worked_around = None if workaround is None else {
        "source": workaround.source, "outcome": workaround.outcome, "article_url": workaround.article_url,
        "article_id": workaround.article_id, "recorded_at": iso(workaround.recorded_at),
        "tickets_answered": answered}
    return {**problem_summary(problem, settings), "fix_version": problem.fix_version,
            "fixed_at": iso(problem.fixed_at), "detecting": detecting_json(detecting(runtime, problem)),
            "customers_notified": closure, "workaround": worked_around,
            "proactive_notices": [notice.to_json() for notice in runtime.proactive_store.notices(problem_id)],
            "tickets": tickets, "actions": actions, "audit": audit}
