"""Jira webhook authentication: `X-Hub-Signature: sha256=<hex HMAC of raw body>`, or a URL token.

Jira signs the body only, and its delivery id header is not signed: a captured delivery could be
replayed for ever. The body's own `timestamp` (ms) is signed, so a body older than an age limit is
refused (`check_fresh`), and within it a replay is known by its digest (`signed_digest`)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from connectors.signing import SignatureError

SIGNATURE_HEADER = "X-Hub-Signature"
IDENTIFIER_HEADER = "X-Atlassian-Webhook-Identifier"
TOKEN_QUERY_PARAMETER = "token"
FINGERPRINT_QUERY_PARAMETER = "secret_fingerprint"


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.digest(secret.encode(), body, "sha256").hex()


def verify(
    secret: str | None,
    signature: str | None,
    body: bytes,
    url_token: str | None = None,
    expected_url_token: str | None = None,
) -> None:
    """Accept a valid HMAC signature, or (for setups that cannot sign) the configured URL token."""
    if signature:
        if not secret:
            raise SignatureError("bad_signature", "signed request but no webhook secret configured")
        if not hmac.compare_digest(sign(secret, body).encode(), signature.strip().encode()):
            raise SignatureError("bad_signature", "signature does not match")
        return
    if url_token is not None and expected_url_token:
        if hmac.compare_digest(url_token.encode(), expected_url_token.encode()):
            return
        raise SignatureError("bad_token", "URL token does not match")
    raise SignatureError("missing_signature", "no X-Hub-Signature header and no valid URL token")


def signed_digest(body: bytes) -> str:
    """sha256 (hex) of what the signature covers: the raw body, which carries Jira's ms timestamp."""
    return hashlib.sha256(body).hexdigest()


def check_fresh(sent_at: datetime, now: datetime, max_age_seconds: float) -> None:
    """Raise SignatureError unless the payload's timestamp is within `max_age_seconds` of now, in
    either direction (Data Center clocks drift; a far-future body would outlive the memory of
    its digest as surely as an old one)."""
    age = (now - sent_at).total_seconds()
    if age > max_age_seconds:
        raise SignatureError("stale_timestamp",
                             f"payload timestamp is older than {max_age_seconds:.0f} s")
    if -age > max_age_seconds:
        raise SignatureError("stale_timestamp",
                             f"payload timestamp is more than {max_age_seconds:.0f} s in the future")


def secret_fingerprint(secret: str) -> str:
    """A short one-way name for a webhook secret, kept in the webhook's URL (query parameter
    `FINGERPRINT_QUERY_PARAMETER`): Jira never shows a webhook's secret again, so `bridge check`
    compares this to tell which secret Jira signs with. 64 bits of an HMAC keyed by the secret
    itself: it reveals nothing of a random secret."""
    return hmac.digest(secret.encode(), b"zendesk-jira-bridge webhook secret", "sha256").hex()[:16]
