"""The shared `api.token` check: what the token is, and a constant-time comparison with it.

The dashboard (bridge/http/dashboard.py) accepts the token three ways (bearer, basic-auth
password, a one-time `?token=`); all of them end in `token_matches`."""

from __future__ import annotations

import hashlib
import hmac

from bridge.config.settings import Settings


def configured_token(settings: Settings) -> str:
    """The configured `api.token`, or "" when unset or empty (the API and dashboard are off)."""
    token = settings.api.token
    return token.get_secret_value() if token is not None else ""


def token_matches(given: str | None, expected: str) -> bool:
    """True when `given` is the (non-empty) expected token, compared in constant time."""
    if not expected or not given:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def derived_key(token: str, purpose: str) -> bytes:
    """A key derived from the token for one purpose (e.g. signing the dashboard's session cookie):
    stable across restarts, changes when the token does, and does not reveal the token."""
    return hmac.new(token.encode(), f"bridge:{purpose}".encode(), hashlib.sha256).digest()
