"""`bridge setup zendesk` and `bridge check` end to end over real HTTP: the Zendesk and Jira
simulators, and a bridge started with the secret setup handed over at the URL setup wired.

Setup from nothing, then check is green and tickets reach the bridge; each piece of wiring broken
through the Webhooks API is named by check with the command that fixes it, and that command does;
setup twice and a dry run change nothing."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from bridge.cli import main
from bridge.config.settings import load_settings
from bridge.runtime import build_runtime
from bridge.serving.server import ServerThread, free_port
from connectors.jira.simulator import JiraSimulator
from connectors.zendesk.client import ZendeskClient
from connectors.zendesk.events import SUBSCRIBED_EVENT_TYPES
from connectors.zendesk.simulator import ZendeskSimulator
from connectors.zendesk.webhooks import WEBHOOK_NAME, ZendeskWebhooks

JIRA_TOKEN = "jira-setup-token"
SECRET_VARIABLE = "ZENDESK_WEBHOOK_SECRET"
WRITES = ("POST", "PUT", "PATCH", "DELETE")
EXPORT = re.compile(rf"^export {SECRET_VARIABLE}=(\S+)$", re.MULTILINE)


@pytest.fixture(scope="module")
def jira():
    with JiraSimulator(api_token=JIRA_TOKEN) as simulator:
        yield simulator


@pytest.fixture
def zendesk():
    with ZendeskSimulator(job_delay=0.05) as simulator:
        simulator.set_delivery_options(max_attempts=2, backoff_seconds=0.01)
        yield simulator


@dataclass
class Deployment:
    """A config file whose webhook secret comes from the environment, and a bridge to start."""

    config: Path
    public_url: str
    zendesk: ZendeskSimulator
    server: ServerThread | None = None

    def cli(self, *arguments: str, secret: str | None = None):
        return CliRunner(env={SECRET_VARIABLE: secret}).invoke(main, ["--config", str(self.config), *arguments])

    def setup(self, *options: str):
        return self.cli("setup", "zendesk", "--public-url", self.public_url, *options)

    def start_bridge(self, secret: str) -> None:
        settings = load_settings(self.config, {**os.environ, SECRET_VARIABLE: secret})
        runtime = build_runtime(settings)
        self.server = ServerThread(runtime, port=int(self.public_url.rsplit(":", 1)[1])).start()
        self._runtime = runtime

    def stop_bridge(self) -> None:
        if self.server is not None:
            self.server.stop()
            self._runtime.engine.dispose()
            self.server = None

    def webhooks(self) -> ZendeskWebhooks:
        return ZendeskWebhooks(ZendeskClient(self.zendesk.url, self.zendesk.api_email, self.zendesk.api_token))

    def webhook(self) -> dict:
        [webhook] = self.webhooks().listing()
        return webhook

    def writes(self) -> list[str]:
        return [f"{request.method} {request.path}" for request in self.zendesk.requests if request.method in WRITES]


@pytest.fixture
def deployment(tmp_path, zendesk, jira):
    public_url = f"http://127.0.0.1:{free_port('127.0.0.1')}"
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({
        "zendesk": {"url": zendesk.url, "email": zendesk.api_email, "api_token": zendesk.api_token,
                    "webhook_secret": "${" + SECRET_VARIABLE + "}", "bridge_user_id": zendesk.account.api_user_id},
        "jira": {"url": jira.url, "email": "bridge@example.com", "api_token": JIRA_TOKEN, "webhook_secret": "j"},
        "database": {"url": "sqlite:///bridge.db", "sqlite_synchronous": "NORMAL"},
        "server": {"public_url": public_url},
        "teams": {"engineering": {"project": "ENG"}},
    }))
    wired = Deployment(config, public_url, zendesk)
    # Jira wired too, so that `bridge check` has nothing to say but of Zendesk.
    jira_setup = wired.cli("setup", "jira", secret="unused")
    assert jira_setup.exit_code == 0, jira_setup.output
    yield wired
    wired.stop_bridge()


@pytest.fixture
def wired(deployment) -> tuple[Deployment, str]:
    """Setup done from nothing and the bridge running with the secret it handed over."""
    result = deployment.setup()
    assert result.exit_code == 0, result.output
    secret = EXPORT.search(result.stdout).group(1)
    deployment.start_bridge(secret)
    return deployment, secret


def errors_of(result) -> list[str]:
    return [line.removeprefix("error: ") for line in result.stderr.splitlines() if line.startswith("error: ")]


def test_setup_from_nothing_then_check_is_green_and_tickets_reach_the_bridge(wired):
    deployment, secret = wired
    webhook = deployment.webhook()
    assert (webhook["name"], webhook["endpoint"], webhook["status"]) == (
        WEBHOOK_NAME, f"{deployment.public_url}/webhooks/zendesk", "active")
    assert sorted(webhook["subscriptions"]) == sorted(SUBSCRIBED_EVENT_TYPES)
    assert secret == deployment.webhooks().signing_secret(webhook["id"])

    check = deployment.cli("check", secret=secret)
    assert check.exit_code == 0, check.output

    deployment.zendesk.customer_creates_ticket("Charged twice", "billed twice")
    assert deployment.zendesk.wait_for_deliveries(timeout=10)
    assert [delivery.delivered for delivery in deployment.zendesk.deliveries] == [True]
    assert deployment.cli("check", secret=secret).exit_code == 0


def test_setup_prints_the_user_id_and_config_keys_as_comments(deployment):
    result = deployment.setup()
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert f"#   zendesk.bridge_user_id: {deployment.zendesk.account.api_user_id}" in lines
    assert f"#   server.public_url: {deployment.public_url}" in lines
    assert all(line.startswith(("#", "export ")) for line in lines)


def test_setup_twice_changes_nothing_the_second_time(wired):
    deployment, secret = wired
    before = deployment.webhook()
    deployment.zendesk.clear_requests()

    again = deployment.setup()

    assert again.exit_code == 0, again.output
    assert "up to date" in again.stdout and EXPORT.search(again.stdout).group(1) == secret
    assert deployment.writes() == [] and deployment.webhook() == before


def test_a_dry_run_changes_nothing(deployment):
    result = deployment.setup("--dry-run", "--fields")
    assert result.exit_code == 0, result.output
    assert "would create it" in result.stdout and "export" not in result.stdout
    assert deployment.writes() == [] and deployment.webhooks().listing() == []


def test_fields_are_created_once_and_printed_as_config_keys(deployment):
    first = deployment.setup("--fields")
    second = deployment.setup("--fields")

    assert first.exit_code == second.exit_code == 0, first.output + second.output
    keys = dict(re.findall(r"#   (zendesk\.fields\.\w+): (\d+)", first.stdout))
    assert set(keys) == {"zendesk.fields.jira_key", "zendesk.fields.jira_status", "zendesk.fields.expected_fix_date"}
    assert dict(re.findall(r"#   (zendesk\.fields\.\w+): (\d+)", second.stdout)) == keys
    custom = {field["title"]: field for field in deployment.zendesk.account.ticket_fields() if field["removable"]}
    assert {title: field["type"] for title, field in custom.items()} == {
        "Jira issue": "text", "Jira status": "text", "Expected fix date": "date"}


def test_the_secrets_file_holds_the_secret_for_its_owner_only(deployment, tmp_path):
    path = tmp_path / "zendesk_webhook_secret"
    result = deployment.setup("--secrets-file", str(path))

    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == deployment.webhooks().signing_secret(deployment.webhook()["id"])
    assert path.read_text() not in result.output


Break = Callable[[ZendeskWebhooks, dict], None]
BREAKS: dict[str, tuple[Break, str]] = {
    "event type removed": (
        lambda webhooks, webhook: webhooks.patch(webhook["id"], {"subscriptions": [
            kind for kind in SUBSCRIBED_EVENT_TYPES if not kind.endswith(".comment_added")]}),
        "is not subscribed to 1 event type(s) the bridge reads: zen:event-type:ticket.comment_added"),
    "URL changed": (
        lambda webhooks, webhook: webhooks.patch(webhook["id"], {"endpoint": "https://old.example.com/webhooks/zendesk"}),
        "sends to https://old.example.com/webhooks/zendesk, not to {public_url}/webhooks/zendesk"),
    "webhook inactive": (
        lambda webhooks, webhook: webhooks.patch(webhook["id"], {"status": "inactive"}), "is inactive, not active"),
    "webhook deleted": (
        lambda webhooks, webhook: webhooks.delete(webhook["id"]), f'no webhook named "{WEBHOOK_NAME}"'),
}


@pytest.mark.parametrize("broken", list(BREAKS))
def test_check_names_each_broken_piece_and_the_command_that_fixes_it(wired, broken):
    deployment, secret = wired
    breaking, expected = BREAKS[broken]
    breaking(deployment.webhooks(), deployment.webhook())

    check = deployment.cli("check", secret=secret)

    assert check.exit_code == 1
    [error] = errors_of(check)
    assert expected.format(public_url=deployment.public_url) in error
    assert f"run `bridge setup zendesk --public-url {deployment.public_url}`" in error
    fixed = deployment.setup()
    assert fixed.exit_code == 0, fixed.output
    fixed_secret = EXPORT.search(fixed.stdout).group(1)
    assert (fixed_secret == secret) == (broken != "webhook deleted")  # a new webhook has a new secret
    if fixed_secret != secret:
        deployment.stop_bridge()
        deployment.start_bridge(fixed_secret)
    assert deployment.cli("check", secret=fixed_secret).exit_code == 0


def test_a_rotated_secret_is_named_and_then_a_bridge_still_on_the_old_one(wired):
    deployment, old_secret = wired
    webhooks = deployment.webhooks()
    new_secret = webhooks.reset_signing_secret(deployment.webhook()["id"])

    stale_config = deployment.cli("check", secret=old_secret)
    assert stale_config.exit_code == 1
    [error] = errors_of(stale_config)
    assert error.startswith("zendesk.webhook_secret: is not the signing secret of webhook")
    assert "bridge setup zendesk" in error and old_secret not in error and new_secret not in error

    stale_bridge = deployment.cli("check", secret=new_secret)  # the config is right, the bridge runs on
    assert stale_bridge.exit_code == 1
    [error] = errors_of(stale_bridge)
    assert "refused a test delivery signed with the secret of webhook" in error and "(HTTP 401)" in error


def test_failing_deliveries_are_named_until_one_succeeds(wired):
    deployment, secret = wired
    deployment.stop_bridge()
    deployment.zendesk.customer_creates_ticket("Nobody listens", "body")
    assert deployment.zendesk.wait_for_deliveries(timeout=10)

    down = deployment.cli("check", secret=secret)
    assert down.exit_code == 1
    [error] = errors_of(down)
    assert "its latest 1 deliveries failed (newest: failed at" in error
    assert f"make sure `bridge serve` answers at {deployment.public_url}/webhooks/zendesk" in error

    deployment.start_bridge(secret)
    deployment.zendesk.customer_creates_ticket("Heard again", "body")
    assert deployment.zendesk.wait_for_deliveries(timeout=10)
    assert deployment.cli("check", secret=secret).exit_code == 0


def test_setup_needs_every_other_variable_and_says_so_in_one_line(deployment):
    config = deployment.config.read_text().replace(deployment.zendesk.api_token, "${SETUP_TEST_UNSET_TOKEN}")
    deployment.config.write_text(config)
    result = deployment.setup()
    assert result.exit_code == 1
    assert re.search(r"config\.yaml:\d+: zendesk\.api_token: environment variable SETUP_TEST_UNSET_TOKEN is not set",
                     result.stderr)


def test_an_unreachable_zendesk_or_a_bad_url_is_one_plain_line(deployment):
    closed = f"http://127.0.0.1:{free_port('127.0.0.1')}"
    deployment.config.write_text(deployment.config.read_text().replace(deployment.zendesk.url, closed))
    unreachable = deployment.setup()
    assert unreachable.exit_code == 1 and "Traceback" not in unreachable.output
    host = closed.removeprefix("http://")
    assert unreachable.stderr == f"Error: zendesk.url: cannot reach {host}: the connection was refused " \
                                 "(nothing listens on that port)\n"
    bad_url = deployment.cli("setup", "zendesk", "--public-url", "bridge.example.com")
    assert bad_url.exit_code == 2 and "is not an http(s) URL" in bad_url.stderr
