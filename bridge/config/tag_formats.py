"""Zendesk tag formats with placeholders (`jira_{project}_{number}`, `escalate_{team}`): checked
when the config loads, then used both to read agents' tags and to write the bridge's own."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from string import Formatter

from bridge.rules.linear_regex import LinearRegex, compile_linear, escape

# What each placeholder matches in a tag. Zendesk lower-cases tags and splits them at spaces.
_PLACEHOLDER_PATTERNS = {
    "project": r"[a-z][a-z0-9_]*?",
    "number": r"[0-9]+",
    "team": r"[^\s]+?",
}


@dataclass(frozen=True)
class TagFormat:
    """A validated tag format: `parse` reads a tag, `format` writes one (lower case, like Zendesk)."""

    template: str
    placeholders: tuple[str, ...]
    pattern: LinearRegex = field(compare=False, repr=False)

    def parse(self, tag: str) -> dict[str, str] | None:
        """The placeholder values in `tag` (lower case), or None when the tag has another form."""
        match = self.pattern.fullmatch(tag.strip())
        return None if match is None else {name: value.lower() for name, value in match.groupdict().items()}

    def format(self, **values: object) -> str:
        return self.template.format(**values).lower()

    def __str__(self) -> str:
        return self.template


def parse_tag_format(template: str, placeholders: tuple[str, ...]) -> TagFormat:
    """Check that `template` uses each of `placeholders` exactly once, no other ones, some literal
    text, and a separator between two placeholders; ValueError naming what is wrong otherwise."""
    try:
        parts = list(Formatter().parse(template))
    except ValueError as exc:
        raise ValueError(f"bad tag format {template!r}: {exc}") from None
    expected = ", ".join("{" + name + "}" for name in placeholders)
    used = [name for _, name, _, _ in parts if name is not None]
    if sorted(used) != sorted(placeholders):
        raise ValueError(f"tag format {template!r} must contain {expected} exactly once each "
                         f"and no other placeholder")
    if any(spec or conversion for _, name, spec, conversion in parts if name is not None):
        raise ValueError(f"tag format {template!r}: placeholders take no format spec or conversion")
    literal = "".join(text for text, _, _, _ in parts)
    if not literal:
        raise ValueError(f"tag format {template!r} needs some text besides {expected}, "
                         f"or every tag would match it")
    if re.search(r"\s", literal):
        raise ValueError(f"tag format {template!r} must not contain spaces (Zendesk splits tags at spaces)")
    if any(text == "" for text, name, _, _ in parts[1:] if name is not None):
        raise ValueError(f"tag format {template!r} needs a separator between placeholders")
    regex = "".join(escape(text) + (f"(?P<{name}>{_PLACEHOLDER_PATTERNS[name]})" if name else "")
                    for text, name, _, _ in parts)
    return TagFormat(template, placeholders, compile_linear(regex, ignore_case=True))
