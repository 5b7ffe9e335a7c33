"""One backfill wired to a runtime, as `bridge backfill` and `bridge demo` run it: read the export
from a start time, then evaluate what was read (a dry run unless `apply`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from bridge.backfill.evaluation import StagedEvaluation
from bridge.backfill.outcome import BackfillOutcome
from bridge.backfill.pacing import ExportPacer
from bridge.backfill.reading import ExportReader, PageRead
from bridge.runtime import Runtime
from bridge.storage.backfill import BackfillStore
from connectors.zendesk.client import EXPORT_REQUESTS_PER_MINUTE


class Backfill:
    def __init__(self, runtime: Runtime, pacer: ExportPacer | None = None):
        self.clock = runtime.clock
        self.store = BackfillStore(runtime.engine)
        self.pacer = pacer or ExportPacer(EXPORT_REQUESTS_PER_MINUTE)
        self.reader = ExportReader(runtime.engine, self.store, runtime.ticket_system, self.pacer, runtime.clock)
        self.evaluation = StagedEvaluation(runtime.engine, self.store, runtime.processor, runtime.problems,
                                           runtime.clock)

    def start(self, period: timedelta, restart: bool = False) -> datetime:
        """The time this backfill reads from (raises StartMismatch, see ExportReader.start)."""
        return self.reader.start(self.clock() - period, restart)

    def read(self, start: datetime, on_page: Callable[[PageRead], None] = lambda page: None) -> int:
        """Every page of the export from where the stored backfill stopped; tickets listed."""
        listed = 0

        def counted(page: PageRead) -> None:
            nonlocal listed
            listed += page.tickets
            on_page(page)

        self.reader.read(start, counted)
        return listed

    def waiting(self) -> int:
        """Tickets read and not yet evaluated."""
        return self.store.counts()[1]

    def evaluate(self, apply: bool, read: int, on_chunk: Callable[[int], None] = lambda evaluated: None
                 ) -> BackfillOutcome:
        outcome = self.evaluation.run(apply, on_chunk)
        outcome.read, outcome.rate_limited = read, self.pacer.rate_limited
        return outcome

    def run(self, period: timedelta, apply: bool) -> BackfillOutcome:
        """Read and evaluate, without progress to show."""
        return self.evaluate(apply, self.read(self.start(period)))
