"""Step 2 of a backfill: the staged tickets, in the order the customers reported them, through
the worker's processing and detection as historical events (windows judged at each ticket's own
time). The bridge's own tickets are never reports, as in the worker: those it marks as its own,
and those its API user (`zendesk.bridge_user_id`) submitted.

`--apply` commits chunk by chunk, each with its tickets marked evaluated, so a stopped run goes on
from the first ticket not evaluated. The dry run takes the same tickets in the same chunks through
the same calls inside one transaction and rolls it back: it writes no problem, and says what
`--apply` would open."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from datetime import datetime

from sqlalchemy import Connection, Engine

from bridge.backfill.outcome import BackfillOutcome, OpenedProblem
from bridge.domain.bridge_tickets import created_by_bridge
from bridge.domain.events import TicketEvent
from bridge.intake.processing import EventProcessor
from bridge.storage.backfill import BackfillStore, Position, Staged, occurred_at
from bridge.storage.db import is_postgresql, reading, scratch_copy
from bridge.storage.problems import NotYetOpen, ProblemStore

CHUNK_SIZE = 500  # tickets per transaction: as the worker's batches, short enough to share the database
SAMPLE_SIZE = 5

Transaction = Callable[[], AbstractContextManager[Connection]]


def historical_event(staged: Staged) -> TicketEvent:
    """The ticket as a report made when, and by whom, it was created."""
    ticket = staged.ticket
    return TicketEvent(event_id=f"backfill:{ticket.id}", kind="backfill", ticket=ticket,
                       occurred_at=occurred_at(ticket), actor_id=staged.submitter_id, historical=True)


class StagedEvaluation:
    def __init__(self, engine: Engine, store: BackfillStore, processor: EventProcessor, problems: ProblemStore,
                 clock: Callable[[], datetime], chunk_size: int = CHUNK_SIZE):
        self.engine, self.store, self.processor, self.problems = engine, store, processor, problems
        self.clock, self.chunk_size = clock, chunk_size

    def run(self, apply: bool, on_chunk: Callable[[int], None] = lambda evaluated: None) -> BackfillOutcome:
        outcome = BackfillOutcome(applied=apply)
        with self._transactions(apply) as transaction:
            with transaction() as connection:
                before = self.problems.not_yet_open(connection)
            after: Position | None = None
            while staged := self._waiting(after):
                after = staged[-1].position
                events = [historical_event(item) for item in staged]
                self._evaluate(transaction, events)
                outcome.evaluated += len(events)
                outcome.bridge_tickets += sum(1 for event in events if self._by_bridge(event))
                on_chunk(len(events))
            with transaction() as connection:
                outcome.opened = self._opened(connection, before)
        return outcome

    def _waiting(self, after: Position | None) -> list[Staged]:
        with reading(self.engine) as connection:
            return self.store.waiting(connection, after, self.chunk_size)

    def _by_bridge(self, event: TicketEvent) -> bool:
        return created_by_bridge(event.ticket) or self.processor.is_own_change(event)

    def _evaluate(self, transaction: Transaction, events: list[TicketEvent]) -> None:
        lookups = self.processor.prepare(events)  # what the export lacks and the rules read, before locking
        with transaction() as connection:
            now = self.clock()
            self.processor.apply_many(connection, events, now, lookups)
            self.store.mark_evaluated(connection, (event.ticket.id for event in events), now)

    @contextmanager
    def _transactions(self, apply: bool) -> Iterator[Transaction]:
        """With `apply`, a transaction per call that commits; else every call shares one
        transaction, rolled back at the end: on PostgreSQL in the database itself (it locks the
        rows of the problems it counts into, not the inbox); on SQLite in a scratch copy, whose
        write lock holds up no webhook (the reads around it, of tickets staged before, see the
        same in both)."""
        if apply:
            yield self.engine.begin
            return
        with ExitStack() as stack:
            target = self.engine if is_postgresql(self.engine) else stack.enter_context(scratch_copy(self.engine))
            connection = stack.enter_context(target.connect())
            dry = connection.begin()
            try:
                @contextmanager
                def shared() -> Iterator[Connection]:
                    yield connection

                yield shared
            finally:
                dry.rollback()

    def _opened(self, connection: Connection, before: NotYetOpen) -> list[OpenedProblem]:
        opened = []
        for problem in self.problems.opened_after(connection, before):
            sample = self.problems.linked_ticket_ids_in(connection, problem.id, SAMPLE_SIZE)
            opened.append(OpenedProblem(problem.id, problem.rule, problem.group_key, problem.team,
                                        problem.ticket_count, problem.requester_count, sample))
        return opened
