"""Accepting a suggested rule: written into the rule file an admin names (or
`discovery.rules_file`), validated first, so that detection takes the group over with the rule's
threshold, team and due date (bridge/discovery/feed.py hands it over)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bridge.config.settings import Settings
from bridge.rules import RuleSet
from bridge.rules.loader import rules_from_text
from bridge.rules.rule_files import RuleFiles
from bridge.rules.yamlsource import SourceError, SourceErrors

_LIST_ITEM = re.compile(r"(?m)^rules:[^\n]*\n(?:\s*(?:#[^\n]*)?\n)*([ \t]*)- ")


@dataclass(frozen=True)
class RuleFileChange:
    path: Path
    text: str  # the whole file, with the rule added


def with_rule(existing: str | None, suggested: str) -> str:
    """A rule file's text with the suggested rule (a one-rule file) added at the end of its
    `rules` list, its comments kept; a new file is the suggestion itself."""
    if existing is None or not existing.strip():
        return suggested
    item = suggested.split("\n", 1)[1]  # the list item under `rules:`, at column 0
    found = _LIST_ITEM.search(existing)
    indent = found.group(1) if found else ""
    return existing.rstrip("\n") + "\n" + "".join(indent + line for line in item.splitlines(keepends=True))


def rule_file_change(settings: Settings, configured: RuleSet, path: Path, suggested: str,
                     rule_name: str) -> RuleFileChange:
    """The file as it would be written (a relative `path` is the config's, as `rules` are);
    SourceErrors naming file, line and key when it would not be a valid rule file, or would clash
    with a rule the bridge already runs."""
    resolved = path if path.is_absolute() else settings.base_dir / path
    files = RuleFiles(settings.rules, settings.base_dir)
    shown = files.display_name(resolved.resolve())
    try:
        existing = resolved.read_text(encoding="utf-8") if resolved.exists() else None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceErrors([SourceError(shown, None, "", f"cannot read file: {exc}")]) from None
    text = with_rule(existing, suggested)
    rules_from_text(text, shown, settings.teams.keys(), settings.custom_fields,
                    impact_configured=settings.impact is not None)
    clash = configured.by_name(rule_name)
    if clash is not None and clash.file != shown:
        raise SourceErrors([SourceError(shown, None, "name", f"rule name {rule_name!r} is taken by {clash.location}")])
    return RuleFileChange(resolved, text)


def write_rule_file(change: RuleFileChange) -> None:
    """Through a temporary file beside it: the rules reloader never reads half a file."""
    change.path.parent.mkdir(parents=True, exist_ok=True)
    temporary = change.path.with_name(f".{change.path.name}.tmp")
    temporary.write_text(change.text, encoding="utf-8")
    temporary.replace(change.path)
