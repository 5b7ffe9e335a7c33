"""Hot reload of rule files: keep serving the last valid RuleSet while an edit is broken."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

from bridge.rules.ruleset import RuleSet
from bridge.rules.yamlsource import SourceErrors


class RuleReloader:
    """`load` builds a RuleSet from the rule files (raising SourceErrors); it is called once here,
    then again by `check()` whenever a watched file was added, removed or changed."""

    def __init__(self, load: Callable[[], RuleSet], clock: Callable[[], datetime] | None = None):
        self._load = load
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self._current = load()
        self._seen = self._fingerprint()
        self.last_error: str | None = None
        self.last_error_at: datetime | None = None

    @property
    def current(self) -> RuleSet:
        return self._current

    def _fingerprint(self):
        files = self._current.files
        return files.fingerprint() if files is not None else frozenset()

    def check(self) -> bool:
        """Reload if the files changed; True when a new RuleSet is in use."""
        with self._lock:
            fingerprint = self._fingerprint()
            if fingerprint == self._seen:
                return False
            self._seen = fingerprint
            try:
                ruleset = self._load()
            except SourceErrors as exc:
                self.last_error, self.last_error_at = str(exc), self._clock()
                return False
            self._current = ruleset
            self.last_error = self.last_error_at = None
            return True
