"""Working through one closure in this process (`bridge problems close`, tests, bench/close.py):
an action worker runs the outbox until the closure is finished, reporting progress as it goes."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from bridge.actions.in_process import run_send
from bridge.closure.start import RUN_CLOSURE
from bridge.storage.closures import ClosureProgress, ClosureStore
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


def run_closure(runtime: ClosureHost, closure_id: int, on_progress: Callable[[ClosureProgress], None] = lambda p: None,
                worker: ActionWorker | None = None, idle_seconds: float = 0.05,
                timeout: float | None = None) -> ClosureProgress:
    """Run the action worker until the closure is done or failed; TimeoutError after `timeout` s,
    SendStalled when its action was parked."""
    return run_send(lambda: runtime.closures.get(closure_id), runtime.outbox, worker or runtime.new_action_worker(),
                    RUN_CLOSURE, lambda payload: payload.get("closure_id") == closure_id, on_progress,
                    idle_seconds, timeout)
