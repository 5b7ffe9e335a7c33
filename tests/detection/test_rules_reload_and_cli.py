"""Rules reload without a restart; `bridge rules check|test` and `bridge check` report rule errors."""

from __future__ import annotations

import json
import os
import re
import shlex
import time

from click.testing import CliRunner

from bridge.cli import main
from bridge.http.app import create_app
from tests.detection.conftest import write_rules
from tests.detection.test_detection import DOUBLE_CHARGE
from tests.support.processes import ROOT
from tests.test_worker_crash import write_config


def touch_later(path):
    stamp = time.time() + 5
    os.utime(path, (stamp, stamp))


def test_rule_edits_apply_without_restart_and_a_broken_edit_keeps_the_last_valid_rules(
        make_scenario, rules_dir):
    scenario = make_scenario(DOUBLE_CHARGE)
    runtime = scenario.runtime
    runtime.rules.interval = 0
    client = create_app(runtime).test_client()
    # 1 rule from the file, plus 2 implied by each of the 2 teams' agent tags.
    assert client.get("/readyz").json["rules"] == {"loaded": 5, "last_reload_error": None}

    write_rules(rules_dir, DOUBLE_CHARGE.replace("count: 3", "count: 2").replace("threshold:", "thresold:"))
    touch_later(rules_dir / "rules.yaml")
    for ticket in (1, 2):
        scenario.ticket_event(ticket, subject="charged twice")
    scenario.process()
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert "rules.yaml:9: rules[0].thresold: unknown key" in ready.json["rules"]["last_reload_error"]
    assert scenario.problems()[0].state == "detecting"  # still the old rule: 3 tickets needed
    metrics = client.get("/metrics").get_data(as_text=True)
    assert "bridge_rules_reload_ok 0.0" in metrics and "bridge_rules_reload_errors_total 1.0" in metrics

    write_rules(rules_dir, DOUBLE_CHARGE.replace("count: 3", "count: 2"))
    touch_later(rules_dir / "rules.yaml")
    scenario.ticket_event(2, kind="status_changed", subject="charged twice")
    scenario.process()
    assert client.get("/readyz").json["rules"]["last_reload_error"] is None
    assert scenario.problems()[0].state == "open"


def config_with_rules(tmp_path, sqlite_url, rules_text: str):
    write_rules(tmp_path / "rules", rules_text)
    path = write_config(tmp_path, sqlite_url)
    text = path.read_text().replace("rules: []", f"rules:\n- {tmp_path / 'rules'}/*.yaml")
    text = text.replace("teams:\n", "teams:\n  finance:\n    project: FIN\n")
    path.write_text(text)
    return path


def test_rules_check_reports_every_error_and_exits_non_zero(tmp_path, sqlite_url):
    bad = DOUBLE_CHARGE.replace("team: finance", "team: marketing").replace("24h", "24 hours")
    config = config_with_rules(tmp_path, sqlite_url, bad)
    result = CliRunner().invoke(main, ["--config", str(config), "rules", "check"])
    assert result.exit_code == 1
    assert "rules.yaml:4: rules[0].team: unknown team 'marketing'" in result.output
    assert "rules.yaml:9: rules[0].threshold.window: bad duration '24 hours'" in result.output
    check = CliRunner().invoke(main, ["--config", str(config), "check", "--offline"])
    assert check.exit_code == 1 and "unknown team 'marketing'" in check.output


def test_rules_check_warns_when_a_rules_own_fix_reply_or_note_matches_it(tmp_path, sqlite_url):
    config = config_with_rules(tmp_path, sqlite_url, DOUBLE_CHARGE + """
  - name: echoing-reply
    team: finance
    match: {text: {any: ["double charge*"]}}
    threshold: {count: 3, window: 24h}
    zendesk:
      on_fix: {public_reply: "Good news: the double charge has been reversed."}
  - name: quiet-reply
    team: finance
    match: {text: {any: ["charged twice"]}}
    threshold: {count: 3, window: 24h}
    zendesk:
      internal_note: "Known problem: customers charged twice. Do not refund by hand."
      on_fix: {public_reply: "All fixed, sorry for the trouble."}
""")
    result = CliRunner().invoke(main, ["--config", str(config), "rules", "check"])

    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert [line.split(": rule ")[1].split(":")[0] for line in warnings] == ["echoing-reply", "quiet-reply"]
    assert "rule echoing-reply: zendesk.on_fix.public_reply (on its follow-up ticket) matches" in warnings[0]
    assert "rule quiet-reply: zendesk.internal_note matches the rule itself" in warnings[1]
    assert result.stdout.startswith("ok: ")


def test_the_shipped_rules_own_words_match_none_of_them():
    config = ROOT / "config.simulators.yaml"
    result = CliRunner().invoke(main, ["--config", str(config), "rules", "check"])
    assert result.exit_code == 0, result.output
    assert "warning:" not in result.stderr, result.stderr


def test_rules_test_dry_runs_tickets_from_a_file_and_from_storage(tmp_path, sqlite_url):
    config = config_with_rules(tmp_path, sqlite_url, DOUBLE_CHARGE)
    tickets = tmp_path / "tickets.jsonl"
    tickets.write_text("\n".join(json.dumps({"id": i, "subject": "I was charged twice", "status": "open",
                                             "requester_id": 100 + i, "created_at": "2026-11-23T10:00:00Z",
                                             "updated_at": "2026-11-23T10:00:00Z"}) for i in (1, 2, 3)))
    result = CliRunner().invoke(main, ["--config", str(config), "rules", "test", "--tickets", str(tickets)])
    assert result.exit_code == 0, result.output
    assert "double-charge (team finance, 3 tickets within 1d)" in result.output
    assert "PROBLEM (threshold crossed at ticket 3)" in result.output
    one = tmp_path / "ticket.json"
    one.write_text(json.dumps({"ticket": {"id": 9, "subject": "Charged twice!", "status": "new"}}))
    as_json = CliRunner().invoke(main, ["--config", str(config), "rules", "test", "--json", "--ticket", str(one)])
    assert as_json.exit_code == 0, as_json.output
    report = json.loads(as_json.output)
    [rule] = [r for r in report["rules"] if r["rule"] == "double-charge"]
    assert rule["rule"] == "double-charge" and rule["matched_ticket_ids"] == [9]
    assert rule["groups"][0]["crosses_threshold"] is False
    assert CliRunner().invoke(main, ["--config", str(config), "db", "upgrade"]).exit_code == 0
    stored = CliRunner().invoke(main, ["--config", str(config), "rules", "test", "--since", "7d"])
    assert stored.exit_code == 0 and "0 tickets checked" in stored.output
    bad_since = CliRunner().invoke(main, ["--config", str(config), "rules", "test", "--since", "soon"])
    assert bad_since.exit_code == 2 and "bad duration" in bad_since.output
    nothing = CliRunner().invoke(main, ["--config", str(config), "rules", "test"])
    assert nothing.exit_code == 2


def test_the_command_the_shipped_rule_file_shows_works_as_shown(tmp_path, monkeypatch):
    [command] = re.findall(r"`(bridge rules test [^`]*)`", (ROOT / "rules" / "billing.yaml").read_text())
    [ticket_file] = [word for word in shlex.split(command) if word.endswith(".json")]
    (tmp_path / ticket_file).write_text(json.dumps([
        {"id": i, "subject": "I was charged twice", "description": "Charged twice for order 5521.",
         "status": "open", "requester_id": 100 + i, "created_at": "2026-11-23T10:00:00Z",
         "updated_at": "2026-11-23T10:00:00Z"} for i in (1, 2, 3)]))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, shlex.split(command)[1:],
                                env={"BRIDGE_CONFIG": str(ROOT / "config.simulators.yaml")})
    assert result.exit_code == 0, result.output
    assert "3 tickets checked" in result.output
    assert "billing-double-charge (team finance" in result.output
