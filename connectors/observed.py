"""Every request a vendor client sends, timed and reported by endpoint and outcome (the bridge's
`bridge_vendor_request_*` metrics). The endpoint is the URL's path with ids and issue keys
replaced, so that a label names an API call, not a ticket."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

import requests
from requests import PreparedRequest, Response
from requests.adapters import BaseAdapter

# vendor ("zendesk", "jira"), method, endpoint, seconds, outcome ("2xx", "429", "5xx", "timeout", ...)
RequestObserver = Callable[[str, str, str, float, str], None]

# Numbers, long hex strings (Zendesk's job ids) and UUIDs, with or without `.json`.
_ID = re.compile(r"^(?:\d+|[0-9a-f]{16,}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?=\.json$|$)")
_ISSUE_KEY = re.compile(r"^[A-Z][A-Z0-9_]*-\d+$")
_MAX_ENDPOINT = 120


def endpoint_of(url: str) -> str:
    """`/api/v2/tickets/{id}.json`, `/rest/api/2/issue/{key}/comment`: the path, ids and keys named."""
    segments: list[str] = []
    for segment in urlsplit(url).path.split("/"):
        if segments and segments[-1] == "api":
            segments.append(segment)  # the API's version: /rest/api/3
        else:
            segments.append("{key}" if _ISSUE_KEY.match(segment) else _ID.sub("{id}", segment))
    return "/".join(segments)[:_MAX_ENDPOINT] or "/"


def outcome_of(status: int) -> str:
    return "429" if status == 429 else f"{status // 100}xx"


class ObservedAdapter(BaseAdapter):
    """Sends through `inner` and tells `observer` what each request cost and how it ended."""

    def __init__(self, inner: BaseAdapter, vendor: str, observer: RequestObserver):
        super().__init__()
        self.inner, self.vendor, self.observer = inner, vendor, observer

    def send(self, request: PreparedRequest, stream: bool = False,
             timeout: float | tuple[float, float] | tuple[float, None] | None = None, verify: bool | str = True,
             cert: bytes | str | tuple[bytes | str, bytes | str] | None = None,
             proxies: Mapping[str, str] | None = None) -> Response:
        started = time.perf_counter()
        endpoint, method = endpoint_of(request.url or ""), request.method or "GET"
        try:
            response = self.inner.send(request, stream=stream, timeout=timeout, verify=verify, cert=cert,
                                       proxies=proxies)
        except requests.Timeout:
            self.observer(self.vendor, method, endpoint, time.perf_counter() - started, "timeout")
            raise
        except requests.ConnectionError:
            self.observer(self.vendor, method, endpoint, time.perf_counter() - started, "connection_error")
            raise
        self.observer(self.vendor, method, endpoint, time.perf_counter() - started,
                      outcome_of(response.status_code))
        return response

    def close(self) -> None:
        self.inner.close()


def observe_requests(session: requests.Session, vendor: str, observer: RequestObserver | None) -> None:
    """From now on every request `session` sends is reported to `observer` (None: nothing changes)."""
    if observer is None:
        return
    for prefix, adapter in list(session.adapters.items()):
        if not isinstance(adapter, ObservedAdapter):
            session.adapters[prefix] = ObservedAdapter(adapter, vendor, observer)
