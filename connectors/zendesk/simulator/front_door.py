"""What happens to every API request before it reaches a route: recording, auth, faults, rate limit."""

from __future__ import annotations

import base64
import math
import threading
import time
from collections import deque
from dataclasses import dataclass

from connectors.zendesk.client import EXPORT_REQUESTS_PER_MINUTE
from connectors.zendesk.simulator.errors import ApiError

FAULT_KINDS = ("500", "timeout", "429")


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    json: object
    status: int | None = None


class RateLimiter:
    """Sliding window: at most `max_requests` per `window_seconds`; None means unlimited."""

    def __init__(self, max_requests: int | None = None, window_seconds: float = 60.0):
        self.max_requests = max_requests
        self.window_seconds = window_seconds
        self._accepted: deque[float] = deque()

    def check(self, now: float) -> None:
        if self.max_requests is None:
            return
        while self._accepted and self._accepted[0] <= now - self.window_seconds:
            self._accepted.popleft()
        if len(self._accepted) >= self.max_requests:
            wait = (self._accepted[0] + self.window_seconds - now) if self._accepted else self.window_seconds
            error = ApiError(429, "APIRateLimitExceeded", "Rate limit for the account exceeded")
            error.headers["Retry-After"] = str(max(1, math.ceil(wait)))
            raise error
        self._accepted.append(now)


def basic_auth_user(header: str | None) -> tuple[str, str] | None:
    if not header or not header.startswith("Basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    return user, password


class FrontDoor:
    def __init__(self, api_email: str, api_token: str, timeout_fault_seconds: float = 2.0):
        self.api_email = api_email.lower()
        self.api_token = api_token
        self.timeout_fault_seconds = timeout_fault_seconds
        self.rate_limiter = RateLimiter()
        self.export_rate_limiter = RateLimiter(EXPORT_REQUESTS_PER_MINUTE)  # on top of the account's
        self.requests: list[RecordedRequest] = []
        self._faults: deque[tuple[str, int]] = deque()  # kind, and a 429's Retry-After
        self._lock = threading.Lock()

    def inject_faults(self, count: int, kind: str, retry_after: int = 7) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"fault kind must be one of {FAULT_KINDS}")
        with self._lock:
            self._faults.extend([(kind, retry_after)] * count)

    def record(self, entry: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(entry)

    def admit_export(self) -> None:
        """Raise ApiError (429 with Retry-After) beyond the incremental exports' own rate limit."""
        with self._lock:
            self.export_rate_limiter.check(time.monotonic())

    def admit(self, authorization: str | None) -> None:
        """Raise ApiError for a request that must not reach a route (401, injected fault, 429)."""
        if basic_auth_user(authorization) != (f"{self.api_email}/token", self.api_token):
            raise ApiError(401, "Couldn't authenticate you", "Couldn't authenticate you")
        with self._lock:
            fault, retry_after = self._faults.popleft() if self._faults else (None, 0)
            if fault is None:
                self.rate_limiter.check(time.monotonic())
        if fault == "timeout":
            time.sleep(self.timeout_fault_seconds)
            raise ApiError(503, "ServiceUnavailable", "Injected timeout")
        if fault == "500":
            raise ApiError(500, "InternalServerError", "Injected server error")
        if fault == "429":
            error = ApiError(429, "APIRateLimitExceeded", "Injected rate limit")
            error.headers["Retry-After"] = str(retry_after)
            raise error
