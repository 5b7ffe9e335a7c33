"""The one error type the Zendesk API client raises."""

from __future__ import annotations

import json
import re

# Zendesk's error codes ("RecordInvalid", "RecordNotFound", "InvalidEndpoint"): its own
# vocabulary, never ticket text, so safe in logs at any level.
_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_.]{0,63}")


class ZendeskError(Exception):
    """A Zendesk call failed: HTTP status (None for a network error), Retry-After on 429, message
    (the vendor's text, which may echo ticket text), and Zendesk's error `code` when it sent one."""

    def __init__(self, message: str, status: int | None = None, retry_after: float | None = None,
                 code: str | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.retry_after = retry_after
        self.code = code

    @property
    def is_rate_limited(self) -> bool:
        return self.status == 429

    def __repr__(self) -> str:
        return (f"ZendeskError(status={self.status!r}, retry_after={self.retry_after!r}, "
                f"code={self.code!r}, message={self.message!r})")


def error_code(body: str | None) -> str | None:
    """The `error` of a Zendesk error body (`{"error": "RecordInvalid", "description": ...}`,
    `{"error": {"title": "Forbidden", ...}}`, or the Webhooks API's `{"errors": [{"code": ...}]}`)
    when it is a code; None otherwise."""
    try:
        parsed = json.loads(body or "")
        error = parsed.get("error")
        if error is None and isinstance(parsed.get("errors"), list) and parsed["errors"]:
            error = {"title": parsed["errors"][0].get("code")}
    except (ValueError, AttributeError):
        return None
    if isinstance(error, dict):
        error = error.get("title")
    return error if isinstance(error, str) and _CODE.fullmatch(error) else None
