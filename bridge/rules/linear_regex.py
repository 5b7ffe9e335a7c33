"""Regular expressions written by admins (rule `regex:` conditions, tag formats), compiled on RE2.

Python's `re` backtracks: `^(\\w+\\s?)+$` against a 28-character description takes seconds and
doubles with every character, holding the interpreter lock all the while. RE2 runs in time linear
in the text whatever the pattern, and refuses, when the pattern is compiled (so `bridge rules check`
reports it), what it cannot run that way: backreferences (`\\1`, `(?P=name)`), lookarounds (`(?=`,
`(?!`, `(?<=`, `(?<!`), possessive quantifiers, `\\Z` (RE2 writes `\\z`), repetition counts over
1000. Other differences from `re`: `\\w`, `\\d`, `\\s` and `\\b` are ASCII (`\\pL` is any letter);
`$` without `(?m)` matches only at the very end of the text.
"""

from __future__ import annotations

import re
from typing import Protocol

import re2


class LinearMatch(Protocol):
    def groupdict(self) -> dict[str, str]: ...


class LinearRegex(Protocol):
    """What `compile_linear` returns (an RE2 pattern: re2 ships no types), as far as the bridge uses it."""

    @property
    def pattern(self) -> str: ...

    def search(self, text: str) -> LinearMatch | None: ...

    def fullmatch(self, text: str) -> LinearMatch | None: ...


def compile_linear(pattern: str, *, ignore_case: bool = False) -> LinearRegex:
    """`pattern` compiled on RE2; ValueError naming RE2's reason and the pattern if RE2 cannot run it."""
    options = re2.Options()
    options.case_sensitive = not ignore_case
    options.log_errors = False  # the reason goes into the ValueError, not to stderr
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else "rejected"
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise ValueError(f"{reason} (in {pattern}){_why_re2_refuses(pattern)}") from None


def _why_re2_refuses(pattern: str) -> str:
    """A hint when the pattern is valid for Python (the admin may have tested it there)."""
    try:
        re.compile(pattern)  # compiling only: no text is matched, nothing can backtrack
    except (re.error, RecursionError, OverflowError):
        return ""
    return ("; valid in Python, but the bridge runs regexes on RE2, which never backtracks: no "
            "backreferences, lookarounds, possessive quantifiers or repetition counts over 1000")


def escape(text: str) -> str:
    """`text` as a pattern that matches it literally."""
    return re2.escape(text)
