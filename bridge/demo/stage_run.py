"""What a stage module sees of the demo's run (bridge/demo/stages.py's DemoRun), and waiting in one."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from bridge.demo.environment import LoopbackEnvironment


class StageRun(Protocol):
    @property
    def env(self) -> LoopbackEnvironment: ...

    @property
    def say(self) -> Callable[[str], None]: ...

    @property
    def process_timeout(self) -> float: ...

    @property
    def failures(self) -> list[str]: ...


def wait_until(timeout: float, done: Callable[[], bool]) -> bool:
    """True once `done()` is, False after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True
