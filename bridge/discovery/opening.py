"""`discovery.open_problems`: an emerging group becomes a problem without waiting for an admin.
Its suggested rule is accepted as an admin would accept it (bridge/discovery/accepting.py), into
`discovery.rules_file`, routed to `discovery.team`; once the bridge reloaded the file, the
discover job hands the group to detection, which opens the problem and its Jira issue."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from bridge.config.settings import Settings
from bridge.discovery.accepting import rule_file_change, write_rule_file
from bridge.discovery.feed import watched_since
from bridge.discovery.listing import list_groups
from bridge.logs import log_event
from bridge.rules import RuleSet
from bridge.rules.yamlsource import SourceErrors
from bridge.storage.cursors import Cursors
from bridge.storage.discovery import ACCEPTED, WATCHING, DiscoveryStore

log = logging.getLogger("bridge.discovery")


class EmergingProblems:
    def __init__(self, engine: Engine, settings: Settings, rules: Callable[[], RuleSet],
                 clock: Callable[[], datetime]):
        self.engine, self.settings, self.rules, self.clock = engine, settings, rules, clock
        self.store, self.cursors = DiscoveryStore(engine), Cursors(engine)

    def run(self) -> str:
        discovery = self.settings.discovery
        if not discovery.open_problems or discovery.rules_file is None:
            return "not opening problems"
        now = self.clock()
        emerging = list_groups(self.store, self.settings, now, discovery.recent, watched_since(self.cursors),
                               emerging_only=True)
        accepted = 0
        for group in emerging:
            rule = group.suggested_rule
            if group.status != WATCHING or rule is None:
                continue
            try:
                change = rule_file_change(self.settings, self.rules(), Path(discovery.rules_file), rule.yaml,
                                          rule.name)
                write_rule_file(change)
            except (SourceErrors, OSError) as error:
                log_event(log, logging.WARNING, "discovery.open_failed", group=group.id, rule=rule.name,
                          error=str(error))
                continue
            self.store.decide(group.id, ACCEPTED, group.size, now, rule.name)
            log_event(log, logging.INFO, "discovery.accepted", group=group.id, rule=rule.name, tickets=group.size,
                      precision=rule.precision, by="open_problems")
            accepted += 1
        return f"{accepted} emerging groups accepted"
