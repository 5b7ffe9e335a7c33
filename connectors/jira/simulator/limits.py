"""Jira Cloud's per-issue write limits: by default 20 writes per issue per 2 s and 100 per 30 s."""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable

from connectors.jira.simulator.errors import JiraApiError

DEFAULT_ISSUE_WRITE_WINDOWS = ((20, 2.0), (100, 30.0))  # (max writes, window seconds)


class IssueWriteLimiter:
    def __init__(self, windows: tuple[tuple[int, float], ...] = DEFAULT_ISSUE_WRITE_WINDOWS,
                 clock: Callable[[], float] = time.monotonic):
        self.windows = windows
        self._clock = clock
        self._writes: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def record_write(self, issue_id: str) -> None:
        """Count one write to the issue, or raise a 429 with Retry-After when a window is full."""
        with self._lock:
            now = self._clock()
            writes = self._writes[issue_id]
            longest = max(seconds for _, seconds in self.windows)
            while writes and now - writes[0] >= longest:
                writes.popleft()
            for limit, seconds in self.windows:
                in_window = [moment for moment in writes if now - moment < seconds]
                if len(in_window) >= limit:
                    wait = seconds - (now - in_window[-limit])
                    raise JiraApiError(429, ["Rate limit exceeded for writes to this issue."],
                                       headers={"Retry-After": str(max(1, math.ceil(wait)))})
            writes.append(now)
