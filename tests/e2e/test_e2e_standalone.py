"""`bridge sim zendesk`, `bridge sim jira` and `bridge serve` with config.simulators.yaml, as three
real processes: what the README tells an admin to run."""

from __future__ import annotations

import shutil
import socket
import time
from pathlib import Path

import requests
import yaml
from click.testing import CliRunner

from bridge.cli import main
from bridge.cli.sim import (
    DEFAULT_BRIDGE_URL,
    JIRA_WEBHOOK_SECRET,
    SIMULATOR_API_EMAIL,
    SIMULATOR_API_TOKEN,
    ZENDESK_WEBHOOK_SECRET,
)
from bridge.config.settings import load_settings
from bridge.runtime import build_runtime
from bridge.storage.inbox import DONE
from connectors.jira.client import JiraClient
from connectors.jira.errors import JiraError
from connectors.zendesk.client import ZendeskClient
from connectors.zendesk.simulator import ZendeskSimulator
from tests.support.processes import ROOT, BridgeProcess

CONFIG = ROOT / "config.simulators.yaml"


def test_simulator_config_matches_the_sim_command_defaults():
    settings = load_settings(CONFIG, environ={})
    assert (settings.zendesk.url, settings.jira.url) == ("http://127.0.0.1:8101", "http://127.0.0.1:8102")
    assert settings.zendesk.email == settings.jira.email == SIMULATOR_API_EMAIL
    assert settings.zendesk.api_token.get_secret_value() == settings.jira.api_token.get_secret_value() \
        == SIMULATOR_API_TOKEN
    assert settings.zendesk.webhook_secret.get_secret_value() == ZENDESK_WEBHOOK_SECRET
    assert settings.jira.webhook_secret.get_secret_value() == JIRA_WEBHOOK_SECRET
    assert f"http://{settings.server.host}:{settings.server.port}" == DEFAULT_BRIDGE_URL
    with ZendeskSimulator() as simulator:
        assert settings.zendesk.bridge_user_id == simulator.account.api_user_id


def test_bridge_check_accepts_the_simulator_config(tmp_path):
    shutil.copy(CONFIG, tmp_path / CONFIG.name)
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    result = CliRunner().invoke(main, ["--config", str(tmp_path / CONFIG.name), "check", "--offline"], env={})
    assert result.exit_code == 0, result.output


def test_standalone_simulators_pass_bridge_check_and_talk_to_the_bridge(tmp_path):
    zendesk_port, jira_port, bridge_port = free_ports(3)
    bridge_url = f"http://127.0.0.1:{bridge_port}"
    config = write_config(tmp_path, zendesk_port, jira_port)
    processes = [BridgeProcess("sim", "zendesk", "--port", str(zendesk_port), "--bridge-url", bridge_url),
                 BridgeProcess("sim", "jira", "--port", str(jira_port), "--bridge-url", bridge_url),
                 BridgeProcess("--config", str(config), "serve", "--port", str(bridge_port))]
    try:
        processes[0].wait_for_line(r"Zendesk simulator on http://127\.0\.0\.1")
        processes[2].wait_for_line(r"event=serve\.listening")
        with JiraClient(f"http://127.0.0.1:{jira_port}", "cloud", SIMULATOR_API_EMAIL, SIMULATOR_API_TOKEN,
                        timeout=2) as jira:
            wait_until_answering(jira)
            # As the config's comment says: Jira's webhook registered by setup, then check.
            wired = CliRunner().invoke(main, ["--config", str(config), "setup", "jira", "--public-url", bridge_url],
                                       env={})
            assert wired.exit_code == 0, wired.output
            checked = CliRunner().invoke(main, ["--config", str(config), "check"], env={})
            assert (checked.exit_code, checked.stderr) == (0, ""), checked.output
            key = jira.create_issue("ENG", "Bug", "App crashes on launch")["key"]
        zendesk = ZendeskClient(f"http://127.0.0.1:{zendesk_port}", SIMULATOR_API_EMAIL, SIMULATOR_API_TOKEN)
        ticket = zendesk.create_ticket("Where is my order?", "Order 5521 is late.",
                                       requester_email="ana@example.com")

        runtime = build_runtime(load_settings(config, environ={}))
        deadline = time.monotonic() + 15
        while runtime.inbox.counts()[DONE] < 2:
            assert time.monotonic() < deadline, "\n".join(process.output for process in processes)
            time.sleep(0.05)
        assert runtime.tickets.get(ticket["id"]).subject == "Where is my order?"
        assert runtime.issue_snapshots.get_by_key(key).summary == "App crashes on launch"
        runtime.engine.dispose()
        token = load_settings(config, environ={}).api.token
        assert token is not None
        dashboard = requests.get(f"{bridge_url}/dashboard", params={"token": token.get_secret_value()}, timeout=5)
        assert dashboard.status_code == 200, dashboard.text
    finally:
        for process in processes:
            process.stop()


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def write_config(directory: Path, zendesk_port: int, jira_port: int) -> Path:
    """config.simulators.yaml, moved to other ports and a scratch database."""
    data = yaml.safe_load(CONFIG.read_text())
    data["zendesk"]["url"] = f"http://127.0.0.1:{zendesk_port}"
    data["jira"]["url"] = f"http://127.0.0.1:{jira_port}"
    data["database"]["url"] = f"sqlite:///{directory / 'bridge.db'}"
    data["rules"] = [str(ROOT / "rules" / "*.yaml")]
    path = directory / "config.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def wait_until_answering(jira: JiraClient, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            jira.server_info()
            return
        except JiraError:
            assert time.monotonic() < deadline, "the Jira simulator never answered"
            time.sleep(0.1)
