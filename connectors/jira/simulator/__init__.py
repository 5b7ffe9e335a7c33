"""A Jira simulator over real HTTP (Cloud or Data Center flavour) for tests, demos and `bridge sim jira`."""

from connectors.jira.simulator.simulator import FAULT_KINDS, JiraSimulator, RecordedRequest
from connectors.jira.simulator.standalone import run_standalone
from connectors.jira.simulator.webhooks import DeliveryAttempt, WebhookTarget

__all__ = ["FAULT_KINDS", "DeliveryAttempt", "JiraSimulator", "RecordedRequest", "WebhookTarget", "run_standalone"]
