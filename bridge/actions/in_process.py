"""Working through one bulk send in this process (`bridge problems close`, `bridge problems notify`,
tests): an action worker runs the outbox until the send is finished, reporting progress as it goes."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, TypeVar

from bridge.storage.leased_queue import FAILED
from bridge.storage.outbox import Outbox
from bridge.storage.send_rows import RUNNING

if TYPE_CHECKING:
    from bridge.actions.worker import ActionWorker


class SendProgress(Protocol):
    @property
    def problem_id(self) -> int: ...
    @property
    def state(self) -> str: ...
    @property
    def done(self) -> int: ...
    @property
    def total(self) -> int: ...


Progress = TypeVar("Progress", bound=SendProgress)


class SendStalled(Exception):
    """The send's action was parked after its last attempt (`bridge actions failed` shows why)."""


def run_send(progress_of: Callable[[], Progress | None], outbox: Outbox, worker: ActionWorker, kind: str,
             owns: Callable[[dict], bool], on_progress: Callable[[Progress], None] = lambda p: None,
             idle_seconds: float = 0.05, timeout: float | None = None) -> Progress:
    """Run `worker` until the send (`progress_of`; its action: of `kind`, `owns` its payload) is
    no longer running; TimeoutError after `timeout` s, SendStalled when its action was parked."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        progress = progress_of()
        assert progress is not None, "the send was started"
        on_progress(progress)
        if progress.state != RUNNING:
            return progress
        if not worker.run_once():
            parked = [action for action in outbox.for_problem(progress.problem_id, [FAILED])
                      if action.kind == kind and owns(action.payload)]
            if parked:
                raise SendStalled(parked[-1].last_error or "parked")
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"not finished: {progress.done} of {progress.total}")
            time.sleep(idle_seconds)
