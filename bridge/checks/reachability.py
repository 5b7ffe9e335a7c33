"""Why a vendor could not be reached, in plain words: `cannot reach acme.atlassian.net: the name does
not resolve` instead of urllib3's `HTTPSConnectionPool(...) Max retries exceeded ... NameResolutionError`.

The clients raise their own error type with the network failure as its cause; the cause chain
(requests → urllib3 → socket / ssl) is searched for the first failure that has a plain name."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from urllib.parse import urlsplit

import requests
import urllib3.exceptions


def unreachable(url: str, error: BaseException) -> str:
    """`cannot reach HOST[:PORT]: REASON` for a request to `url` that failed with `error`."""
    return f"cannot reach {urlsplit(url).netloc or url}: {_reason(error)}"


# Most telling first: urllib3's NewConnectionError is a kind of ConnectTimeoutError, so a refused
# connection also looks like a timeout.
_REASONS: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((socket.gaierror, urllib3.exceptions.NameResolutionError), "the name does not resolve"),
    ((ConnectionRefusedError,), "the connection was refused (nothing listens on that port)"),
    ((ssl.SSLCertVerificationError,), "its TLS certificate is not trusted"),
    ((ssl.SSLError, requests.exceptions.SSLError),
     "the TLS handshake failed (is it an https:// address of a server that speaks TLS?)"),
    ((TimeoutError, requests.Timeout, urllib3.exceptions.TimeoutError), "it did not answer in time"),
    ((ConnectionResetError,), "the connection was closed before it answered"),
)


def _reason(error: BaseException) -> str:
    causes = list(_causes(error))
    for kinds, reason in _REASONS:
        for cause in causes:
            if isinstance(cause, kinds):
                detail = getattr(cause, "verify_message", None)
                return f"{reason} ({detail})" if detail else reason
    return f"the connection failed ({type(causes[-1]).__name__})"


def _causes(error: BaseException) -> Iterator[BaseException]:
    """`error` and everything it was caused by, as far as the libraries record it."""
    seen: set[int] = set()
    pending = [error]
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        linked = [current.__cause__, current.__context__, getattr(current, "reason", None), *current.args]
        pending += [item for item in linked if isinstance(item, BaseException)]
