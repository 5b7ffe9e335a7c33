"""Build requests exactly as Zendesk and Jira sign them."""

from __future__ import annotations

import json
from datetime import datetime

from connectors.jira import signature as jira_signature
from connectors.zendesk import signature as zendesk_signature
from tests.support.settings import JIRA_SECRET, ZENDESK_SECRET


def body_of(payload) -> bytes:
    return payload if isinstance(payload, bytes) else json.dumps(payload).encode()


def zendesk_headers(body: bytes, moment: datetime, secret: str = ZENDESK_SECRET, **extra) -> dict:
    timestamp = zendesk_signature.format_timestamp(moment)
    return {
        "Content-Type": "application/json",
        zendesk_signature.TIMESTAMP_HEADER: timestamp,
        zendesk_signature.SIGNATURE_HEADER: zendesk_signature.sign(secret, timestamp, body),
        **extra,
    }


def jira_timestamp(moment: datetime) -> int:
    """Jira's payload `timestamp`: milliseconds since the epoch."""
    return round(moment.timestamp() * 1000)


def fresh_jira(payload: dict, moment: datetime) -> dict:
    """A Jira payload (e.g. a capture) as if Jira sent it at `moment`: the bridge refuses bodies
    whose own timestamp is hours old."""
    return {**payload, "timestamp": jira_timestamp(moment)}


def jira_headers(body: bytes, secret: str = JIRA_SECRET, identifier: str | None = None) -> dict:
    headers = {"Content-Type": "application/json; charset=UTF-8",
               jira_signature.SIGNATURE_HEADER: jira_signature.sign(secret, body)}
    if identifier:
        headers[jira_signature.IDENTIFIER_HEADER] = identifier
    return headers
