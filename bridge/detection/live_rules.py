"""The rules a running bridge uses: loaded from the config's globs, reloaded when files change."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from bridge.config.settings import Settings
from bridge.detection.agent_rules import agent_rules
from bridge.logs import log_event
from bridge.metrics import BridgeMetrics
from bridge.rules import RuleReloader, RuleSet, load_rules
from bridge.rules.yamlsource import SourceError, SourceErrors

log = logging.getLogger("bridge.rules")


def load_configured_rules(settings: Settings) -> RuleSet:
    """Every rule file the config names, plus the rules agents' tags imply; raises SourceErrors
    listing every problem."""
    implied = agent_rules(settings)
    if not settings.rules:
        return RuleSet(implied)
    loaded = load_rules(list(settings.rules), settings.base_dir, settings.teams.keys(), settings.custom_fields,
                        impact_configured=settings.impact is not None)
    taken = {rule.name: rule for rule in reversed(loaded.rules)}  # the first rule of a name wins
    clashes = [taken[rule.name] for rule in implied if rule.name in taken]
    if clashes:
        raise SourceErrors([SourceError(rule.file, rule.line, "name",
                                        f"rule name {rule.name!r} is reserved for agents' tags") for rule in clashes])
    return RuleSet([*loaded.rules, *implied], loaded.files)


class LiveRules:
    """The current RuleSet; `check()` reloads changed files at most every `interval` seconds,
    keeping the last valid set while an edit is broken."""

    def __init__(self, settings: Settings, metrics: BridgeMetrics, interval: float = 2.0,
                 monotonic: Callable[[], float] = time.monotonic):
        self.reloader = RuleReloader(lambda: load_configured_rules(settings))
        self.metrics, self.interval, self.monotonic = metrics, interval, monotonic
        self._next_check = 0.0
        self._reported_error: str | None = None
        metrics.rules_loaded.set(len(self.reloader.current))

    def current(self) -> RuleSet:
        return self.reloader.current

    @property
    def error(self) -> str | None:
        return self.reloader.last_error

    def check(self, report: bool = True) -> None:
        """Reload changed files. `report=False` (the HTTP process of `bridge serve`, whose worker
        process reports) only keeps `current()` and `error` true: no metric, no log line."""
        if self.monotonic() < self._next_check:
            return
        self._next_check = self.monotonic() + self.interval
        if not report:
            self.reloader.check()
            return
        if self.reloader.check():
            self.metrics.rules_loaded.set(len(self.reloader.current))
            self.metrics.rules_reload_ok.set(1)
            self._reported_error = None
            log_event(log, logging.INFO, "rules.reloaded", rules=len(self.reloader.current))
        elif self.reloader.last_error and self.reloader.last_error != self._reported_error:
            self._reported_error = self.reloader.last_error
            self.metrics.rules_reload_ok.set(0)
            self.metrics.rules_reload_errors.inc()
            log_event(log, logging.ERROR, "rules.reload_failed", errors=self.reloader.last_error,
                      keeping_rules=len(self.reloader.current))
