"""A vendor client's error, as the domain's RemoteError: worth retrying for timeouts, connection
failures, 429 and 5xx; the vendor's Retry-After, status and error code carried along, and its
text trimmed and cleaned of anything that could be a credential."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Protocol, cast

from bridge.domain.ports import RemoteError

MESSAGE_LIMIT = 300  # characters of the vendor's text kept (in logs and on the parked row)

# requests' errors quote the URL they failed on, query string included (`?token=...`), and some
# error bodies echo an Authorization header back.
_QUERY = re.compile(r"(?<=[^\s?'\"])\?[^\s'\"]+")
_CREDENTIAL = re.compile(r"(?i)\b(bearer|basic|token|authorization|api_token|password)(\W{1,3})[^\s'\",;}]+")


def clean_message(text: str) -> str:
    """The vendor's text without query strings or credentials, at most MESSAGE_LIMIT characters."""
    text = _CREDENTIAL.sub(r"\1\2[redacted]", _QUERY.sub("?[redacted]", text))
    return text if len(text) <= MESSAGE_LIMIT else text[:MESSAGE_LIMIT - 1] + "…"


class VendorError(Protocol):
    """What ZendeskError and JiraError both carry."""

    message: str
    status: int | None
    retry_after: float | None

    @property
    def code(self) -> str | None: ...


@contextlib.contextmanager
def remote_errors(vendor: str, error_type: type[Exception]) -> Iterator[None]:
    """`error_type` is a VendorError (ZendeskError, JiraError); Jira's per-field errors, when
    present, are added to the message."""
    try:
        yield
    except error_type as caught:
        error = cast(VendorError, caught)  # `except` needs an exception class, the protocol names its fields
        status = error.status
        temporary = status is None or status == 429 or status >= 500
        fields = getattr(error, "field_errors", None)
        detail = f" {fields}" if fields else ""
        raise RemoteError(clean_message(f"{vendor}: {error.message}{detail}"), temporary, error.retry_after,
                          status, error.code) from caught
