"""`bridge serve` as a real process: production server, embedded worker, clean shutdown, quiet logs."""

import time

import requests

from bridge.config.settings import load_settings
from bridge.runtime import build_runtime
from bridge.storage.inbox import DONE
from tests.support.fixtures import load_fixture
from tests.support.processes import BridgeProcess
from tests.support.signing import body_of, fresh_jira, jira_headers, zendesk_headers
from tests.test_worker_crash import write_config


def test_serve_accepts_processes_and_stops_cleanly(tmp_path, sqlite_url):
    config = write_config(tmp_path, sqlite_url)
    # DEBUG: even the most talkative level must not leak secrets or customer text.
    config.write_text(config.read_text().replace("level: INFO", "level: DEBUG"))
    bridge = BridgeProcess("--config", str(config), "serve", "--host", "127.0.0.1", "--port", "0")
    try:
        port = bridge.wait_for_line(r"event=serve\.listening .*port=(\d+)").group(1)
        url = f"http://127.0.0.1:{port}"
        assert requests.get(f"{url}/readyz", timeout=5).json()["status"] == "ready"

        payload = load_fixture("zendesk", "ticket.created__docs_example")
        payload["detail"]["subject"] = "My card was charged twice, customer secret text"
        body = body_of(payload)
        from bridge.runtime import utc_now
        answer = requests.post(f"{url}/webhooks/zendesk", data=body, timeout=5,
                               headers=zendesk_headers(body, utc_now()))
        assert answer.status_code == 200
        jira_body = body_of(fresh_jira(load_fixture("jira", "issue_updated__resolved"), utc_now()))
        answer = requests.post(f"{url}/webhooks/jira", data=jira_body, timeout=5, headers=jira_headers(jira_body))
        assert answer.status_code == 200

        runtime = build_runtime(load_settings(config))
        deadline = time.monotonic() + 10
        while runtime.inbox.counts()[DONE] < 2:
            assert time.monotonic() < deadline, bridge.output
            time.sleep(0.05)
        assert runtime.tickets.get(5158).subject.startswith("My card")
        runtime.engine.dispose()
    finally:
        code = bridge.stop()
    assert code == 0, bridge.output
    assert "event=serve.stopped" in bridge.output
    assert "event=webhook.accepted" in bridge.output
    for secret in ("dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==", "jira-test-secret", "zendesk-token"):
        assert secret not in bridge.output
    assert "charged twice" not in bridge.output
    # Nothing to act on, nothing said: granian's "Configuration allows spawning up to 32 Python
    # threads" (its WSGI interface warns; bridge serve runs RSGI) or any other warning of granian's.
    assert [line for line in bridge.output.splitlines()
            if ("logger=_granian" in line and "level=info" not in line) or "Python threads" in line] == []
