"""`bridge sim jira`: run the simulator in the foreground, sending webhooks to a bridge."""

from __future__ import annotations

import logging

from connectors.jira.simulator.simulator import JiraSimulator

log = logging.getLogger(__name__)


def run_standalone(host: str = "127.0.0.1", port: int = 8081, bridge_url: str | None = None,
                   webhook_secret: str | None = None, deployment: str = "cloud", url_token: str | None = None,
                   api_token: str | None = None, user: str | None = None, max_page_size: int = 50) -> None:
    """Serve until interrupted. `bridge_url` is the bridge's Jira webhook URL (e.g.
    http://127.0.0.1:8000/webhooks/jira); `api_token`/`user` make the simulator require those credentials."""
    sim = JiraSimulator(deployment=deployment, host=host, port=port, api_token=api_token, user=user,
                        max_page_size=max_page_size)
    if bridge_url:
        sim.configure_webhook(bridge_url, secret=webhook_secret, url_token=url_token)
    log.info("jira_sim.started", extra={"url": sim.url, "deployment": deployment, "webhook_url": bridge_url})
    try:
        sim.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
