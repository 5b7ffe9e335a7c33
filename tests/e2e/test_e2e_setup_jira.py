"""`bridge setup jira` and the Jira wiring in `bridge check`, end to end: the CLI against the Jira
simulator's admin webhooks resource over HTTP, and the registered webhook's deliveries into a real
bridge (accepted only when signed with the configured secret)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from pydantic import SecretStr

from bridge.cli import main
from bridge.demo import LoopbackEnvironment
from bridge.setup.jira_plan import WEBHOOK_NAME
from bridge.storage.inbox import DONE, IGNORED, STATUSES
from connectors.jira.client import JiraClient
from connectors.jira.events import JIRA_WEBHOOK_EVENTS
from connectors.jira.simulator.catalog import PARAGRAPH_FIELD_TYPE
from connectors.jira.webhooks import JiraWebhook, JiraWebhooks, WebhookSpec
from tests.support.settings import write_config

WRITES = ("POST", "PUT", "DELETE")


class Admin:
    """The bridge's config on disk, the CLI, and Jira as its administrator sees it."""

    def __init__(self, environment, directory, **jira_overrides):
        self.environment, self.directory = environment, directory
        self.public_url = environment.bridge_url
        self.configure(**jira_overrides)

    def configure(self, **jira_overrides) -> None:
        secrets = {"webhook_secret", "webhook_url_token"}
        jira = self.environment.settings.jira.model_copy(update={
            key: SecretStr(value) if key in secrets and value is not None else value
            for key, value in jira_overrides.items()})
        self.config = write_config(self.directory, self.environment.settings.model_copy(update={"jira": jira}))

    def run(self, *arguments: str):
        result = CliRunner().invoke(main, ["--config", str(self.config), *arguments])
        assert "Traceback" not in result.output
        return result

    def setup(self, *options: str):
        return self.run("setup", "jira", "--public-url", self.public_url, *options)

    def jira_errors(self) -> list[str]:
        """`bridge check`'s findings about Jira (Zendesk's wiring is checked on its own)."""
        result = self.run("check", "--public-url", self.public_url)
        errors = [line.removeprefix("error: ") for line in result.stderr.splitlines()]
        return [error for error in errors if error.startswith("jira")]

    def client(self) -> JiraClient:
        access = self.environment.access
        return JiraClient(access.jira_url, "cloud", access.jira_email, access.jira_api_token, timeout=5)

    def webhooks(self) -> list[JiraWebhook]:
        with self.client() as client:
            return JiraWebhooks(client).list()

    def edit_webhook(self, **changes) -> None:
        """Change the bridge's webhook by hand, as an admin in Jira's settings would."""
        (webhook,) = self.webhooks()
        body = {"name": webhook.name, "url": webhook.url, "events": list(webhook.events),
                "filters": {"issue-related-events-section": webhook.jql_filter},
                "enabled": webhook.enabled, **changes}
        with self.client() as client:
            client.send_to_resource("PUT", f"rest/webhooks/1.0/webhook/{webhook.id}", body, action="edit")

    def writes_to_jira(self) -> list[str]:
        return [f"{r.method} {r.path}" for r in self.environment.jira.requests if r.method in WRITES]


@pytest.fixture
def admin(unconnected_loopback, tmp_path):
    return Admin(unconnected_loopback, tmp_path)


def test_setup_from_nothing_wires_jira_to_the_bridge(admin, settle):
    assert admin.jira_errors() == [f"jira.webhook: Jira has no webhook named {WEBHOOK_NAME!r}, so no Jira change "
                                   f"reaches the bridge: run `bridge setup jira --public-url {admin.public_url}`"]

    result = admin.setup()

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"done: registered Jira webhook {WEBHOOK_NAME!r} (id ")
    (webhook,) = admin.webhooks()
    assert webhook.enabled and set(webhook.events) == set(JIRA_WEBHOOK_EVENTS)
    assert webhook.jql_filter == 'project in ("ENG", "FIN", "SHIP")'
    assert admin.jira_errors() == []
    # The registered webhook's deliveries are signed with the configured secret: the bridge takes them.
    jira = admin.environment.jira
    jira.add_project("MKT", "Marketing")
    with admin.client() as client:
        client.create_issue("ENG", "Bug", "Checkout fails")
        client.create_issue("MKT", "Task", "Not the bridge's project")
    settle(admin.environment)
    (delivery,) = jira.deliveries  # none for MKT: the JQL filter keeps it out
    assert delivery.status == 200 and delivery.json()["issue"]["fields"]["project"]["key"] == "ENG"
    # The issue event is done; check's own signed delivery (one per run after setup) is ignored.
    assert admin.environment.runtime.inbox.counts() == {**dict.fromkeys(STATUSES, 0), DONE: 1, IGNORED: 1}


def test_setup_twice_changes_nothing(admin):
    admin.setup()
    admin.environment.jira.clear_requests()

    result = admin.setup()

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"ok: Jira webhook {WEBHOOK_NAME!r} (id 1) is up to date: ")
    assert admin.writes_to_jira() == []


def test_a_dry_run_prints_the_plan_and_changes_nothing(admin):
    result = admin.setup("--dry-run", "--fields")

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"would register Jira webhook {WEBHOOK_NAME!r} (id new): "
                                    f"{admin.public_url}/webhooks/jira, events jira:issue_created, ")
    assert "would create Jira number field 'Affected requesters'" in result.stdout
    assert admin.writes_to_jira() == [] and admin.webhooks() == []


@pytest.mark.parametrize("change, finding", [
    ({"events": ["jira:issue_created", "jira:issue_updated"]},
     "it does not send jira:issue_deleted, comment_created, comment_updated, jira:version_released, "
     "jira:version_unreleased, jira:version_updated"),
    ({"url": "https://old-host.example.com/webhooks/jira"},
     "it points at https://old-host.example.com/webhooks/jira, not {public_url}/webhooks/jira"),
    ({"enabled": False}, "it is disabled"),
    ({"filters": {"issue-related-events-section": 'project = "ENG"'}},
     "its JQL filter is 'project = \"ENG\"', not 'project in (\"ENG\", \"FIN\", \"SHIP\")'"),
])
def test_check_names_each_broken_piece_and_setup_mends_it(admin, change, finding):
    admin.setup()
    if "url" in change:  # moved elsewhere, with the same secret
        change = {"url": change["url"] + "?" + urlsplit(admin.webhooks()[0].url).query}
    admin.edit_webhook(**change)

    fix = f"run `bridge setup jira --public-url {admin.public_url}`"
    assert admin.jira_errors() == [
        f"jira.webhook: Jira webhook {WEBHOOK_NAME!r} (id 1): {finding.format(public_url=admin.public_url)}: {fix}"]
    assert admin.setup().stdout.startswith(f"done: updated Jira webhook {WEBHOOK_NAME!r} (id 1): ")
    assert admin.jira_errors() == []


def test_a_rotated_secret_is_named_and_setup_registers_the_new_one(admin):
    admin.setup()
    admin.configure(webhook_secret="the-rotated-secret")
    refused = (f"jira.webhook: the bridge at {admin.public_url}/webhooks/jira refused a delivery signed with "
               "jira.webhook_secret (HTTP 401): it runs with another secret than this config: restart it "
               "with this config")

    stale, still_running = admin.jira_errors()
    assert "it signs with another secret than jira.webhook_secret (or with none)" in stale
    assert still_running == refused  # the running bridge has the old secret: the signed round trip says so
    result = admin.setup()
    assert "the-rotated-secret" not in result.output
    assert admin.jira_errors() == [refused]
    (target,) = admin.environment.jira.webhooks.targets.values()
    assert target.secret == "the-rotated-secret"


def test_a_public_url_that_is_not_the_bridge_is_named(admin):
    admin.public_url = admin.environment.zendesk.url  # answers 401 too, but not as the bridge refuses
    admin.setup()

    assert admin.jira_errors() == [
        f"jira.webhook: {admin.public_url}/webhooks/jira answered HTTP 401 to a delivery signed with "
        f"jira.webhook_secret: is {admin.public_url} the bridge's public address?"]


def test_a_deleted_webhook_is_named_and_a_duplicate_is_removed(admin):
    admin.setup()
    with admin.client() as client:
        webhooks = JiraWebhooks(client)
        (webhook,) = webhooks.list()
        webhooks.create(WebhookSpec(webhook.name, webhook.url, webhook.events, webhook.jql_filter))
    [error] = admin.jira_errors()
    assert error.startswith(f"jira.webhook: 2 Jira webhooks are named {WEBHOOK_NAME!r} (ids 1, 2)")

    assert "done: deleted Jira webhook 2" in admin.setup().stdout
    assert [w.id for w in admin.webhooks()] == ["1"] and admin.jira_errors() == []
    with admin.client() as client:
        JiraWebhooks(client).delete("1")
    assert admin.jira_errors()[0].startswith(f"jira.webhook: Jira has no webhook named {WEBHOOK_NAME!r}")


def test_where_jira_cannot_sign_the_url_token_wires_it(tmp_path, settle):
    token = "url-token-for-unsigned-jira"
    with LoopbackEnvironment(connect_webhooks=False, settings_overrides={
            "jira": {"webhook_secret": None, "webhook_url_token": token}}) as environment:
        admin = Admin(environment, tmp_path)

        result = admin.setup()

        assert result.exit_code == 0 and token not in result.output
        assert "with jira.webhook_url_token in its URL" in result.stdout
        assert admin.jira_errors() == []
        with admin.client() as client:
            client.create_issue("FIN", "Task", "Refund missing")
        settle(environment)
        (delivery,) = environment.jira.deliveries
        assert delivery.status == 200 and "X-Hub-Signature" not in delivery.headers
        admin.configure(webhook_url_token="another-token")
        errors = admin.jira_errors()
        assert "its URL carries another token than jira.webhook_url_token" in errors[0]
        assert "refused a delivery carrying jira.webhook_url_token (HTTP 401)" in errors[1]
        assert not any("another-token" in error or token in error for error in errors)


def test_fields_are_created_once_and_their_screens_named(admin):
    result = admin.setup("--fields")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "ok: Jira field 'Affected tickets' is customfield_10050" in lines
    created = [line for line in lines if line.startswith("done: created Jira number field")]
    assert [line.split("'")[1] for line in created] == ["Affected requesters", "Affected organizations"]
    assert "      affected_requesters: customfield_10054" in lines  # after the simulator's own fields
    assert "  ENG: Default Issue Screen (id" in result.stdout
    with admin.client() as client:
        names = {field["name"]: field for field in client.fields()}
    assert names["Affected organizations"]["schema"]["type"] == "number"
    # The workaround engineering writes is a paragraph of text (jira.fields.workaround).
    assert any(line.startswith("done: created Jira text field 'Workaround': customfield_") for line in lines)
    assert names["Workaround"]["schema"] == {"type": "string", "custom": PARAGRAPH_FIELD_TYPE,
                                             "customId": int(names["Workaround"]["id"].split("_")[1])}

    again = admin.setup("--fields")
    assert "done: created" not in again.stdout
    assert "ok: Jira field 'Affected organizations' is customfield_10055" in again.stdout


@pytest.mark.parametrize("arguments, message", [
    (("setup", "jira"), "pass --public-url"),
    (("setup", "jira", "--public-url", "bridge.example.com"), "is not an http(s) URL"),
    (("check", "--public-url", "ftp://bridge"), "is not an http(s) URL"),
])
def test_a_missing_or_bad_public_url_is_a_usage_error(admin, arguments, message):
    result = admin.run(*arguments)
    assert result.exit_code == 2 and message in result.stderr


def test_refused_credentials_say_an_administrator_is_needed(admin):
    admin.configure(api_token=SecretStr("not-an-admin-token"))
    result = admin.setup()
    assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1
    assert result.stderr.rstrip().endswith("(webhooks and fields need a Jira administrator's jira.api_token)")


def test_an_unreachable_jira_is_one_line(admin):
    admin.configure(url="http://127.0.0.1:9")
    result = admin.setup()
    assert result.exit_code == 1
    assert result.stderr.startswith("error: Jira at http://127.0.0.1:9: list webhooks: ConnectionError")
    assert len(result.stderr.splitlines()) == 1
