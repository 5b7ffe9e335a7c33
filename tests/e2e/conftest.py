"""End-to-end fixtures: both simulators and a real bridge (waitress, embedded worker, SQLite in a
temporary directory) on loopback, driven only through HTTP: the simulators' webhooks into the bridge,
the real zenpy and jira clients into the simulators."""

from __future__ import annotations

import pytest

from bridge.demo import LoopbackEnvironment
from connectors.jira.client import JiraClient
from connectors.zendesk.client import ZendeskClient

IDLE_TIMEOUT = 15.0


@pytest.fixture
def loopback():
    with LoopbackEnvironment() as environment:
        yield environment


@pytest.fixture
def unconnected_loopback():
    """Simulators and bridge up, but no webhooks configured: the test points them itself."""
    with LoopbackEnvironment(connect_webhooks=False) as environment:
        yield environment


@pytest.fixture
def settle():
    """Wait until the bridge and both simulators are idle; fail the test if they never are."""
    def wait(environment: LoopbackEnvironment) -> None:
        assert environment.wait_until_idle(timeout=IDLE_TIMEOUT), environment.runtime.inbox.counts()
    return wait


def zendesk_client_for(environment: LoopbackEnvironment) -> ZendeskClient:
    access = environment.access
    return ZendeskClient(access.zendesk_url, access.zendesk_email, access.zendesk_api_token, timeout=5)


def jira_client_for(environment: LoopbackEnvironment) -> JiraClient:
    access = environment.access
    return JiraClient(access.jira_url, "cloud", access.jira_email, access.jira_api_token, timeout=5)


@pytest.fixture
def zendesk_client(loopback) -> ZendeskClient:
    return zendesk_client_for(loopback)


@pytest.fixture
def jira_client(loopback):
    with jira_client_for(loopback) as client:
        yield client


@pytest.fixture
def bridge(tmp_path):
    """Simulators and a bridge with the problem tests' rules (tests/e2e/problems_support.py)."""
    from tests.e2e.problems_support import problem_environment

    environment = problem_environment(tmp_path / "rules")
    yield environment
    environment.stop()
