"""A vendor client's error, as the domain's RemoteError: worth retrying for timeouts, connection
failures, 429 and 5xx; the vendor's Retry-After carried along."""

from __future__ import annotations

import contextlib
from typing import Iterator

from bridge.domain.ports import RemoteError


@contextlib.contextmanager
def remote_errors(vendor: str, error_type: type[Exception]) -> Iterator[None]:
    """`error_type` has `message`, `status` and `retry_after` (ZendeskError, JiraError); Jira's
    per-field errors, when present, are added to the message."""
    try:
        yield
    except error_type as error:
        status = error.status
        temporary = status is None or status == 429 or status >= 500
        fields = getattr(error, "field_errors", None)
        detail = f" {fields}" if fields else ""
        raise RemoteError(f"{vendor}: {error.message}{detail}", temporary, error.retry_after,
                          status) from error
