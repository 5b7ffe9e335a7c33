"""`bridge discover` over what the bridge stored, and the scheduled job that groups it: a burst of
unmatched tickets in varied wording is listed as emerging with a rule that the rules' own loader
and dry run accept; rule-matched tickets and the bridge's own are never grouped."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from bridge.cli import main
from bridge.discovery.feed import WATCHED_SINCE, DiscoveryFeed
from bridge.domain.bridge_tickets import FOLLOWUP_TAG
from bridge.domain.events import TicketSnapshot
from bridge.runtime import build_runtime
from bridge.scheduler.jobs import scheduled_jobs
from bridge.storage.cursors import Cursors
from bridge.storage.discovery import DiscoveryStore
from tests.support.clock import FakeClock
from tests.support.settings import make_settings, write_config

REFUND_RULE = """rules:
  - name: refunds
    team: engineering
    threshold: {count: 3, window: 24h}
    match:
      text: {any: [refund*]}
"""
BACKGROUND = ["How do I reset my password?", "Forgot my password, please send a reset link",
              "Where is my order? It has not arrived", "My order still has not arrived, where is it"]
BURST = [("App crashes when uploading a photo", "Since the update the app crashes every time I upload a photo."),
         ("photo upload crashes the app", "whenever i attach a photo the app crashes"),
         ("App keeps crashing", "The app crashes as soon as I pick a photo to upload."),
         ("crash on photo upload", "Can't upload photos, the app crashes. It worked before the update."),
         ("Uploading photos crashes the app", "uploading a photo makes the app crash on my phone"),
         ("App crashed again", "App crashed again while uploading my profile photo."),
         ("photo upload broken", "the app crashes when i upload a photo from my gallery")]


def world(tmp_path, now: datetime, database_url: str | None = None, overrides: dict | None = None, **discovery):
    """A bridge that stored six days of steady tickets, refund tickets a rule matches, one
    follow-up of its own, and a burst about a new failure in the last hours."""
    rules_dir = tmp_path / "rules"
    rules_dir.mkdir()
    (rules_dir / "refunds.yaml").write_text(REFUND_RULE)
    settings = make_settings(database_url or f"sqlite:///{tmp_path / 'bridge.db'}", rules=[str(rules_dir / "*.yaml")],
                             discovery=discovery, **(overrides or {}))
    runtime = build_runtime(settings, clock=lambda: now)
    tickets, number = [], 1000
    for day in range(1, 7):
        for hour, text in zip((3, 7, 11, 15), BACKGROUND, strict=True):
            number += 1
            tickets.append(TicketSnapshot(number, subject=text, description=text, requester_id=number,
                                          created_at=now - timedelta(days=day, hours=hour)))
    refunds = [TicketSnapshot(1900 + n, subject="App crashes, refund please", description="crash crash refund",
                              created_at=now - timedelta(hours=n + 1)) for n in range(3)]
    followup = TicketSnapshot(1950, subject="App crashes when uploading a photo: fixed",
                              description="The app crash on photo upload is fixed", tags=(FOLLOWUP_TAG,),
                              created_at=now - timedelta(hours=1))
    burst = [TicketSnapshot(2000 + n, subject=subject, description=description, requester_id=500 + n,
                            organization_id=40 + n % 3, created_at=now - timedelta(hours=6 - n * 0.5))
             for n, (subject, description) in enumerate(BURST)]
    with runtime.engine.begin() as connection:
        for ticket in [*tickets, *refunds, followup, *burst]:
            runtime.tickets.record(connection, ticket, now)
    return settings, runtime, [t.id for t in burst], [*[t.id for t in refunds], followup.id]


@pytest.fixture
def stored(tmp_path):
    now = datetime.now(UTC).replace(microsecond=0)
    settings, runtime, burst, excluded = world(tmp_path, now)
    yield write_config(tmp_path, settings), runtime, burst, excluded, tmp_path
    runtime.engine.dispose()


def invoke(config, *arguments):
    return CliRunner().invoke(main, ["--config", str(config), *arguments])


def test_the_burst_is_listed_first_as_emerging_with_a_rule_that_catches_it(stored):
    config, runtime, burst, excluded, _ = stored
    result = invoke(config, "discover", "--since", "7d", "--format", "json")
    assert result.exit_code == 0, result.output
    groups = json.loads(result.stdout)["groups"]
    first = groups[0]
    assert (first["emerging"], first["reason"], first["size"], first["recent"]) == (True, "new", 7, 7)
    assert (first["requesters"], first["organizations"]) == (7, 3)
    assert {"crash", "photo", "upload"} <= set(first["terms"][:4])
    assert [sample["id"] for sample in first["samples"]] == burst[::-1][:3]
    rule = first["suggested_rule"]
    assert (rule["precision"], rule["recall"], rule["matched"]) == (1.0, 1.0, 7)
    assert all(not group["emerging"] for group in groups[1:])  # the steady background
    grouped = {row.ticket_id for row in DiscoveryStore(runtime.engine).tickets_since(datetime(2000, 1, 1, tzinfo=UTC))}
    assert set(burst) <= grouped and not grouped & set(excluded)


def test_the_suggested_rule_is_a_valid_rule_file_that_rules_test_confirms(stored):
    config, _, burst, _, tmp_path = stored
    rule = json.loads(invoke(config, "discover", "--format", "json").stdout)["groups"][0]["suggested_rule"]
    (tmp_path / "rules" / "suggested.yaml").write_text(rule["yaml"])
    assert invoke(config, "rules", "check").exit_code == 0
    tested = invoke(config, "rules", "test", "--since", "1d", "--json")
    assert tested.exit_code == 0, tested.output
    outcome = next(r for r in json.loads(tested.stdout)["rules"] if r["rule"] == rule["name"])
    assert sorted(outcome["matched_ticket_ids"]) == burst


def test_the_text_listing_shows_the_figures_and_the_rule(stored):
    config, *_ = stored
    result = invoke(config, "discover", "--since", "2d")
    assert result.exit_code == 0, result.output
    head = result.stdout.splitlines()[0]
    assert "EMERGING (new)  7 tickets, 7 in the recent 1d (0 before, growth new), 7 requesters, 3 organizations" in head
    assert "suggested rule: precision 1.00 on the window's" in result.stdout
    assert "    rules:\n    - name: discovered-" in result.stdout


def test_nothing_is_emerging_before_a_baseline_was_watched(tmp_path):
    now = datetime.now(UTC).replace(microsecond=0)
    settings, runtime, _, _ = world(tmp_path, now)
    Cursors(runtime.engine).set(WATCHED_SINCE, (now - timedelta(hours=12)).isoformat(), now)
    runtime.engine.dispose()
    groups = json.loads(invoke(write_config(tmp_path, settings), "discover", "--format", "json").stdout)["groups"]
    assert groups and not any(group["emerging"] for group in groups)


def test_a_ticket_leaves_its_group_once_a_rule_matches_it_and_the_window_moves_on(tmp_path, database_url):
    clock = FakeClock(datetime(2026, 3, 10, 12, 0, tzinfo=UTC))
    settings, runtime, burst, _ = world(tmp_path, clock.now, database_url)
    runtime.clock = clock
    feed = DiscoveryFeed(runtime.engine, settings.discovery, runtime.rules.current, clock)
    assert feed.run() == "0 tickets read, 0 placed, 0 left"  # seen just now: a worker may still commit older
    clock.advance(61)
    assert feed.run().startswith("35 tickets read, 31 placed")  # the refunds and the follow-up are not
    store = DiscoveryStore(runtime.engine)
    with runtime.engine.begin() as connection:
        edited = TicketSnapshot(burst[0], description="I want a refund", updated_at=clock.now,
                                known_fields=frozenset({"description", "updated_at"}))
        runtime.tickets.record(connection, edited, clock.now)
    clock.advance(61)
    assert feed.run() == "1 tickets read, 0 placed, 1 left"
    assert burst[0] not in {row.ticket_id for row in store.tickets_since(clock.now - timedelta(days=7))}
    clock.advance(6 * 86400)
    feed.run()
    assert {row.ticket_id for row in store.tickets_since(clock.now - timedelta(days=30))} == set(burst[1:])
    restarted = DiscoveryFeed(runtime.engine, settings.discovery, runtime.rules.current, clock)
    assert restarted.run() == "0 tickets read, 0 placed, 0 left"
    assert set(restarted.grouping.group_of) == set(burst[1:])  # rebuilt from the database
    runtime.engine.dispose()


def test_the_command_reads_every_stored_ticket_and_says_when_discovery_is_off(tmp_path):
    now = datetime.now(UTC).replace(microsecond=0)
    settings, runtime, burst, _ = world(tmp_path, now, batch_size=4)
    runtime.engine.dispose()
    config = write_config(tmp_path, settings)
    groups = json.loads(invoke(config, "discover", "--format", "json").stdout)["groups"]
    assert groups[0]["ticket_ids"] == burst  # 35 tickets stored, 4 a run
    off = write_config(tmp_path, settings.model_copy(update={"discovery": settings.discovery.model_copy(
        update={"enabled": False})}))
    result = invoke(off, "discover")
    assert result.exit_code == 1 and "discovery is off (discovery.enabled: false in the config)" in result.output


@pytest.mark.parametrize("enabled", [True, False])
def test_the_scheduled_job_runs_only_when_discovery_is_enabled(sqlite_url, clock, enabled):
    runtime = build_runtime(make_settings(sqlite_url, discovery={"enabled": enabled, "run_seconds": 30}), clock=clock)
    jobs = {job.id: job for job in scheduled_jobs(runtime)}
    assert ("discover" in jobs) is enabled
    if enabled:
        assert jobs["discover"].every_seconds == 30 and jobs["discover"].run() == "0 tickets read, 0 placed, 0 left"
    runtime.engine.dispose()


def emerging_group(config) -> dict:
    return json.loads(invoke(config, "discover", "--format", "json").stdout)["groups"][0]


def test_accepting_writes_the_rule_into_a_configured_file_and_the_group_leaves_the_list(stored):
    config, runtime, burst, _, tmp_path = stored
    group = emerging_group(config)
    refunds = tmp_path / "rules" / "refunds.yaml"
    result = invoke(config, "discover", "accept", str(group["id"]), "--to", str(refunds))
    assert result.exit_code == 0, result.output
    assert f"rule {group['suggested_rule']['name']} written to {refunds}" in result.stdout
    assert "warning" not in result.output
    assert "the running bridge hands the group's 7 tickets to detection once it has reloaded" in result.stdout
    text = refunds.read_text()
    assert text.startswith(REFUND_RULE) and text.count("- name: ") == 2  # added, the file's own rule kept
    tested = json.loads(invoke(config, "rules", "test", "--since", "1d", "--json").stdout)
    outcome = next(r for r in tested["rules"] if r["rule"] == group["suggested_rule"]["name"])
    assert sorted(outcome["matched_ticket_ids"]) == burst
    listed = json.loads(invoke(config, "discover", "--format", "json").stdout)["groups"]
    assert group["id"] not in [g["id"] for g in listed]
    store = DiscoveryStore(runtime.engine)
    assert set(burst) <= {row.ticket_id for row in store.tickets_since(datetime(2000, 1, 1, tzinfo=UTC))}

    # the bridge's discover job, once its rules know the new one, hands the group to detection
    feed = DiscoveryFeed(runtime.engine, runtime.settings.discovery, runtime.rules.current, runtime.clock,
                         runtime.processor)
    assert feed.run().endswith("0 placed, 0 left")  # still the rules it started with
    runtime.rules.reloader.check()
    assert feed.run().endswith("0 placed, 7 left")
    name = group["suggested_rule"]["name"]
    [problem] = [p for p in runtime.problems.list() if p.rule == name]
    assert (problem.state, problem.ticket_count, problem.team) == ("open", 7, "engineering")
    assert not {row.ticket_id for row in store.tickets_since(datetime(2000, 1, 1, tzinfo=UTC))} & set(burst)
    again = invoke(config, "discover", "accept", str(group["id"]), "--to", str(tmp_path / "rules" / "other.yaml"))
    assert again.exit_code == 1 and f"no group {group['id']}" in again.output


def test_accepting_into_a_file_the_config_does_not_read_warns(stored):
    config, _, _, _, tmp_path = stored
    group = emerging_group(config)
    elsewhere = tmp_path / "drafts" / "new.yaml"
    result = invoke(config, "discover", "accept", str(group["id"]), "--to", str(elsewhere), "--team", "engineering")
    assert result.exit_code == 0, result.output
    assert "the config's `rules` do not name" in result.stderr
    assert elsewhere.read_text() == group["suggested_rule"]["yaml"]


def test_accepting_refuses_a_file_that_would_not_load_and_writes_nothing(stored):
    config, _, _, _, tmp_path = stored
    group = emerging_group(config)
    broken = tmp_path / "drafts" / "broken.yaml"
    broken.parent.mkdir()
    broken.write_text("rules:\n  - name: x\n    team: nobody\n")
    result = invoke(config, "discover", "accept", str(group["id"]), "--to", str(broken))
    assert result.exit_code == 1 and "broken.yaml:3: rules[0].team: unknown team 'nobody'" in result.stderr
    assert broken.read_text() == "rules:\n  - name: x\n    team: nobody\n"
    assert invoke(config, "discover", "accept", str(group["id"]), "--to", str(broken), "--team", "ops").exit_code == 2


def test_a_dismissed_group_is_not_suggested_again_until_it_grows(stored):
    config, runtime, *_ = stored
    group = emerging_group(config)
    result = invoke(config, "discover", "dismiss", str(group["id"]))
    assert result.exit_code == 0 and f"group {group['id']} dismissed at 7 tickets" in result.stdout
    listed = json.loads(invoke(config, "discover", "--format", "json").stdout)["groups"]
    assert group["id"] not in [g["id"] for g in listed]
    now = datetime.now(UTC)
    with runtime.engine.begin() as connection:
        runtime.tickets.record(connection, TicketSnapshot(2100, subject="app crashes uploading a photo",
                                                          description="the app crashes when I upload a photo",
                                                          created_at=now), now)
    grown = emerging_group(config)
    assert (grown["id"], grown["size"], grown["status"]) == (group["id"], 8, "dismissed")
    assert invoke(config, "discover", "dismiss", "999999").exit_code == 1


INVOICES = ["Where can I download my invoice?", "I need a copy of my invoice", "Please send my invoice again",
            "My invoice shows the wrong address", "How do I get an invoice for my order?"]
BLANK_PDFS = ["When I download my invoice the PDF is completely blank.",
              "the invoice pdf opens but the pages are blank", "Downloaded the invoice PDF twice, a blank page.",
              "My invoice PDF is blank, no amounts and no text.", "invoice download gives a blank pdf file",
              "The PDF of this month's invoice is blank.", "Blank invoice: the PDF downloads but shows nothing.",
              "the invoice pdf is blank again"]


def test_a_new_failure_worded_like_a_steady_topic_is_split_off_kept_and_listed(tmp_path, database_url):
    """Blank invoice PDFs among a week of everyday invoice questions: the job splits them off the
    invoice group into their own, which the database keeps and `bridge discover` lists first."""
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=61))
    settings = make_settings(database_url or f"sqlite:///{tmp_path / 'bridge.db'}", rules=[])
    runtime = build_runtime(settings, clock=clock)
    steady = [TicketSnapshot(1000 + n, subject=INVOICES[n % 5], description=INVOICES[(n + 2) % 5],
                             created_at=clock.now - timedelta(hours=3 + 4 * n)) for n in range(40)]
    burst = [TicketSnapshot(2000 + n, subject=INVOICES[n % 5], description=description,  # the everyday subjects
                            created_at=clock.now - timedelta(hours=8 - n)) for n, description in enumerate(BLANK_PDFS)]
    with runtime.engine.begin() as connection:
        for ticket in sorted(steady, key=lambda t: t.created_at or clock.now) + burst:
            runtime.tickets.record(connection, ticket, clock.now)
    clock.advance(61)
    DiscoveryFeed(runtime.engine, settings.discovery, runtime.rules.current, clock).run()
    rows = DiscoveryStore(runtime.engine).tickets_since(clock.now - timedelta(days=7))
    kept = {row.ticket_id: row.group_id for row in rows}
    assert len({kept[t.id] for t in burst}) == 1 and {kept[t.id] for t in steady}.isdisjoint({kept[burst[0].id]})
    runtime.engine.dispose()
    groups = json.loads(invoke(write_config(tmp_path, settings), "discover", "--format", "json").stdout)["groups"]
    assert groups[0]["emerging"] and groups[0]["ticket_ids"] == [t.id for t in burst]
    assert groups[0]["bursting_term"] in ("blank", "pdf")
    assert not any(group["emerging"] for group in groups[1:])
