"""An admin's decision on a group: accept its suggested rule into a rule file, or dismiss it. The
one place `bridge discover accept|dismiss`, the dashboard's "Emerging" panel and `/api/discovery`
decide (docs/discovery.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from bridge.config.settings import Settings
from bridge.discovery.accepting import rule_file_change, write_rule_file
from bridge.discovery.feed import watched_since
from bridge.discovery.listing import GroupListing, list_groups
from bridge.rules import RuleSet
from bridge.rules.durations import format_window
from bridge.rules.rule_files import RuleFiles
from bridge.storage.cursors import Cursors
from bridge.storage.discovery import ACCEPTED, DISMISSED, DiscoveryStore


class DecisionRefused(Exception):
    """`reason`: unknown_group, unknown_team, already_accepted, not_a_rule_file, unwritable."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason, self.message = reason, message


@dataclass(frozen=True)
class Accepted:
    group: GroupListing
    rule: str
    path: Path
    precision: float


class GroupDecisions:
    def __init__(self, engine: Engine, settings: Settings, clock: Callable[[], datetime]):
        self.settings, self.clock = settings, clock
        self.store, self.cursors = DiscoveryStore(engine), Cursors(engine)

    def group(self, group_id: int, team: str | None = None) -> GroupListing:
        """The group as `bridge discover` lists it (whatever its size or decision), its rule routed
        to `team`; DecisionRefused when the window holds no such group or `team` is not configured."""
        if team is not None and team not in self.settings.teams:
            teams = ", ".join(sorted(self.settings.teams))
            raise DecisionRefused("unknown_team", f"{team[:100]!r} is not one of teams: {teams}")
        found = list_groups(self.store, self.settings, self.clock(), self.settings.discovery.window,
                            watched_since(self.cursors), only=group_id, team=team)
        if not found:
            window = format_window(self.settings.discovery.window)
            raise DecisionRefused("unknown_group",
                                  f"no group {group_id} among the tickets of the last {window} (see bridge discover)")
        return found[0]

    def _undecided(self, group_id: int, team: str | None = None) -> GroupListing:
        """An accepted group waits for detection to take it over: neither accepted twice nor dismissed."""
        group = self.group(group_id, team)
        if group.status == ACCEPTED:
            raise DecisionRefused("already_accepted", f"group {group_id} was accepted already")
        return group

    def accept(self, group_id: int, path: Path, team: str | None, configured: RuleSet) -> Accepted:
        """Writes the group's suggested rule into `path`, validated first against the file as it
        will be and the `configured` rules (SourceErrors naming file, line and key otherwise)."""
        group = self._undecided(group_id, team)
        rule = group.suggested_rule
        assert rule is not None, "list_groups describes every group it lists"
        change = rule_file_change(self.settings, configured, path, rule.yaml, rule.name)
        try:
            write_rule_file(change)
        except OSError as exc:
            raise DecisionRefused("unwritable", f"cannot write {change.path}: {exc}") from None
        self.store.decide(group_id, ACCEPTED, group.size, self.clock(), rule.name)
        return Accepted(group, rule.name, change.path, rule.precision)

    def dismiss(self, group_id: int) -> GroupListing:
        group = self._undecided(group_id)
        self.store.decide(group_id, DISMISSED, group.size, self.clock())
        return group


def rule_file_choices(settings: Settings) -> list[str]:
    """The files an admin may pick from a page: those the config's `rules` globs name, and
    `discovery.rules_file` (which may not exist yet), as the config's relative names."""
    files = RuleFiles(settings.rules, settings.base_dir)
    names = [files.display_name(path.resolve()) for path in files.paths()]
    configured = discovery_rules_file(settings)
    return sorted({*names, *([configured] if configured else [])})


def discovery_rules_file(settings: Settings) -> str | None:
    """`discovery.rules_file` as `rule_file_choices` names it: the page's default choice."""
    if settings.discovery.rules_file is None:
        return None
    target = Path(settings.discovery.rules_file)
    target = target if target.is_absolute() else settings.base_dir / target
    return RuleFiles(settings.rules, settings.base_dir).display_name(target.resolve())


def chosen_rule_file(settings: Settings, name: str) -> Path:
    """The path of one of `rule_file_choices`; DecisionRefused for any other (a page names no
    file the bridge would not read, nor one outside its rule files)."""
    if name not in rule_file_choices(settings):
        raise DecisionRefused("not_a_rule_file", f"{name[:200]!r} is not one of the rule files the config's "
                                                 "`rules` name (or discovery.rules_file)")
    path = Path(name)
    return path if path.is_absolute() else settings.base_dir / path
