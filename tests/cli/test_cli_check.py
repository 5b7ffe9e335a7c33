"""`bridge check` against the Jira and Zendesk simulators: every kind of mistake is found and named
by its config key or rule, a correct config passes, and --offline skips both."""

from __future__ import annotations

import re
import socket
import ssl

import pytest
import requests
import yaml
from click.testing import CliRunner

from bridge.checks.reachability import unreachable
from bridge.checks.zendesk_check import WRITABLE_TYPES, account_problems
from bridge.cli import main
from bridge.config.settings import ZendeskFieldSettings
from connectors.jira.simulator import JiraSimulator
from connectors.zendesk.errors import ZendeskError
from connectors.zendesk.simulator import ZendeskSimulator
from tests.support.settings import ZENDESK_SECRET, make_settings, write_config

JIRA_TOKEN = "jira-check-token"
PUBLIC_URL = "http://127.0.0.1:9"  # no bridge answers there: its round trip is skipped
JIRA_KEY_FIELD, FIX_DATE_FIELD, PRODUCT_FIELD, RETIRED_FIELD, DROPDOWN_FIELD = 901, 902, 903, 904, 905
ZENDESK_FIELDS = "(custom fields: 901 Jira issue, 902 Expected fix, 903 Product, 904 Old product, 905 Region)"
PRIORITIES = "(priorities: Highest, High, Medium, Low, Lowest)"


def rules(**jira) -> dict:
    crash = {"name": "app-crash", "team": "engineering", "match": {"tags": {"any": ["crash"]}},
             "threshold": {"count": 3, "window": "24h"},
             "jira": {"issue_type": "Bug", "priority": "High", "components": ["Mobile"],
                      "due": {"Highest": "1 day", "High": "3 days"},
                      "escalation": [{"at": 10, "priority": "Highest", "due": {"Highest": "1 day"}}]}}
    crash["jira"].update(jira)
    return {"rules": [crash]}


@pytest.fixture(scope="module", params=["cloud", "server"])
def simulators(request):
    with JiraSimulator(deployment=request.param, api_token=JIRA_TOKEN) as jira, ZendeskSimulator() as zendesk:
        zendesk.define_custom_field(JIRA_KEY_FIELD, "Jira issue", "text")
        zendesk.define_custom_field(FIX_DATE_FIELD, "Expected fix", "date")
        zendesk.define_custom_field(PRODUCT_FIELD, "Product", "tagger")
        zendesk.define_custom_field(RETIRED_FIELD, "Old product", "tagger", active=False)
        zendesk.define_custom_field(DROPDOWN_FIELD, "Region", "tagger")
        zendesk.define_organization_field("plan", "Plan", "dropdown")
        # Wired as `bridge setup zendesk` would, to a bridge that is not running (no test delivery).
        zendesk.configure_webhook(f"{PUBLIC_URL}/webhooks/zendesk", ZENDESK_SECRET)
        yield jira, zendesk


@pytest.fixture
def check(tmp_path, simulators):
    jira, zendesk = simulators

    def run(*options: str, rule_file: dict | None = None, **overrides):
        (tmp_path / "rules").mkdir(exist_ok=True)
        (tmp_path / "rules" / "rules.yaml").write_text(yaml.safe_dump(rule_file or rules(), sort_keys=False))
        sections = {
            "zendesk": {"url": zendesk.url, "email": zendesk.api_email, "api_token": zendesk.api_token,
                        "bridge_user_id": zendesk.account.api_user_id,
                        "fields": {"jira_key": JIRA_KEY_FIELD, "expected_fix_date": FIX_DATE_FIELD}},
            "custom_fields": {"product": PRODUCT_FIELD},
            "jira": {"url": jira.url, "deployment": jira.deployment, "api_token": JIRA_TOKEN,
                     "email": "bridge@example.com" if jira.deployment == "cloud" else None,
                     "fields": {"affected_tickets": "customfield_10050"}},
            "teams": {"finance": {"project": "FIN", "issue_type": "Task", "components": ["Billing"],
                                  "priority": "High", "due": {"Highest": "1 day", "High": "3 days"}},
                      "engineering": {"project": "ENG"}},
            "rules": ["rules/*.yaml"],
        }
        for section, values in overrides.items():
            sections[section] = _merged(sections.get(section) or {}, values)
        settings = make_settings(f"sqlite:///{tmp_path / 'bridge.db'}", **sections)
        path = write_config(tmp_path, settings)
        # Jira's webhook wired first (tests/e2e/test_e2e_setup_jira.py breaks it), so only the mistakes show.
        CliRunner().invoke(main, ["--config", str(path), "setup", "jira", "--public-url", PUBLIC_URL])
        return CliRunner().invoke(main, ["--config", str(path), "check", "--public-url", PUBLIC_URL, *options])

    return run


def _merged(base: dict, changes: dict) -> dict:
    merged = dict(base)
    for key, value in changes.items():
        merged[key] = _merged(merged[key], value) if isinstance(value, dict) and key in merged else value
    return merged


def errors_of(result) -> list[str]:
    return [line.removeprefix("error: ") for line in result.stderr.splitlines() if line.startswith("error: ")]


def test_a_correct_config_passes(check):
    result = check()
    assert result.exit_code == 0, result.output
    assert "is valid" in result.stdout


@pytest.mark.parametrize("overrides, expected", [
    ({"teams": {"engineering": {"project": "ENGX"}}},
     "teams.engineering.project: Jira has no project 'ENGX' (projects: ENG, FIN, SHIP)"),
    ({"teams": {"finance": {"issue_type": "Epic"}}},
     "teams.finance.issue_type: Jira project FIN has no issue type 'Epic' (issue types: Bug, Task, Story)"),
    ({"teams": {"finance": {"components": ["Billing", "Payroll"]}}},
     ("teams.finance.components[1]: Jira project FIN has no component 'Payroll' "
      "(components: Billing, Invoices, Refunds)")),
    ({"teams": {"finance": {"priority": "Urgent"}}},
     f"teams.finance.priority: Jira has no priority 'Urgent' {PRIORITIES}"),
    ({"teams": {"finance": {"due": {"P1": "1 day"}}}},
     f"teams.finance.due.P1: Jira has no priority 'P1' {PRIORITIES}"),
    ({"jira": {"fields": {"affected_requesters": "customfield_99999"}}},
     ("jira.fields.affected_requesters: Jira has no field 'customfield_99999' "
      "(custom fields: customfield_10050 Affected tickets, customfield_10051 Customer impact, "
      "customfield_10053 Impact score)")),
    ({"jira": {"fields": {"workaround": "customfield_10050"}}},
     "jira.fields.workaround: Jira field customfield_10050 (Affected tickets) holds a number, not text; name a "
     "paragraph field (`bridge setup jira --fields` creates one)"),
    ({"zendesk": {"bridge_user_id": 424242}}, "zendesk.bridge_user_id: 424242, but the API credentials act as user"),
    ({"zendesk": {"fields": {"jira_status": 999}}},
     f"zendesk.fields.jira_status: Zendesk has no ticket field 999 {ZENDESK_FIELDS}"),
    ({"custom_fields": {"product": 998}}, f"custom_fields.product: Zendesk has no ticket field 998 {ZENDESK_FIELDS}"),
    ({"custom_fields": {"product": RETIRED_FIELD}},
     "custom_fields.product: Zendesk ticket field 904 (Old product) is inactive"),
    ({"zendesk": {"fields": {"jira_key": DROPDOWN_FIELD}}},
     "zendesk.fields.jira_key: Zendesk ticket field 905 (Region) is a tagger field; the bridge writes it as "
     "text or textarea"),
    ({"zendesk": {"fields": {"expected_fix_date": DROPDOWN_FIELD}}},
     "zendesk.fields.expected_fix_date: Zendesk ticket field 905 (Region) is a tagger field; the bridge "
     "writes it as date or text"),
])
def test_config_mistakes_are_named_by_their_key(check, overrides, expected):
    result = check(**overrides)
    assert result.exit_code == 1
    [error] = errors_of(result)
    assert error.startswith(expected), error


@pytest.mark.parametrize("jira, expected", [
    ({"issue_type": "Bugg"},
     "jira.issue_type: Jira project ENG has no issue type 'Bugg' (issue types: Bug, Task, Story)"),
    ({"components": ["Mobile", "Mobil"]},
     "jira.components[1]: Jira project ENG has no component 'Mobil' (components: Backend, Mobile, Web)"),
    ({"priority": "P2"}, f"jira.priority: Jira has no priority 'P2' {PRIORITIES}"),
    ({"due": {"Blocker": "1 day"}}, f"jira.due.Blocker: Jira has no priority 'Blocker' {PRIORITIES}"),
    ({"escalation": [{"at": 10, "priority": "Critical"}]},
     f"jira.escalation[0].priority: Jira has no priority 'Critical' {PRIORITIES}"),
    ({"escalation": [{"at": 10, "due": {"Critical": "1 day"}}]},
     f"jira.escalation[0].due.Critical: Jira has no priority 'Critical' {PRIORITIES}"),
])
def test_rule_mistakes_are_named_by_file_line_and_rule(check, jira, expected):
    result = check(rule_file=rules(**jira))
    assert result.exit_code == 1
    [error] = errors_of(result)
    assert re.fullmatch(r"rules/rules\.yaml:\d+: rule app-crash: (.*)", error).group(1) == expected


def test_the_impact_organization_field_must_exist_in_zendesk(check):
    assert check(impact={"organization_field": "plan"}).exit_code == 0

    result = check(impact={"organization_field": "tier", "organization_values": {"gold": 10}})

    assert result.exit_code == 1
    [error] = errors_of(result)
    assert error.startswith("impact.organization_field: the Zendesk organization field 'tier' does not exist, so "
                            "every organization would count impact.organization_default points; set it to the key "
                            "of one of the account's organization fields"), error
    assert "active keys: plan (Plan)" in error


def test_a_missing_project_is_reported_once_not_for_every_issue_type(check):
    result = check(teams={"engineering": {"project": "NOPE"}}, rule_file=rules(issue_type="Bugg"))
    assert [error.split(":")[0] for error in errors_of(result)] == ["teams.engineering.project"]


def test_every_mistake_is_reported_at_once(check):
    result = check(teams={"finance": {"priority": "Urgent", "issue_type": "Epic"}},
                   jira={"fields": {"affected_tickets": "customfield_1"}}, rule_file=rules(priority="P2"))
    assert result.exit_code == 1 and len(errors_of(result)) == 4


def test_wrong_jira_credentials_are_one_clear_line(check):
    result = check(jira={"api_token": "not-the-token"})
    assert result.exit_code == 1
    [error] = errors_of(result)
    assert re.fullmatch(r"jira: Jira at http://127\.0\.0\.1:\d+ refused the credentials \(HTTP 401\): "
                        r"check jira\.(email and jira\.)?api_token", error)


def test_wrong_zendesk_credentials_are_one_clear_line(check, simulators):
    result = check(zendesk={"api_token": "not-the-token"})
    assert result.exit_code == 1
    assert errors_of(result) == [(f"zendesk: Zendesk at {simulators[1].url} refused the credentials "
                                  "(HTTP 401): check zendesk.email and zendesk.api_token")]


def test_unreachable_jira_and_zendesk_are_one_line_each_and_offline_skips_them(check):
    closed = f"http://127.0.0.1:{unused_port()}"
    result = check(jira={"url": closed}, zendesk={"url": closed})
    assert result.exit_code == 1
    refused = "the connection was refused (nothing listens on that port)"
    assert errors_of(result) == [f"jira.url: cannot reach {closed.removeprefix('http://')}: {refused}",
                                 f"zendesk.url: cannot reach {closed.removeprefix('http://')}: {refused}"]
    offline = check("--offline", jira={"url": closed}, zendesk={"url": closed})
    assert offline.exit_code == 0, offline.output


def test_names_that_do_not_resolve_and_servers_without_tls_are_said_in_plain_words(check, simulators):
    zendesk = simulators[1]
    result = check(jira={"url": "https://acme.atlassian.invalid"},
                   zendesk={"url": zendesk.url.replace("http://", "https://")})
    assert result.exit_code == 1
    assert errors_of(result) == [
        "jira.url: cannot reach acme.atlassian.invalid: the name does not resolve",
        f"zendesk.url: cannot reach {zendesk.url.removeprefix('http://')}: the TLS handshake failed "
        "(is it an https:// address of a server that speaks TLS?)"]


@pytest.mark.parametrize("failure, reason", [
    (requests.ReadTimeout("HTTPSConnectionPool(host='acme.zendesk.com', port=443): Read timed out."),
     "it did not answer in time"),
    (ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED]"), "its TLS certificate is not trusted"),
    (ConnectionResetError(104, "Connection reset by peer"), "the connection was closed before it answered"),
])
def test_other_network_failures_are_said_in_plain_words(failure, reason):
    try:
        try:
            raise failure
        except OSError as cause:
            raise ZendeskError("current_user: failed") from cause
    except ZendeskError as error:
        assert unreachable("https://acme.zendesk.com", error) == f"cannot reach acme.zendesk.com: {reason}"


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("user, expected", [
    ({"id": None, "role": "end-user"}, "zendesk: Zendesk at https://acme.zendesk.com did not authenticate"),
    ({"id": 5, "role": "end-user"}, "zendesk.email: bot@acme.test is an end user in Zendesk"),
])
def test_zendesk_users_the_bridge_cannot_act_as(sqlite_url, user, expected):
    [problem] = account_problems(make_settings(sqlite_url), user)
    assert problem.startswith(expected)


def test_every_zendesk_field_the_bridge_writes_has_its_writable_types():
    assert set(WRITABLE_TYPES) == set(ZendeskFieldSettings.model_fields)
