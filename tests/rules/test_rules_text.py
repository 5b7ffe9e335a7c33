"""Keyword semantics: folded text, whole words by default, `word*` for word prefixes."""

import pytest

from bridge.rules.text import fold_text, keyword_needle
from tests.rules.conftest import ticket


def test_folding_removes_accents_case_punctuation_and_line_breaks():
    assert fold_text("Café: FACTURÉ deux fois!\r\nMerci") == " cafe facture deux fois merci "
    assert fold_text("Straße") == " strasse "
    assert fold_text("") == " "


def test_keyword_needles_are_whole_words_unless_starred():
    assert keyword_needle("Refund") == " refund "
    assert keyword_needle("refund*") == " refund"
    assert keyword_needle("double-charged") == " double charged "


@pytest.mark.parametrize("bad", ["!!!", "*", "ref*und"])
def test_unusable_keywords_are_rejected(bad):
    with pytest.raises(ValueError):
        keyword_needle(bad)


@pytest.mark.parametrize("keyword, text, expected", [
    ("refund", "I want a refund.", True),
    ("refund", "I was refunded already", False),          # whole words only
    ("refund*", "I was refunded already", True),          # prefix when starred
    ("charge*", "Charged twice!!", True),
    ("charged twice", "I got CHARGED\ntwice for order 12", True),   # phrase across a line break
    ("charged twice", "charged, twice", True),            # punctuation between words
    ("facture", "Facturé deux fois", True),               # é matches e
    ("facturé", "FACTURE deux fois", True),               # and the other way round
    ("app crash", "the apps crash", False),
    ("doesn't work", "It doesnt work", False),            # an apostrophe separates words
    ("doesn't work", "It doesn’t work", True),            # any apostrophe does
])
def test_keyword_matching_on_ticket_text(match_rule, keyword, text, expected):
    rule = match_rule(f"text: {{any: [\"{keyword}\"]}}")
    assert rule.matches(ticket(subject=text)) is expected
