"""Zendesk webhook signatures: base64(HMAC-SHA256(secret, timestamp + raw body))."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime

from connectors.signing import SignatureError

SIGNATURE_HEADER = "X-Zendesk-Webhook-Signature"
TIMESTAMP_HEADER = "X-Zendesk-Webhook-Signature-Timestamp"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.digest(secret.encode(), timestamp.encode() + body, "sha256")
    return base64.b64encode(digest).decode()


def signed_digest(timestamp: str, body: bytes) -> str:
    """sha256 (hex) of exactly what the signature covers. A replay of a signed delivery carries the
    same digest whatever delivery id it is sent under; two real deliveries share it only if
    Zendesk signed the same body in the same second (the timestamp has whole seconds), and then
    they carry the same data. The timestamp tolerance bounds how long a digest must be
    remembered."""
    return hashlib.sha256(timestamp.encode() + body).hexdigest()


def format_timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def verify(
    secret: str,
    signature: str | None,
    timestamp: str | None,
    body: bytes,
    now: datetime,
    tolerance_seconds: float = 300,
) -> None:
    """Raise SignatureError unless `signature` signs `timestamp + body` and the timestamp is fresh."""
    if not signature or not timestamp:
        raise SignatureError("missing_signature", "signature or timestamp header missing")
    try:
        signed_at = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        raise SignatureError("bad_timestamp", "timestamp header is not ISO 8601") from None
    if signed_at.tzinfo is None:
        signed_at = signed_at.replace(tzinfo=UTC)
    if abs((now - signed_at).total_seconds()) > tolerance_seconds:
        raise SignatureError("stale_timestamp", "timestamp outside the allowed window")
    expected = sign(secret, timestamp, body)
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        raise SignatureError("bad_signature", "signature does not match")
