"""`check_due`: every open problem against its due date. Entering at-risk or overdue is recorded
once (audit log), in one transaction per problem; overdue queues the configured actions
(bridge/overdue/actions.py). A moved due date starts the problem over at on_time."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import Connection, Engine

from bridge.config.settings import Settings
from bridge.domain.problems import Problem
from bridge.logs import log_event
from bridge.overdue.accountability import (
    AT_RISK,
    ON_TIME,
    OVERDUE,
    accountability_state,
    days_overdue,
    next_step,
)
from bridge.overdue.actions import overdue_action_kinds
from bridge.storage.accountability import AccountabilityStore
from bridge.storage.audit import AuditLog
from bridge.storage.outbox import Outbox

log = logging.getLogger("bridge.scheduler")


class DueCheck:
    def __init__(self, engine: Engine, store: AccountabilityStore, audit: AuditLog, outbox: Outbox,
                 settings: Settings, clock: Callable[[], datetime]):
        self.engine, self.store, self.audit, self.outbox = engine, store, audit, outbox
        self.settings, self.clock = settings, clock

    def run(self) -> str:
        entered = {AT_RISK: 0, OVERDUE: 0}
        resets = 0
        for problem_id in self.store.candidates():
            with self.engine.begin() as connection:
                step = self._check(connection, problem_id, self.clock())
            if step is not None:
                resets += step.reset
                if step.entered:
                    entered[step.entered] += 1
        return f"{entered[AT_RISK]} at risk, {entered[OVERDUE]} overdue, {resets} due dates moved"

    def _check(self, connection: Connection, problem_id: int, now: datetime):
        problem = self.store.locked(connection, problem_id)
        if problem is None:
            return None
        issue = self.store.issue(connection, problem)
        zone = self.settings.calendar.zone
        current = accountability_state(problem, issue.status_category if issue else None, now,
                                       self.settings.accountability, zone)
        step = next_step(problem, current)
        if not step.changes_anything:
            return step
        subject = f"problem:{problem.id}"
        if step.reset and problem.accountability != ON_TIME:
            self.audit.record(connection, now, "problem.due_date_moved", subject, {
                "was": problem.accountability,
                "old_due_date": problem.accountability_due and problem.accountability_due.isoformat(),
                "due_date": problem.due_date and problem.due_date.isoformat()})
        if step.entered:
            due_date = problem.due_date
            assert due_date is not None, "only a problem with a due date becomes at risk or overdue"
            details = {"due_date": due_date.isoformat(), "jira_key": problem.jira_key,
                       "tickets": problem.ticket_count, "issue_status": issue.status if issue else None}
            if step.entered == OVERDUE:
                details["days_overdue"] = days_overdue(due_date, now, zone)
            self.audit.record(connection, now, f"problem.{step.entered}", subject, details)
            log_event(log, logging.INFO, f"problem.{step.entered}", problem_id=problem.id,
                      due_date=due_date.isoformat())
            if step.entered == OVERDUE:
                self._queue_actions(connection, problem, due_date, now)
        self.store.record(connection, problem.id, step.state, problem.due_date, clear_marks=step.reset,
                          at_risk_at=now if step.entered == AT_RISK else None,
                          overdue_at=now if step.entered == OVERDUE else None)
        return step

    def _queue_actions(self, connection: Connection, problem: Problem, due_date: date, now: datetime) -> None:
        due = due_date.isoformat()
        for kind in overdue_action_kinds(self.settings.accountability.overdue):
            self.outbox.enqueue(connection, kind, now, problem.id, payload={"due_date": due},
                                dedupe_key=f"{kind}:{problem.id}:{due}")
