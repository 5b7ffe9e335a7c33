"""The workaround's outbox actions: write its Help Center article (found again by its label after a
crash, rewritten when the fix ships), and tell every linked ticket once: one identical update per
100 tickets, recorded per ticket, so tickets that join later get it too and nobody twice."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import Connection

from bridge.actions.open_tickets import not_closed
from bridge.actions.problem_context import ProblemContext
from bridge.actions.results import Done, Later
from bridge.actions.zendesk_batches import BatchSender, BatchState, Finished, state_of, with_state
from bridge.domain.ports import KnowledgeBase, NewArticle, RemoteError, TicketSystem
from bridge.domain.problems import CLOSED, FIXED, Problem
from bridge.logs import log_event
from bridge.planning import problem_label
from bridge.planning.workaround import WorkaroundText, answer_changes, answer_tag, write_article
from bridge.storage.audit import AuditLog
from bridge.storage.outbox import Action, Outbox
from bridge.storage.snapshots import TicketSnapshots
from bridge.storage.workarounds import Workaround, WorkaroundStore

log = logging.getLogger("bridge.workaround")

WRITE_ARTICLE, ANSWER_TICKETS = "zendesk.workaround_article", "zendesk.workaround_answers"


class WorkaroundActions:
    def __init__(self, context: ProblemContext, store: WorkaroundStore, tickets: TicketSnapshots,
                 outbox: Outbox, audit: AuditLog, zendesk: TicketSystem, batches: BatchSender,
                 knowledge_base: KnowledgeBase | None, draft: bool):
        self.context, self.problems, self.store, self.tickets = context, context.problems, store, tickets
        self.outbox, self.audit, self.zendesk, self.batches = outbox, audit, zendesk, batches
        self.knowledge_base, self.draft = knowledge_base, draft

    def handlers(self) -> dict:
        return {WRITE_ARTICLE: self.write_article, ANSWER_TICKETS: self.answer_tickets}

    def write_article(self, action: Action, now: datetime) -> Done:
        """Create the article (or find the one a crashed attempt created), or rewrite it with
        what is known now: the workaround, and once the fix shipped, its version."""
        problem = self.context.problem(action)
        workaround = self.store.get(problem.id)
        if workaround is None or self.knowledge_base is None:
            return Done("no workaround or no Help Center")
        rule, facts = self.context.rule_and_facts(problem)
        fix_version = (problem.fix_version or "this release") if problem.state in (FIXED, CLOSED) else None
        written = write_article(rule, facts, WorkaroundText(workaround.text, workaround.article_url), fix_version)
        for error in written.errors:
            log_event(log, logging.WARNING, "workaround.template_failed", problem_id=problem.id, error=error)
        article_id, url, outcome = workaround.article_id, workaround.article_url, "rewrote"
        if article_id is None:
            label = problem_label(problem.id)
            try:
                found = self.knowledge_base.find_article(label)
                created = None if found else self.knowledge_base.create_article(
                    NewArticle(written.title, written.body, label, self.draft))
            except RemoteError as error:
                if error.temporary:
                    raise
                return self._without_article(problem, fix_version, error)
            article = found or created
            assert article is not None
            article_id, url = article.id, article.url
            # One an earlier attempt created is rewritten with what is known now.
            outcome = "rewrote" if found else "created"
        if outcome != "created":
            self.knowledge_base.rewrite_article(article_id, written.title, written.body)

        def record(connection: Connection, when: datetime) -> None:
            self.store.article_written(connection, problem.id, article_id, url, fix_version, when)
            self.audit.record(connection, when, "zendesk.workaround_article", f"problem:{problem.id}", {
                "article_id": article_id, "url": url, "fix_version": fix_version, "draft": self.draft})
            if fix_version is None:
                self.outbox.enqueue(connection, ANSWER_TICKETS, when, problem.id,
                                    dedupe_key=f"workaround:{problem.id}")

        return Done(f"{outcome} article {article_id}" + (f" (fixed in {fix_version})" if fix_version else ""),
                    record)

    def _without_article(self, problem: Problem, fix_version: str | None, error: RemoteError) -> Done:
        """Help Center refused the article for good (not enabled, no permission): the tickets
        get the workaround's text instead."""
        log_event(log, logging.WARNING, "workaround.article_refused", problem_id=problem.id, status=error.status,
                  code=error.code)

        def record(connection: Connection, when: datetime) -> None:
            self.audit.record(connection, when, "zendesk.workaround_article_refused", f"problem:{problem.id}",
                              {"status": error.status, "code": error.code})
            if fix_version is None:
                self.outbox.enqueue(connection, ANSWER_TICKETS, when, problem.id,
                                    dedupe_key=f"workaround:{problem.id}")

        return Done(f"Help Center refused the article ({error.status}): tickets get the text", record)

    def answer_tickets(self, action: Action, now: datetime) -> Done | Later:
        problem = self.context.problem(action)
        workaround = self.store.get(problem.id)
        if workaround is None:
            return Done("no workaround")
        if problem.state in (FIXED, CLOSED):
            return Done(f"problem {problem.state}: its tickets hear of the fix instead")
        state = state_of(action.payload)
        tag = answer_tag(problem.id)
        rule, facts = self.context.rule_and_facts(problem)
        changes, public, error = answer_changes(rule, facts, WorkaroundText(workaround.text, workaround.article_url))
        if error:
            log_event(log, logging.WARNING, "workaround.template_failed", problem_id=problem.id, error=error)
        step = self.batches.step(
            state, action.attempts, now, context={"problem_id": problem.id, "kind": ANSWER_TICKETS},
            next_batch=lambda excluded, limit: self._remaining(problem, excluded, limit),
            send=lambda batch: self.zendesk.start_bulk_update(batch, changes),
            landed=lambda ticket: tag in ticket.tags)
        if not isinstance(step, Finished):
            return Later(step.until, with_state({}, step.state), step.reason)
        given_up = f", {len(step.state.given_up)} given up" if step.state.given_up else ""
        return Done(f"{len(step.state.done)} tickets answered{given_up}",
                    self._answered(problem, workaround, step.state, public))

    def _remaining(self, problem: Problem, excluded: set[int], limit: int) -> list[int]:
        waiting = [t for t in self.store.tickets_to_answer(problem.id, limit + len(excluded)) if t not in excluded]
        return not_closed(waiting, self.tickets, limit)

    def _answered(self, problem: Problem, workaround: Workaround, state: BatchState, public: bool):
        def record(connection: Connection, when: datetime) -> None:
            self.store.answered(connection, problem.id, state.done, public, when)
            if state.done:
                self.audit.record(connection, when, "zendesk.workaround_answered", f"problem:{problem.id}",
                                  {"tickets": sorted(state.done), "answered": len(state.done), "public": public,
                                   "article_url": workaround.article_url})
            # Tickets that joined while this ran found this action's key taken: they come next
            # (closed ones cannot be updated, given-up ones stay given up).
            waiting = [t for t in self.store.unanswered(connection, problem.id) if t not in state.given_up]
            if not_closed(waiting, self.tickets, 1):
                self.outbox.enqueue(connection, ANSWER_TICKETS, when, problem.id, with_state({}, state.carried()),
                                    dedupe_key=f"workaround:{problem.id}")
        return record
