"""Sending one proactive notice in this process (`bridge problems notify`, tests): an action worker
runs the outbox until the notice is finished, reporting progress as it goes."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from bridge.actions.in_process import run_send
from bridge.proactive.start import RUN_NOTICE
from bridge.storage.outbox import Outbox
from bridge.storage.proactive import NoticeProgress, ProactiveStore

if TYPE_CHECKING:
    from bridge.actions.worker import ActionWorker


class NoticeHost(Protocol):
    """What sending a notice takes from the process (bridge.runtime's Runtime is one)."""

    @property
    def proactive_store(self) -> ProactiveStore: ...
    @property
    def outbox(self) -> Outbox: ...
    def new_action_worker(self, owner: str | None = None) -> ActionWorker: ...


def run_notice(runtime: NoticeHost, notice_id: int, on_progress: Callable[[NoticeProgress], None] = lambda p: None,
               worker: ActionWorker | None = None, timeout: float | None = None) -> NoticeProgress:
    """Run the action worker until the notice is done or failed; TimeoutError after `timeout` s."""
    return run_send(lambda: runtime.proactive_store.get(notice_id), runtime.outbox,
                    worker or runtime.new_action_worker(), RUN_NOTICE,
                    lambda payload: payload.get("notice_id") == notice_id, on_progress, timeout=timeout)
