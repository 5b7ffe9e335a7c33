"""Discovery over HTTP: what the dashboard's "Emerging" panel and `/api/discovery` show of the
groups, and the accept or dismiss both take (bridge/discovery/decisions.py decides).

Like the rest of the API and dashboard, no ticket subject or description leaves: a group shows its
figures, its characteristic terms (stems many of its tickets share, which the suggested rule is
made of: an admin cannot judge the rule without them), the suggested rule, and sample ticket ids
linked into Zendesk, where agents read the tickets themselves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bridge.detection.live_rules import load_configured_rules
from bridge.discovery.decisions import (
    Accepted,
    DecisionRefused,
    GroupDecisions,
    chosen_rule_file,
    discovery_rules_file,
    rule_file_choices,
)
from bridge.discovery.feed import watched_since
from bridge.discovery.listing import GroupListing, list_groups
from bridge.planning.links import zendesk_ticket_url
from bridge.rules.rule_files import RuleFiles
from bridge.rules.yamlsource import SourceErrors
from bridge.runtime import Runtime
from bridge.storage.cursors import Cursors
from bridge.storage.discovery import DiscoveryStore

__all__ = ["Refused", "accept", "discovery_rules_file", "dismiss", "rule_file_choices", "shown_groups"]

REFUSAL_STATUS = {"unknown_group": 404, "unknown_team": 400, "not_a_rule_file": 400, "invalid_rule": 400,
                  "already_accepted": 409, "unwritable": 409, "discovery_off": 404}


class Refused(Exception):
    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason, self.message, self.status = reason, message, REFUSAL_STATUS[reason]


@dataclass(frozen=True)
class Decided:
    accepted: Accepted | None
    read_by_config: bool  # the config's `rules` name the file: detection will take the group over
    message: str


def shown_groups(runtime: Runtime, emerging_only: bool, limit: int) -> list[dict[str, Any]]:
    """The groups as `bridge discover --since <window>` lists them, from what the scheduled job
    stored (a page never groups tickets itself), without the samples' subjects."""
    settings = runtime.settings
    if not settings.discovery.enabled:
        return []
    listed = list_groups(DiscoveryStore(runtime.engine), settings, runtime.clock(), settings.discovery.window,
                         watched_since(Cursors(runtime.engine)), limit, emerging_only=emerging_only)
    return [_shown(group, settings.zendesk.url) for group in listed]


def _shown(group: GroupListing, zendesk_url: str) -> dict[str, Any]:
    shown = group.to_dict()
    shown["samples"] = [{"id": sample["id"], "url": zendesk_ticket_url(zendesk_url, sample["id"])}
                        for sample in group.samples]
    return shown


def accept(runtime: Runtime, group_id: int, file_name: str | None, team: str | None) -> Decided:
    """`bridge discover accept` into one of the rule files the config names."""
    settings = _enabled(runtime)
    if not file_name:
        raise Refused("not_a_rule_file", "file: choose the rule file to write the rule into")
    try:
        path = chosen_rule_file(settings, file_name)
        accepted = _decisions(runtime).accept(group_id, path, team or None, load_configured_rules(settings))
    except DecisionRefused as refused:
        raise Refused(refused.reason, refused.message) from None
    except SourceErrors as errors:
        raise Refused("invalid_rule", "; ".join(str(error) for error in errors.errors)) from None
    read = accepted.path.resolve() in RuleFiles(settings.rules, settings.base_dir).paths()
    message = (f"Rule {accepted.rule} written to {file_name} "
               f"(precision {accepted.precision:.2f} on the window's tickets).")
    message += (" Detection takes the group's tickets over once the bridge has reloaded the rules." if read else
                " The config's `rules` do not name that file yet: add it for detection to use the rule.")
    return Decided(accepted, read, message)


def dismiss(runtime: Runtime, group_id: int) -> Decided:
    _enabled(runtime)
    try:
        group = _decisions(runtime).dismiss(group_id)
    except DecisionRefused as refused:
        raise Refused(refused.reason, refused.message) from None
    return Decided(None, False, f"Group {group_id} dismissed at {group.size} tickets: it is not suggested again "
                                "unless it grows past that.")


def _enabled(runtime: Runtime):
    if not runtime.settings.discovery.enabled:
        raise Refused("discovery_off", "discovery is off (discovery.enabled: false in the config)")
    return runtime.settings


def _decisions(runtime: Runtime) -> GroupDecisions:
    return GroupDecisions(runtime.engine, runtime.settings, runtime.clock)
