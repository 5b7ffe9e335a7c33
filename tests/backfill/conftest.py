"""Backfill tests: a simulated Zendesk whose history is tickets reported over the last month, and
a config file pointing the bridge (SQLite) at it, for `bridge backfill` run as a command."""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bridge.cli import main
from bridge.domain.bridge_tickets import FOLLOWUP_TAG
from connectors.zendesk.simulator import ZendeskSimulator
from connectors.zendesk.simulator.server import DEFAULT_API_EMAIL, DEFAULT_API_TOKEN
from tests.support.settings import make_settings, write_config

RULES = """
rules:
  - name: double-charge
    team: finance
    match: {text: {any: ["charged twice"]}}
    threshold: {count: 3, of: tickets, window: 24h}
  - name: late-parcel
    team: shipping
    match: {text: {any: ["parcel is late"]}}
    threshold: {count: 3, of: tickets, window: 24h}
  - name: app-crash
    team: engineering
    match: {text: {any: ["app crashes"]}}
    threshold: {count: 3, of: tickets, window: 24h}
  - name: refund-missing
    team: finance
    match: {text: {any: ["refund is missing"]}}
    group_by: requester_domain
    threshold: {count: 2, of: tickets, window: 24h}
"""
TEAMS = {"finance": {"project": "FIN"}, "shipping": {"project": "SHIP"}, "engineering": {"project": "ENG"}}
# The simulator's export lets a test through as fast as it asks (the real limit is 10 a minute;
# tests that are about the limit set their own); the command is told the same.
FAST = ("--export-rate", "1000")


def days_ago(days: float) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) - timedelta(days=days)


@pytest.fixture
def zendesk():
    with ZendeskSimulator() as simulator:
        simulator.set_export_rate_limit(None)
        yield simulator


@pytest.fixture
def backfill_database_url(sqlite_url) -> str:
    """SQLite; a module overrides it with `database_url` to run on PostgreSQL too."""
    return sqlite_url


@pytest.fixture
def config_path(tmp_path, backfill_database_url, zendesk) -> Path:
    rules_dir = tmp_path / "rules"
    rules_dir.mkdir()
    (rules_dir / "rules.yaml").write_text(textwrap.dedent(RULES))
    settings = make_settings(backfill_database_url, teams=TEAMS, rules=[str(rules_dir / "*.yaml")], zendesk={
        "url": zendesk.url, "email": DEFAULT_API_EMAIL, "api_token": DEFAULT_API_TOKEN,
        "bridge_user_id": zendesk.account.api_user_id})
    return write_config(tmp_path, settings)


@pytest.fixture
def bridge_cli(config_path):
    def invoke(*arguments: str) -> Result:
        return CliRunner().invoke(main, ["--config", str(config_path), *arguments])

    return invoke


def outcome_of(result: Result) -> dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def opened(outcome: dict) -> list[tuple]:
    """What a run opened (or would), without the problems' ids (a dry run's are rolled back)."""
    return sorted((p["rule"], p["group_key"], p["tickets"], p["requesters"], tuple(p["sample_ticket_ids"]))
                  for p in outcome["opened"])


HISTORY_TICKETS = 12  # make_history's tickets besides the noise


@dataclass(frozen=True)
class History:
    """A month of tickets: one burst per rule that makes a problem on its own times, and near-misses."""

    double_charge: list[int]  # 3 within 2 hours, 20 days ago: a problem
    late_parcel: list[int]  # 3, two days apart: never 3 within 24h
    bridge_followups: list[int]  # 3 "app crashes" within an hour: the bridge's marked follow-ups
    bridge_submitted: list[int]  # 3 "app crashes" within an hour: submitted by the bridge's API user


def make_history(zendesk: ZendeskSimulator, noise: int = 0) -> History:
    """Created in time order (the export lists changes as they happened); `noise` questions
    spread over the month around them."""
    planned: list[tuple[datetime, str, str, tuple[str, ...]]] = []
    for hours in (0, 1, 2):
        planned.append((days_ago(20) + timedelta(hours=hours), "Charged twice", "I was charged twice", ()))
    for days in (16, 14, 12):
        planned.append((days_ago(days), "Where is it", "My parcel is late again", ()))
    for minutes in (0, 20, 40):
        planned.append((days_ago(5) + timedelta(minutes=minutes), "Re: your ticket",
                        "The app crashes: a fix has shipped", (FOLLOWUP_TAG,)))
        planned.append((days_ago(3) + timedelta(minutes=minutes), "About your ticket",
                        "The app crashes: we are on it", ("by_api",)))
    for index in range(noise):
        planned.append((days_ago(29) + timedelta(seconds=index * (28 * 86400 // max(noise, 1))),
                        f"Question {index}", "How do I change my address?", ()))
    created: dict[str, list[int]] = {"charged": [], "parcel": [], "shipped": [], "on it": []}
    for number, (at, subject, body, tags) in enumerate(sorted(planned)):
        ticket = zendesk.created_ticket_at(at, subject, body, email=f"customer{number}@example.com",
                                           tags=tags, by_api_user="by_api" in tags)
        for key in created:
            if key in body.lower():
                created[key].append(ticket["id"])
    return History(created["charged"], created["parcel"], created["shipped"], created["on it"])
