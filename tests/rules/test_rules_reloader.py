"""Hot reload: changes are picked up, a broken edit keeps the last valid set, a fix clears the error."""

import os
import threading
from datetime import UTC, datetime

from bridge.rules import RuleReloader, load_rules
from tests.rules.conftest import CUSTOM_FIELDS, TEAMS

RULE = ("rules:\n"
        "  - {{name: {name}, team: finance, match: {{tags: {{any: [x]}}}}, threshold: {{count: 1, window: 1h}}}}\n")
NOW = datetime(2024, 5, 1, tzinfo=UTC)


def write(path, text):
    path.write_text(text, encoding="utf-8")
    stamp = path.stat().st_mtime_ns + 1_000_000_000  # filesystems with coarse mtimes
    os.utime(path, ns=(stamp, stamp))


def reloader_for(tmp_path) -> RuleReloader:
    return RuleReloader(lambda: load_rules(["*.yaml"], tmp_path, TEAMS, CUSTOM_FIELDS), clock=lambda: NOW)


def names(reloader):
    return [rule.name for rule in reloader.current]


def test_unchanged_files_are_not_reloaded(tmp_path):
    write(tmp_path / "a.yaml", RULE.format(name="a"))
    reloader = reloader_for(tmp_path)
    first = reloader.current
    assert reloader.check() is False and reloader.current is first


def test_edit_add_and_remove_are_picked_up(tmp_path):
    write(tmp_path / "a.yaml", RULE.format(name="a"))
    reloader = reloader_for(tmp_path)
    write(tmp_path / "a.yaml", RULE.format(name="a2"))
    assert reloader.check() is True and names(reloader) == ["a2"]
    write(tmp_path / "b.yaml", RULE.format(name="b"))
    assert reloader.check() is True and names(reloader) == ["a2", "b"]
    (tmp_path / "b.yaml").unlink()
    assert reloader.check() is True and names(reloader) == ["a2"]


def test_invalid_edit_keeps_last_valid_set_until_fixed(tmp_path):
    write(tmp_path / "a.yaml", RULE.format(name="a"))
    reloader = reloader_for(tmp_path)
    write(tmp_path / "a.yaml", RULE.format(name="a").replace("finance", "nobody"))
    assert reloader.check() is False
    assert names(reloader) == ["a"]
    assert reloader.last_error.startswith("a.yaml:2: rules[0].team: unknown team 'nobody'")
    assert reloader.last_error_at == NOW
    assert reloader.check() is False and reloader.last_error  # same broken content: no retry
    write(tmp_path / "a.yaml", RULE.format(name="fixed"))
    assert reloader.check() is True
    assert names(reloader) == ["fixed"] and reloader.last_error is None and reloader.last_error_at is None


def test_concurrent_checks_reload_once(tmp_path):
    write(tmp_path / "a.yaml", RULE.format(name="a"))
    loads = []

    def load():
        loads.append(1)
        return load_rules(["*.yaml"], tmp_path, TEAMS, CUSTOM_FIELDS)
    reloader = RuleReloader(load)
    write(tmp_path / "a.yaml", RULE.format(name="b"))
    results = []
    threads = [threading.Thread(target=lambda: results.append(reloader.check())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]
    assert len(loads) == 2 and names(reloader) == ["b"]
