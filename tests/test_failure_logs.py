"""Failure log lines say what went wrong: the vendor's HTTP status, its error code and the attempt at
WARNING/ERROR; the vendor's text (which can echo ticket text) only at DEBUG, trimmed and without
credentials. Real failures: the Jira simulator, and Zendesk answers pinned with `responses`."""

from __future__ import annotations

import logging
import re

import pytest
import requests
import responses

from bridge.runtime import build_runtime
from bridge.storage.leased_queue import FAILED, PENDING
from bridge.storage.schema import inbox_events
from connectors.jira.simulator import JiraSimulator
from connectors.remote import clean_message
from tests.detection.conftest import Scenario, write_rules
from tests.detection.test_detection import DOUBLE_CHARGE
from tests.support.settings import make_settings

CUSTOMER_WORDS = "Ms Jane Roe was charged twice for order 4711"
ZENDESK_TOKEN, JIRA_TOKEN, JIRA_USER = "zendesk-token", "jira-token", "bot@acme.test"
ZENDESK_API = "https://acme.zendesk.com/api/v2"


@pytest.fixture
def jira():
    with JiraSimulator(deployment="cloud", api_token=JIRA_TOKEN, user=JIRA_USER) as simulator:
        yield simulator


@pytest.fixture
def zendesk():
    """Zendesk as `responses` pins it; requests to the Jira simulator on loopback pass through."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_passthru(re.compile(r"http://127\.0\.0\.1:\d+"))
        yield mock


@pytest.fixture
def make_bridge(sqlite_url, tmp_path, clock, jira):
    runtimes = []

    def make(finance: dict | None = None) -> Scenario:
        write_rules(tmp_path / "rules", DOUBLE_CHARGE)
        settings = make_settings(
            sqlite_url, rules=[str(tmp_path / "rules" / "*.yaml")],
            teams={"finance": {"project": "FIN", **(finance or {})}},
            jira={"url": jira.url, "email": JIRA_USER, "api_token": JIRA_TOKEN,
                  "search_lag_seconds": 0},
            zendesk={"bridge_user_id": 999})
        runtime = build_runtime(settings, clock=clock)
        runtimes.append(runtime)
        return Scenario(runtime, clock)

    yield make
    for runtime in runtimes:
        runtime.engine.dispose()


def open_problem(scenario: Scenario) -> None:
    for ticket in (1, 2, 3):
        scenario.ticket_event(ticket, subject=CUSTOMER_WORDS)
    scenario.process()


def lines(caplog, name: str) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.getMessage() == name]


def fields(record: logging.LogRecord) -> dict:
    return record.bridge_fields


def assert_nothing_private_at_info_or_above(caplog) -> None:
    for record in caplog.records:
        text = f"{record.getMessage()} {getattr(record, 'bridge_fields', '')}"
        assert JIRA_TOKEN not in text and ZENDESK_TOKEN not in text
        if record.levelno >= logging.INFO:
            assert "Jane Roe" not in text, text


def test_a_jira_refusal_is_logged_with_its_status_the_refused_field_and_the_attempt(make_bridge, caplog):
    scenario = make_bridge(finance={"components": ["Payments"]})  # FIN has Billing, Invoices, Refunds
    open_problem(scenario)
    with caplog.at_level(logging.DEBUG):
        scenario.runtime.new_action_worker().drain()

    [failed] = lines(caplog, "action.failed")
    assert failed.levelno == logging.ERROR  # Jira refuses it whatever the attempt: parked at once
    assert {k: fields(failed)[k] for k in ("kind", "status", "vendor_error", "attempt", "parked")} == {
        "kind": "jira.create_issue", "status": 400, "vendor_error": "components", "attempt": 1, "parked": True}
    [detail] = lines(caplog, "action.failed_detail")
    assert detail.levelno == logging.DEBUG and "Payments" in fields(detail)["error"]
    assert_nothing_private_at_info_or_above(caplog)


def test_a_jira_outage_is_logged_as_a_retry_with_its_status(make_bridge, jira, caplog):
    scenario = make_bridge()
    open_problem(scenario)
    jira.inject_faults(1, "503")
    with caplog.at_level(logging.INFO):
        scenario.runtime.new_action_worker().run_once()

    [failed] = lines(caplog, "action.failed")
    assert failed.levelno == logging.WARNING
    assert {k: fields(failed)[k] for k in ("status", "attempt", "parked")} == {
        "status": 503, "attempt": 1, "parked": False}
    assert fields(failed)["retry_at"] is not None
    [action] = scenario.runtime.outbox.list()
    assert action.status == PENDING


def test_a_zendesk_refusal_echoing_ticket_text_and_credentials_keeps_them_out_of_info_logs(
        make_bridge, zendesk, caplog):
    """Zendesk's validation errors can quote what was sent; the bridge's own comment on linked
    tickets is what it sends here. The code and status are logged, the text only at DEBUG."""
    echoed = {"error": "RecordInvalid", "request": {"Authorization": f"Basic {ZENDESK_TOKEN}"},
              "details": {"base": [{"description": f"Ticket 1: {CUSTOMER_WORDS} " + "x" * 400}]}}
    zendesk.add(responses.PUT, re.compile(re.escape(ZENDESK_API) + r"/.*"), json=echoed, status=422)
    zendesk.add(responses.POST, re.compile(re.escape(ZENDESK_API) + r"/.*"), json=echoed, status=422)
    scenario = make_bridge()
    open_problem(scenario)
    with caplog.at_level(logging.DEBUG):
        scenario.runtime.new_action_worker().drain()

    failures = [fields(r) for r in lines(caplog, "action.failed") if fields(r)["kind"].startswith("zendesk.")]
    assert failures and failures[0]["status"] == 422 and failures[0]["vendor_error"] == "RecordInvalid"
    details = [fields(r)["error"] for r in lines(caplog, "action.failed_detail")]
    assert any("Jane Roe" in detail for detail in details)  # DEBUG keeps what an admin needs
    assert all(len(detail) <= 300 and ZENDESK_TOKEN not in detail for detail in details)
    assert_nothing_private_at_info_or_above(caplog)
    stored = [a.last_error for a in scenario.runtime.outbox.list() if a.kind.startswith("zendesk.")]
    assert stored and all(ZENDESK_TOKEN not in error for error in stored)


def test_a_parked_event_says_why(make_bridge, caplog):
    scenario = make_bridge()
    scenario.ticket_event(1, subject=CUSTOMER_WORDS)
    [event] = scenario.runtime.inbox.list()
    with scenario.runtime.engine.begin() as connection:
        connection.execute(inbox_events.update().values(
            body=event.body.replace('"tags": ["web"]', '"tags": 42')))
    with caplog.at_level(logging.INFO):
        scenario.process()

    [failed] = lines(caplog, "worker.event_failed")
    assert failed.levelno == logging.ERROR and fields(failed)["parked"] is True
    assert fields(failed)["reason"] == "'tags' must be a list of strings"
    assert scenario.runtime.inbox.list()[0].status == FAILED
    assert_nothing_private_at_info_or_above(caplog)


def test_a_failed_request_s_url_query_is_cut_from_the_vendor_text():
    """requests quotes the URL it failed on; a query string can carry a token."""
    with pytest.raises(requests.ConnectionError) as failure:
        requests.get("http://127.0.0.1:9/rest/api/2/search?jql=project%3DFIN&token=s3cret", timeout=2)
    cleaned = clean_message(f"Jira: search: {failure.value}")
    assert "s3cret" not in cleaned and "/rest/api/2/search?[redacted]" in cleaned
    assert len(clean_message("x" * 1000)) == 300
