"""The demo's discovery stage: customers start writing about a failure no shipped rule knows (the
calendar sync), `bridge discover` lists their tickets as an emerging group with a suggested rule,
the admin accepts it into a rule file of the demo's rules directory (a scratch copy of the shipped
rules), the bridge's discover job hands the group to detection (a problem and its Jira issue), and
the next customer writing about it joins that problem. The baseline discovery judges against is the
demo's backfilled history: six days of everyday questions (bridge/demo/history.py)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Protocol

from bridge.demo import phrasebook
from bridge.demo.stage_run import StageRun, wait_until
from bridge.detection.live_rules import load_configured_rules
from bridge.discovery.decisions import DecisionRefused, GroupDecisions
from bridge.discovery.feed import DiscoveryFeed, watched_since
from bridge.discovery.listing import format_listing, list_groups
from bridge.domain.problems import Problem
from bridge.rules.yamlsource import SourceErrors
from bridge.runtime import Runtime
from bridge.scheduler.jobs import scheduled_jobs
from bridge.storage.cursors import Cursors
from bridge.storage.discovery import DiscoveryStore

RULE_FILE = "discovered.yaml"
TEAM = "engineering"
LISTED = 2  # `bridge discover --limit 2`: the burst, and the largest group of the steady background


@dataclass(frozen=True)
class DiscoveredRule:
    """What the stage did, read back from the bridge: the summary's `discovered_rules`."""

    rule: str
    file: str
    group: int
    group_tickets: int
    precision: float
    tickets_played: int  # the burst and the ticket that came after the rule
    problem: int | None
    problem_state: str | None
    problem_tickets: int
    jira_key: str | None


class DemoRun(StageRun, Protocol):
    """What this stage uses of the demo's run (bridge/demo/stages.py)."""

    @property
    def discovered_rules(self) -> list[DiscoveredRule]: ...


def discover_emerging(run: DemoRun) -> None:
    env, runtime = run.env, run.env.runtime
    burst = _play_burst(run)
    if not _idle(run):
        return
    settings = runtime.settings
    run.say(f"$ bridge discover --limit {LISTED}")
    DiscoveryFeed(runtime.engine, settings.discovery, runtime.rules.current, runtime.clock).catch_up()
    listed = list_groups(DiscoveryStore(runtime.engine), settings, runtime.clock(), settings.discovery.window,
                         watched_since(Cursors(runtime.engine)), LISTED)
    for line in format_listing(listed, settings.discovery.recent).splitlines():
        run.say(f"  {line}")
    emerging = [group for group in listed if group.emerging]
    if len(emerging) != 1:
        run.failures.append(f"discovery flagged {len(emerging)} emerging groups, not the burst alone")
        return
    group = emerging[0]
    caught = set(group.ticket_ids) & set(burst)
    if len(caught) < settings.discovery.min_size:
        run.failures.append(f"the emerging group {group.id} holds {len(caught)} of the burst's {len(burst)} tickets")
        return

    path = env.rules_dir / RULE_FILE
    run.say(f"$ bridge discover accept {group.id} --to {path} --team {TEAM}")
    try:
        accepted = GroupDecisions(runtime.engine, settings, runtime.clock).accept(
            group.id, path, TEAM, load_configured_rules(settings))
    except (DecisionRefused, SourceErrors) as error:
        run.failures.append(f"accepting group {group.id}'s rule failed: {error}")
        return
    run.say(f"  rule {accepted.rule} written to {accepted.path} (precision {accepted.precision:.2f} "
            "on the window's tickets)")
    if not wait_until(run.process_timeout, lambda: runtime.rules.current().by_name(accepted.rule) is not None):
        run.failures.append(f"the bridge did not load {accepted.rule} from {path}")
        return
    run.say(f"  the bridge reloaded its rules; its discover job (every {settings.discovery.run_seconds:g} s) "
            "hands the group to detection:")
    [job] = [job for job in scheduled_jobs(runtime) if job.id == "discover"]
    run.say(f"  discover job: {job.run()}")
    if not _idle(run):
        return
    problem = _problem(runtime, accepted.rule)
    if problem is None or problem.jira_key is None:
        run.failures.append(f"no problem with a Jira issue for the accepted rule {accepted.rule}")
        return
    run.say(f"  problem {problem.id} ({problem.state}, {problem.ticket_count} tickets) → {problem.jira_key}")

    following = _customer_writes(run, phrasebook.CALENDAR_SYNC_NEXT, "nadia.next@example.com", "Nadia Next")
    if not _idle(run):
        return
    joined = _problem(runtime, accepted.rule)
    assert joined is not None, "a problem is never deleted"
    if following not in runtime.problems.linked_ticket_ids(joined.id):
        run.failures.append(f"ticket #{following} did not join problem {joined.id} of rule {accepted.rule}")
    else:
        run.say(f"  ticket #{following} joined problem {joined.id}: {joined.ticket_count} tickets on "
                f"{joined.jira_key}")
    run.discovered_rules.append(DiscoveredRule(
        accepted.rule, RULE_FILE, group.id, group.size, accepted.precision, len(burst) + 1, joined.id, joined.state,
        joined.ticket_count, joined.jira_key))


def _play_burst(run: DemoRun) -> list[int]:
    run.say("customers start writing about something no shipped rule knows:")
    rng = random.Random(len(phrasebook.CALENDAR_SYNC))
    names = rng.sample(list(zip(phrasebook.FIRST_NAMES, phrasebook.LAST_NAMES, strict=True)),
                       len(phrasebook.CALENDAR_SYNC))
    burst = []
    for (subject, body), (first, last) in zip(phrasebook.CALENDAR_SYNC, names, strict=True):
        text = (subject, body.format(day=rng.choice(phrasebook.DAYS)))
        burst.append(_customer_writes(run, text, f"{first.lower()}.{last.lower()}@calendar.example", f"{first} {last}"))
    return burst


def _customer_writes(run: DemoRun, text: tuple[str, str], email: str, name: str) -> int:
    ticket_id = run.env.zendesk.customer_creates_ticket(*text, email=email, name=name)["id"]
    run.say(f"  ticket #{ticket_id:<4} {'new':<9} {text[0]}  ({name})")
    return ticket_id


def _problem(runtime: Runtime, rule: str) -> Problem | None:
    return next((problem for problem in runtime.problems.list() if problem.rule == rule), None)


def _idle(run: DemoRun) -> bool:
    if run.env.wait_until_idle(timeout=run.process_timeout):
        return True
    run.failures.append(f"the bridge was still busy after {run.process_timeout:.0f} s (discovery stage)")
    return False
