"""Config loading: every mistake is named with file, line and key; `bridge check` exits non-zero."""

from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from bridge.cli import main
from bridge.config.settings import load_settings
from bridge.rules.yamlsource import SourceErrors
from tests.support.settings import make_settings

ROOT = Path(__file__).resolve().parent.parent
ENV = {"ZENDESK_API_TOKEN": "z", "ZENDESK_WEBHOOK_SECRET": "zs", "JIRA_API_TOKEN": "j",
       "JIRA_WEBHOOK_SECRET": "js"}
VALID = """\
zendesk:
  url: https://acme.zendesk.com
  email: bot@acme.com
  api_token: ${ZENDESK_API_TOKEN}
  webhook_secret: ${ZENDESK_WEBHOOK_SECRET}
jira:
  url: http://127.0.0.1:8102
  deployment: server
  api_token: ${JIRA_API_TOKEN}
  webhook_secret: ${JIRA_WEBHOOK_SECRET}
database:
  url: sqlite:///data/bridge.db
teams:
  engineering:
    project: ENG
"""


def errors_of(tmp_path, text: str, environ=ENV) -> list[str]:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    with pytest.raises(SourceErrors) as caught:
        load_settings(path, environ)
    return [str(e).replace(str(path), "config.yaml") for e in caught.value.errors]


def test_the_example_config_is_valid():
    settings = load_settings(ROOT / "config.example.yaml", ENV)
    assert settings.teams["engineering"].project == "ENG"
    assert settings.zendesk.api_token.get_secret_value() == "z"


def test_valid_config_and_relative_sqlite_path(tmp_path):
    from bridge.config.settings import resolve_database_url
    path = tmp_path / "config.yaml"
    path.write_text(VALID)
    settings = load_settings(path, ENV)
    assert settings.jira.deployment == "server"
    assert resolve_database_url(settings) == f"sqlite:///{tmp_path / 'data' / 'bridge.db'}"


@pytest.mark.parametrize("edit, expected", [
    (("  email: bot@acme.com\n", "  emial: bot@acme.com\n"),
     ["config.yaml:3: zendesk.emial: unknown key; did you mean 'email'?"]),
    (("  email: bot@acme.com\n", "  email: bot@acme.com\n  colour: blue\n"),
     ["config.yaml:4: zendesk.colour: unknown key (known keys: agent_url, api_token, bridge_user_id, email, fields, "
      "help_center, max_jobs_in_flight, requests_per_minute, url, webhook_secret)"]),
    (("teams:\n", "temas:\n"), ["config.yaml:13: temas: unknown key; did you mean 'teams'?"]),
    (("    project: ENG\n", "    project: ENG\n    isue_type: Bug\n"),
     ["config.yaml:16: teams.engineering.isue_type: unknown key; did you mean 'issue_type'?"]),
    (("  url: https://acme.zendesk.com\n", "  url: acme.zendesk.com\n"),
     ["config.yaml:2: zendesk.url: must be an http(s) URL such as https://acme.zendesk.com"]),
    (("  deployment: server\n", "  deployment: onprem\n"),
     ["config.yaml:8: jira.deployment: expected one of cloud, server; got the text 'onprem'"]),
    (("  url: sqlite:///data/bridge.db\n", "  url: mysql://x\n"),
     ["config.yaml:12: database.url: must be a sqlite:/// or postgresql:// URL"]),
    (("  webhook_secret: ${JIRA_WEBHOOK_SECRET}\n", ""),
     ["config.yaml:6: jira: set webhook_secret (or webhook_url_token for Jira that cannot sign)"]),
    (("    project: ENG\n", "    project: [ENG]\n"),
     ["config.yaml:15: teams.engineering.project: expected text, got a list"]),
])
def test_mistakes_are_located(tmp_path, edit, expected):
    assert errors_of(tmp_path, VALID.replace(*edit)) == expected


FULL_PLANNING = VALID.replace("  webhook_secret: ${ZENDESK_WEBHOOK_SECRET}\n", """\
  webhook_secret: ${ZENDESK_WEBHOOK_SECRET}
  fields: {jira_key: 360000000101, jira_status: 360000000102, expected_fix_date: 360000000103}
""").replace("  webhook_secret: ${JIRA_WEBHOOK_SECRET}\n", """\
  webhook_secret: ${JIRA_WEBHOOK_SECRET}
  fields: {affected_tickets: customfield_10050, affected_organizations: customfield_10052}
  counts_update_interval_seconds: 600
""") + """\
    priority: High
    due: {Highest: 1 business day, High: 3 business days}
calendar:
  timezone: Europe/Berlin
  holidays: [2025-12-25, 2025-12-26]
tags:
  link_to_issue: issue-{project}-{number}
  escalate: "{team}_escalation"
"""


def test_issue_planning_keys(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(FULL_PLANNING)
    settings = load_settings(path, ENV)
    team = settings.teams["engineering"]
    assert (team.priority, str(team.due["High"])) == ("High", "3 business days")
    assert settings.calendar.zone.key == "Europe/Berlin" and date(2025, 12, 26) in settings.calendar.holidays
    assert settings.tags.link_to_issue.parse("issue-eng-7") == {"project": "eng", "number": "7"}
    assert settings.tags.escalate.parse("finance_escalation") == {"team": "finance"}
    assert settings.jira.fields.affected_tickets == "customfield_10050"
    assert settings.jira.fields.affected_requesters is None
    assert settings.jira.counts_update_interval_seconds == 600
    assert settings.zendesk.fields.expected_fix_date == 360000000103


def test_a_dumped_config_loads_again(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(FULL_PLANNING)
    settings = load_settings(path, ENV)
    data = settings.model_dump(mode="json", exclude={"base_dir", "zendesk", "jira"})
    path.write_text(FULL_PLANNING.split("database:")[0] + yaml.safe_dump(data))
    assert load_settings(path, ENV) == settings


def test_issue_planning_defaults(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(VALID)
    settings = load_settings(path, ENV)
    assert (settings.teams["engineering"].priority, str(settings.teams["engineering"].due)) == (
        "Medium", "5 business days")
    assert (settings.calendar.timezone, settings.calendar.holidays) == ("UTC", frozenset())
    assert (str(settings.tags.link_to_issue), str(settings.tags.escalate)) == (
        "jira_{project}_{number}", "escalate_{team}")
    assert settings.jira.counts_update_interval_seconds == 300
    assert settings.zendesk.fields.jira_key is None


@pytest.mark.parametrize("addition, expected", [
    ("    due: 5 buisness days\n",
     ["config.yaml:16: teams.engineering.due: bad due policy '5 buisness days' (expected e.g. "
      "'5 business days', '2 days', '8 hours', '1 week')"]),
    ("    due:\n      High: soon\n",
     ["config.yaml:16: teams.engineering.due: bad due policy 'soon' (expected e.g. "
      "'5 business days', '2 days', '8 hours', '1 week')"]),
    ("    priority: ''\n",
     ["config.yaml:16: teams.engineering.priority: must not be empty"]),
    ("calendar:\n  timezone: Europe/Berlyn\n",
     ["config.yaml:17: calendar.timezone: unknown time zone 'Europe/Berlyn' "
      "(expected a name like Europe/Berlin or UTC)"]),
    ("calendar:\n  holidays: [2025-12-25, 2025-02-30]\n",
     ["config.yaml:17: calendar.holidays[1]: invalid value '2025-02-30': day is out of range for month"]),
    ("calendar:\n  holidays: [christmas]\n",
     ["config.yaml:17: calendar.holidays[0]: expected a date (YYYY-MM-DD), got the text 'christmas'"]),
    ("calendar:\n  holiday: []\n", ["config.yaml:17: calendar.holiday: unknown key; did you mean 'holidays'?"]),
    ("tags:\n  link_to_issue: jira_{project}\n",
     ["config.yaml:17: tags.link_to_issue: tag format 'jira_{project}' must contain "
      "{project}, {number} exactly once each and no other placeholder"]),
    ("tags:\n  escalate: '{team}'\n",
     ["config.yaml:17: tags.escalate: tag format '{team}' needs some text besides {team}, "
      "or every tag would match it"]),
    ("tags:\n  escalate: 5\n",
     ["config.yaml:17: tags.escalate: expected a tag format string, got int"]),
])
def test_mistakes_in_issue_planning_keys_are_located(tmp_path, addition, expected):
    assert errors_of(tmp_path, VALID + addition) == expected


@pytest.mark.parametrize("edit, expected", [
    (("  webhook_secret: ${JIRA_WEBHOOK_SECRET}\n",
      "  webhook_secret: ${JIRA_WEBHOOK_SECRET}\n  fields:\n    affected_tickets: '10050'\n"
      "  counts_update_interval_seconds: 0\n"),
     ["config.yaml:12: jira.fields.affected_tickets: the text '10050' does not have the expected form "
      "customfield_[0-9]+",
      "config.yaml:13: jira.counts_update_interval_seconds: must be at least 1, got 0"]),
    (("  webhook_secret: ${ZENDESK_WEBHOOK_SECRET}\n",
      "  webhook_secret: ${ZENDESK_WEBHOOK_SECRET}\n  fields:\n    jira_key: abc\n    jira_sttaus: 5\n"),
     ["config.yaml:7: zendesk.fields.jira_key: expected a whole number, got the text 'abc'",
      "config.yaml:8: zendesk.fields.jira_sttaus: unknown key; did you mean 'jira_status'?"]),
])
def test_mistakes_in_issue_field_keys_are_located(tmp_path, edit, expected):
    assert errors_of(tmp_path, VALID.replace(*edit)) == expected


def test_unset_environment_variables_are_named(tmp_path):
    assert errors_of(tmp_path, VALID, {"ZENDESK_API_TOKEN": "z"}) == [
        "config.yaml:5: zendesk.webhook_secret: environment variable ZENDESK_WEBHOOK_SECRET is not set",
        "config.yaml:9: jira.api_token: environment variable JIRA_API_TOKEN is not set",
        "config.yaml:10: jira.webhook_secret: environment variable JIRA_WEBHOOK_SECRET is not set",
    ]


def test_environment_defaults(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(VALID.replace("${JIRA_API_TOKEN}", "${MISSING:-fallback}"))
    assert load_settings(path, ENV).jira.api_token.get_secret_value() == "fallback"


@pytest.mark.parametrize("text, expected", [
    ("zendesk: [", "config.yaml:1: (top level): invalid YAML: expected the node content"),
    ("- a\n- b\n", "config.yaml:1: (top level): expected one YAML mapping"),
    (VALID + "teams: {}\n", "config.yaml:16: teams: duplicate key"),
])
def test_broken_files(tmp_path, text, expected):
    assert errors_of(tmp_path, text)[0].startswith(expected)


def test_secrets_do_not_show_in_reprs(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(VALID)
    assert "zs" not in repr(load_settings(path, ENV).zendesk)


def test_bridge_check_reports_every_problem_and_exits_non_zero(tmp_path, monkeypatch):
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    path = tmp_path / "config.yaml"
    path.write_text(VALID.replace("email:", "emial:").replace("project: ENG", "projekt: ENG"))
    result = CliRunner().invoke(main, ["--config", str(path), "check"])
    assert result.exit_code == 1
    assert f"error: {path}:3: zendesk.emial: unknown key" in result.output
    assert f"error: {path}:15: teams.engineering.projekt: unknown key" in result.output


def test_bridge_check_accepts_a_good_config_via_the_environment(tmp_path, monkeypatch):
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    path = tmp_path / "config.yaml"
    path.write_text(VALID)
    monkeypatch.setenv("BRIDGE_CONFIG", str(path))
    (tmp_path / "data").mkdir()
    result = CliRunner().invoke(main, ["check", "--offline"])
    assert result.exit_code == 0, result.output
    assert "is valid" in result.output


def test_bridge_check_reports_an_unreachable_database(tmp_path, monkeypatch):
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    path = tmp_path / "config.yaml"
    path.write_text(VALID.replace("sqlite:///data/bridge.db", "postgresql://nobody@127.0.0.1:1/none"))
    result = CliRunner().invoke(main, ["--config", str(path), "check", "--offline"])
    assert result.exit_code == 1 and "database.url: cannot connect" in result.output


def test_commands_without_config_explain_how_to_give_one(monkeypatch):
    monkeypatch.delenv("BRIDGE_CONFIG", raising=False)
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 2 and "pass --config PATH or set BRIDGE_CONFIG" in result.output


@pytest.mark.parametrize("command", [[], ["check"], ["serve"], ["worker"], ["db", "upgrade"],
                                     ["events", "list"], ["events", "failed"], ["events", "retry"]])
def test_every_command_has_help(command):
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output


@pytest.mark.parametrize("deployment, configured, lag", [
    ("cloud", None, 60), ("server", None, 0), ("cloud", 5, 5), ("server", 2.5, 2.5)])
def test_jira_search_lag_defaults_by_deployment(deployment, configured, lag):
    jira = {"deployment": deployment} | ({"search_lag_seconds": configured} if configured is not None else {})
    settings = make_settings("sqlite://", jira=jira)
    assert settings.jira.search_lag == timedelta(seconds=lag)
