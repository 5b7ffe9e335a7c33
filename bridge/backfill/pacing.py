"""The incremental export's own rate limit, kept by the caller: at most N requests in any minute,
and a 429 waited out for as long as its Retry-After says."""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from typing import TypeVar

from bridge.domain.ports import RemoteError
from bridge.logs import log_event

log = logging.getLogger("bridge.backfill")

T = TypeVar("T")
MINUTE = 60.0
RETRY_AFTER_UNKNOWN = MINUTE  # a 429 without Retry-After: the limit's whole window


class ExportPacer:
    def __init__(self, requests_per_minute: int, sleep: Callable[[float], None] = time.sleep,
                 monotonic: Callable[[], float] = time.monotonic):
        if requests_per_minute < 1:
            raise ValueError("requests_per_minute must be at least 1")
        self.requests_per_minute = requests_per_minute
        self.sleep, self.monotonic = sleep, monotonic
        self.rate_limited = 0  # 429s waited out
        self._sent: deque[float] = deque()

    def call(self, request: Callable[[], T]) -> T:
        """`request`'s answer, sent when the limit allows; a 429 is waited out and sent again,
        any other RemoteError raised."""
        while True:
            self._wait_for_turn()
            try:
                return request()
            except RemoteError as error:
                if error.status != 429:
                    raise
                wait = error.retry_after if error.retry_after is not None else RETRY_AFTER_UNKNOWN
                self.rate_limited += 1
                log_event(log, logging.INFO, "backfill.rate_limited", retry_after=wait)
                self.sleep(wait)

    def _wait_for_turn(self) -> None:
        now = self.monotonic()
        while self._sent and self._sent[0] <= now - MINUTE:
            self._sent.popleft()
        if len(self._sent) >= self.requests_per_minute:
            self.sleep(self._sent[0] + MINUTE - now)
            self._sent.popleft()
        self._sent.append(self.monotonic())
