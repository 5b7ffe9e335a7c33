"""The simulators sign like the vendors: the bridge's own verification accepts the configured secret
and refuses any other, and a refused delivery leaves nothing behind."""

from __future__ import annotations

import pytest

from bridge.demo.observations import bridge_intake
from connectors.jira.signature import SIGNATURE_HEADER, verify
from connectors.signing import SignatureError
from tests.e2e.conftest import jira_client_for


def test_jira_signatures_verify_with_the_bridge_secret_only(loopback, settle, jira_client):
    jira_client.create_issue("ENG", "Bug", "Export shows error 500")
    settle(loopback)

    [attempt] = loopback.jira.deliveries
    assert attempt.status == 200
    verify(loopback.jira_webhook_secret, attempt.headers[SIGNATURE_HEADER], attempt.body)
    with pytest.raises(SignatureError):
        verify("not-the-secret", attempt.headers[SIGNATURE_HEADER], attempt.body)


def test_zendesk_webhooks_with_a_wrong_secret_get_401_and_store_nothing(unconnected_loopback, settle):
    zendesk = unconnected_loopback.zendesk
    zendesk.set_delivery_options(max_attempts=2)
    zendesk.configure_webhook(unconnected_loopback.webhook_url("zendesk"), "not-the-bridge-secret")
    ticket = zendesk.customer_creates_ticket("Charged twice", "Two charges of EUR 9.99 on my card.")
    settle(unconnected_loopback)

    [delivery] = zendesk.deliveries
    assert delivery.attempts == [401, 401] and not delivery.delivered
    assert_nothing_stored(unconnected_loopback)
    assert unconnected_loopback.runtime.tickets.get(ticket["id"]) is None


def test_jira_webhooks_with_a_wrong_secret_get_401_and_store_nothing(unconnected_loopback, settle):
    unconnected_loopback.jira.configure_webhook(unconnected_loopback.webhook_url("jira"), secret="not-the-secret")
    with jira_client_for(unconnected_loopback) as client:
        client.create_issue("ENG", "Bug", "App freezes at login")
    settle(unconnected_loopback)

    statuses = {attempt.status for attempt in unconnected_loopback.jira.deliveries}
    assert statuses == {401}
    assert_nothing_stored(unconnected_loopback)


def assert_nothing_stored(environment) -> None:
    intake = bridge_intake(environment.runtime)
    assert intake.accepted == 0 and intake.rejected > 0
