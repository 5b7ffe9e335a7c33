"""HTTP transport for zenpy: send zenpy's https://{subdomain}.{domain} URLs to any configured address.

zenpy builds every URL as https://{subdomain}.{domain}/api/v2/... and its response handlers match on
that host, so the URL stays as zenpy built it; the adapter below opens the connection to the
configured scheme/host/port instead and hands the original request back on the response.
A 429 is turned into a ZendeskError in a response hook, before zenpy's own sleep-and-retry loop
can see it: the caller decides when to retry.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit, urlunsplit

import requests
from requests import PreparedRequest, Response
from requests.adapters import HTTPAdapter

from connectors.zendesk.errors import ZendeskError


class AddressRewritingAdapter(HTTPAdapter):
    """Opens every connection to `target_base` (scheme://host:port), keeping path and query."""

    def __init__(self, target_base: str):
        super().__init__(max_retries=0)
        target = urlsplit(target_base)
        self._scheme = target.scheme
        self._netloc = target.netloc

    def send(self, request: PreparedRequest, stream: bool = False,
             timeout: float | tuple[float, float] | tuple[float, None] | None = None, verify: bool | str = True,
             cert: bytes | str | tuple[bytes | str, bytes | str] | None = None,
             proxies: Mapping[str, str] | None = None) -> Response:
        original_url = request.url
        assert original_url is not None, "a prepared request has its URL"
        parts = urlsplit(original_url)
        redirected = request.copy()
        redirected.url = urlunsplit((self._scheme, self._netloc, parts.path, parts.query, parts.fragment))
        response = super().send(redirected, stream=stream, timeout=timeout, verify=verify, cert=cert,
                                proxies=proxies)
        response.request = request
        response.url = original_url
        return response


def parse_retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def raise_on_rate_limit(response: requests.Response, *args, **kwargs) -> requests.Response:
    if response.status_code == 429:
        raise ZendeskError(
            f"rate limited: {response.text[:200]}",
            status=429,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )
    return response


def build_session(base_url: str, api_host: str) -> requests.Session:
    """A session whose requests to `https://{api_host}` really go to `base_url`."""
    session = requests.Session()
    target = urlsplit(base_url)
    if target.scheme == "https" and target.netloc == api_host:
        adapter = HTTPAdapter(max_retries=0)
    else:
        adapter = AddressRewritingAdapter(base_url)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.hooks["response"].append(raise_on_rate_limit)
    return session
