"""The one error type the Zendesk API client raises."""

from __future__ import annotations


class ZendeskError(Exception):
    """A Zendesk call failed: HTTP status (None for a network error), Retry-After on 429, message."""

    def __init__(self, message: str, status: int | None = None, retry_after: float | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.retry_after = retry_after

    @property
    def is_rate_limited(self) -> bool:
        return self.status == 429

    def __repr__(self) -> str:
        return f"ZendeskError(status={self.status!r}, retry_after={self.retry_after!r}, message={self.message!r})"
