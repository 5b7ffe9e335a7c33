"""A ticket's words as discovery compares them: the customer's subject and description only,
folded as rules fold it, without stop words, numbers that identify something (orders, invoices), or the
commonest inflections, so that "charged twice" and "charging me twice" share their terms."""

from __future__ import annotations

import math
from collections import Counter

from bridge.domain.bridge_tickets import created_by_bridge
from bridge.domain.events import TicketSnapshot
from bridge.rules.text import fold_text, searched_part

# English function words and the greetings and courtesy that every ticket carries.
_STOP_WORDS_TEXT = """
a about above after again against all also am an and any are as at be because been before being
below between both but by can cannot could did do does doing down during each few for from further
get got had has have having he her here hers herself him himself his how i if in into is it its
itself just me might more most must my myself need needs no nor not now of off on once only or other
ought our ours ourselves out over own please same she should so some such than that the their theirs
them themselves then there these they this those through to too under until up us very was we were
what when where which while who whom why will with would you your yours yourself yourselves hi hello
hey dear thanks thank thx regards best cheers kind team support help hope know like want wanted
wanting wants would see ask asking tell trying try tried one also still even really im ive u ur pls
plz ok okay yes sir madam don didn doesn isn aren wasn weren won wouldn couldn shouldn haven hasn
hadn ll ve re
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())


def stem(word: str) -> str:
    """Strips the commonest English suffixes; crude, but the same word always gives the same stem."""
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ied", "y"), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: len(word) - len(suffix)] + keep
    return word


def words(text: str) -> list[str]:
    """Folded as rules fold text (bridge/rules/text.py), so that a term is also a rule keyword;
    words starting with a digit (order and invoice numbers) left out."""
    return [stem(word) for word in fold_text(searched_part(text)).split()
            if word not in STOP_WORDS and not word[0].isdigit()]


def term_counts(subject: str | None, description: str | None) -> dict[str, int]:
    """Each stem counted once per word; the subject's words count twice, as customers put there
    what the ticket is about."""
    counts = Counter(words(subject or "")) + Counter(words(subject or ""))
    counts.update(words(description or ""))
    return {term: count for term, count in counts.items() if len(term) > 1}


def customer_terms(ticket: TicketSnapshot) -> dict[str, int] | None:
    """The ticket's terms, or None when its words are not a customer's (the bridge's own tickets)."""
    if created_by_bridge(ticket):
        return None
    counts = term_counts(ticket.subject, ticket.description)
    return counts or None


def sublinear(count: int) -> float:
    return 1.0 + math.log(count)
