"""Working through one closure in this process (`bridge problems close`, tests, bench/close.py):
an action worker runs the outbox until the closure is finished, reporting progress as it goes."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from bridge.closure.start import RUN_CLOSURE
from bridge.storage.closures import RUNNING, ClosureProgress, ClosureStore
from bridge.storage.leased_queue import FAILED
from bridge.storage.outbox import Outbox

if TYPE_CHECKING:
    from bridge.actions.worker import ActionWorker


class ClosureHost(Protocol):
    """What running a closure takes from the process (bridge.runtime's Runtime is one)."""

    @property
    def closures(self) -> ClosureStore: ...
    @property
    def outbox(self) -> Outbox: ...
    def new_action_worker(self, owner: str | None = None) -> ActionWorker: ...


class ClosureStalled(Exception):
    """The closure's action was parked after its last attempt (`bridge actions failed` shows why)."""


def run_closure(runtime: ClosureHost, closure_id: int, on_progress: Callable[[ClosureProgress], None] = lambda p: None,
                worker: ActionWorker | None = None, idle_seconds: float = 0.05,
                timeout: float | None = None) -> ClosureProgress:
    """Run the action worker until the closure is done or failed; TimeoutError after `timeout` s."""
    worker = worker or runtime.new_action_worker()
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        progress = runtime.closures.get(closure_id)
        assert progress is not None, f"closure {closure_id} was started"
        on_progress(progress)
        if progress.state != RUNNING:
            return progress
        if not worker.run_once():
            parked = [a for a in runtime.outbox.for_problem(progress.problem_id, [FAILED])
                      if a.kind == RUN_CLOSURE and a.payload.get("closure_id") == closure_id]
            if parked:
                raise ClosureStalled(parked[-1].last_error or "parked")
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"closure {closure_id} not finished: {progress.done} of {progress.total}")
            time.sleep(idle_seconds)
