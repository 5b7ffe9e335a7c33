"""Text folding shared by rule keywords and ticket text, so both sides are compared alike.

Folding: Unicode NFKD, combining marks dropped (é -> e), casefolded, every run of characters that
is not a letter or digit (punctuation, underscores, line breaks, tabs) turned into one space, and
one space added at each end. A keyword then matches as ``" word "`` (a whole word or phrase) or,
written with a trailing ``*``, as ``" wor"`` (any word starting so).

Rules search at most SEARCHED_CHARACTERS of each text (subject, description, field value): a
pasted 1 MB log costs the worker no more than 64 Ki characters would, and a keyword or regex that
would match only further on does not match. The ticket itself is kept and passed on whole.
"""

from __future__ import annotations

import re
import unicodedata

_NOT_LETTER_OR_DIGIT = re.compile(r"[\W_]+")
SEARCHED_CHARACTERS = 65_536


def searched_part(text: str) -> str:
    """The part of `text` that rules search: its first SEARCHED_CHARACTERS characters."""
    return text[:SEARCHED_CHARACTERS]


def strip_accents(text: str) -> str:
    """NFKD without combining marks: case, punctuation and line breaks stay as they were."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def fold_text(text: str) -> str:
    """Accent-free, casefolded words separated by single spaces, with a space at each end."""
    words = _NOT_LETTER_OR_DIGIT.sub(" ", strip_accents(text).casefold()).strip()
    return f" {words} " if words else " "


def keyword_needle(keyword: str) -> str:
    """The substring a folded text must contain for `keyword` to match; ValueError if unusable."""
    prefix = keyword.endswith("*")
    body = keyword[:-1] if prefix else keyword
    if "*" in body:
        raise ValueError(f"keyword {keyword!r}: '*' is only allowed at the end")
    words = fold_text(body).strip()
    if not words:
        raise ValueError(f"keyword {keyword!r} has no letters or digits")
    return f" {words}" if prefix else f" {words} "
