"""A real-HTTP Zendesk Support API simulator: tickets, bulk jobs, search, incremental export, webhooks."""

from connectors.zendesk.simulator.delivery import DeliveryOptions
from connectors.zendesk.simulator.front_door import RecordedRequest
from connectors.zendesk.simulator.server import ZendeskSimulator, build_standalone, run_standalone

__all__ = ["DeliveryOptions", "RecordedRequest", "ZendeskSimulator", "build_standalone", "run_standalone"]
