"""The one error type the Jira API client raises."""

from __future__ import annotations


class JiraError(Exception):
    """A Jira call failed. `status` is the HTTP status (None for timeouts and connection errors);
    `retry_after` is the server's Retry-After in seconds for a 429 (None when absent);
    `field_errors` is Jira's `errors` object (field id -> message) for a 400."""

    def __init__(self, message: str, status: int | None = None, retry_after: float | None = None,
                 field_errors: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.retry_after = retry_after
        self.field_errors = field_errors or {}

    @property
    def code(self) -> str | None:
        """The fields Jira refused (`components,priority`): field ids, never their values."""
        return ",".join(sorted(self.field_errors))[:120] or None

    @property
    def is_rate_limited(self) -> bool:
        return self.status == 429

    def __repr__(self) -> str:
        return f"JiraError(status={self.status!r}, retry_after={self.retry_after!r}, message={self.message!r})"
