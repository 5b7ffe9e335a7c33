"""The proactive notice's outbox action: each run does one round (NoticeRun) and comes back (Later)
at the pace the rate limit allows, until every recipient is told or given up on; then the notice is
recorded as finished on the problem's timeline."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Connection

from bridge.actions.results import Done, Later
from bridge.closure.actions import failure_report
from bridge.config.settings import Settings
from bridge.domain.ports import AudienceSource, TicketSystem
from bridge.logs import log_event
from bridge.planning.facts import ProblemFacts
from bridge.planning.proactive import ProactiveMessage
from bridge.proactive.rounds import NoticeRun
from bridge.proactive.start import RUN_NOTICE, templates_of
from bridge.rules import RuleSet
from bridge.storage.audit import AuditLog
from bridge.storage.outbox import Action
from bridge.storage.proactive import NoticeProgress, ProactiveStore
from bridge.storage.problems import ProblemStore
from bridge.storage.send_rows import FAILED, RUNNING

log = logging.getLogger("bridge.proactive")


class ProactiveActions:
    def __init__(self, settings: Settings, rules: Callable[[], RuleSet], problems: ProblemStore,
                 store: ProactiveStore, audit: AuditLog, zendesk: TicketSystem, audience: AudienceSource):
        self.settings, self.rules, self.problems, self.store = settings, rules, problems, store
        self.audit, self.zendesk, self.audience = audit, zendesk, audience

    def handlers(self) -> dict:
        return {RUN_NOTICE: self.run}

    def run(self, action: Action, now: datetime) -> Done | Later:
        notice = self.store.get(action.payload["notice_id"])
        if notice is None:
            return Done("proactive notice no longer exists")
        if notice.state != RUNNING:
            return Done(f"proactive notice {notice.notice_id} already {notice.state}")
        until = NoticeRun(self.store, self.zendesk, self.audience, self.settings, notice.notice_id,
                          self._message(notice), now).run()
        if until is None:
            return self._finished(notice.notice_id)
        progress = self.store.get(notice.notice_id) or notice
        return Later(until, reason=f"{progress.done} of {progress.total} customers told")

    def _message(self, notice: NoticeProgress) -> ProactiveMessage:
        problem = self.problems.get(notice.problem_id)
        if problem is None:
            raise LookupError(f"problem {notice.problem_id} of proactive notice {notice.notice_id} does not exist")
        first, last = self.problems.ticket_times(problem.id)
        subject, message = templates_of(self.store, notice.notice_id)
        return ProactiveMessage(notice.notice_id, subject, message, self.rules().by_name(problem.rule),
                                ProblemFacts(problem, first, last), self.settings.proactive.status)

    def _finished(self, notice_id: int) -> Done:
        failed = self.store.recipients(notice_id, FAILED)

        def record(connection: Connection, when: datetime) -> None:
            progress = self.store.finish_if_complete(connection, notice_id, when)
            if progress is None:
                raise RuntimeError(f"proactive notice {notice_id} got work while finishing; it runs again")
            self.audit.record(connection, when, "proactive.finished", f"problem:{progress.problem_id}", {
                "notice_id": notice_id, "state": progress.state, "total": progress.total,
                "notified": progress.done, "failed": progress.failed,
                "failed_customers": failure_report(failed, "user_id")})
            log_event(log, logging.INFO if not failed else logging.WARNING, "proactive.finished",
                      notice_id=notice_id, problem_id=progress.problem_id, total=progress.total,
                      notified=progress.done, failed=progress.failed)

        outcome = f"proactive notice {notice_id}: every customer settled" + (
            f", {len(failed)} failed" if failed else "")
        return Done(outcome, record)
