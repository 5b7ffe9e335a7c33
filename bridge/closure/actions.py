"""The closure's outbox action: each run does one round of work (ClosureRun) and comes back
(Later) at the pace the rate limit allows, until every ticket is notified or given up on."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import Connection

from bridge.actions.results import Done, Later
from bridge.closure.message import ClosureMessage
from bridge.closure.rounds import ClosureRun
from bridge.closure.start import RUN_CLOSURE
from bridge.config.settings import Settings
from bridge.domain.ports import TicketSystem
from bridge.logs import log_event
from bridge.planning.facts import ProblemFacts
from bridge.rules import RuleSet
from bridge.storage.audit import AuditLog
from bridge.storage.closures import (
    FAILED,
    RUNNING,
    ClosureProgress,
    ClosureStore,
)
from bridge.storage.outbox import Action
from bridge.storage.problems import ProblemStore
from bridge.storage.send_rows import SendItem

log = logging.getLogger("bridge.closure")

REPORTED_FAILURES = 100  # failed tickets listed in the audit log entry of a finished closure

# Runs in the transaction that finishes a closure (e.g. the problem's fixed → closed).
FinishedListener = Callable[[Connection, ClosureProgress, datetime], None]


def _nothing_more(connection: Connection, progress: ClosureProgress, now: datetime) -> None:
    pass


class ClosureActions:
    def __init__(self, settings: Settings, rules: Callable[[], RuleSet], problems: ProblemStore,
                 closures: ClosureStore, audit: AuditLog, zendesk: TicketSystem,
                 on_finished: FinishedListener = _nothing_more):
        self.settings, self.rules, self.problems = settings, rules, problems
        self.closures, self.audit, self.zendesk, self.on_finished = closures, audit, zendesk, on_finished

    def handlers(self) -> dict:
        return {RUN_CLOSURE: self.run}

    def run(self, action: Action, now: datetime) -> Done | Later:
        closure = self.closures.get(action.payload["closure_id"])
        if closure is None:
            return Done("closure no longer exists")
        if closure.state != RUNNING:
            return Done(f"closure {closure.closure_id} already {closure.state}")
        until = ClosureRun(self.closures, self.zendesk, self.settings, closure.closure_id,
                           self._message(closure), now).run()
        if until is None:
            return self._finished(closure.closure_id)
        progress = self.closures.get(closure.closure_id) or closure
        return Later(until, reason=f"{progress.done} of {progress.total} notified")

    def _message(self, closure: ClosureProgress) -> ClosureMessage:
        problem = self.problems.get(closure.problem_id)
        if problem is None:
            raise LookupError(f"problem {closure.problem_id} of closure {closure.closure_id} does not exist")
        first, last = self.problems.ticket_times(problem.id)
        return ClosureMessage(closure.closure_id, self.rules().by_name(problem.rule),
                              ProblemFacts(problem, first, last), closure.fix_version)

    def _finished(self, closure_id: int) -> Done:
        failed = self.closures.tickets(closure_id, FAILED)

        def record(connection: Connection, when: datetime) -> None:
            progress = self.closures.finish_if_complete(connection, closure_id, when)
            if progress is None:
                raise RuntimeError(f"closure {closure_id} got work while finishing; it runs again")
            self.audit.record(connection, when, "closure.finished", f"problem:{progress.problem_id}", {
                "closure_id": closure_id, "state": progress.state, "total": progress.total,
                "notified": progress.done, "failed": progress.failed,
                "failed_tickets": failure_report(failed)})
            log_event(log, logging.INFO if not failed else logging.WARNING, "closure.finished",
                      closure_id=closure_id, problem_id=progress.problem_id, total=progress.total,
                      notified=progress.done, failed=progress.failed)
            self.on_finished(connection, progress, when)

        outcome = f"closure {closure_id}: every ticket settled" + (f", {len(failed)} failed" if failed else "")
        return Done(outcome, record)


def failure_report(failed: Sequence[SendItem], key: str = "ticket_id") -> list[dict]:
    """The first REPORTED_FAILURES items given up on, for an audit entry: `key` names the item's id."""
    return [{key: item.item_id, "attempts": item.attempts, "reason": (item.last_error or "")[:200]}
            for item in failed[:REPORTED_FAILURES]]
