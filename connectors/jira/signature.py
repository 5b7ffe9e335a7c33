"""Jira webhook authentication: `X-Hub-Signature: sha256=<hex HMAC of raw body>`, or a URL token."""

from __future__ import annotations

import hmac

from connectors.signing import SignatureError

SIGNATURE_HEADER = "X-Hub-Signature"
IDENTIFIER_HEADER = "X-Atlassian-Webhook-Identifier"
TOKEN_QUERY_PARAMETER = "token"


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
