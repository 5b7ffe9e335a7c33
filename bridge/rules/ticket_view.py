"""A ticket snapshot prepared for rule evaluation: every derived form is computed at most once per
snapshot (lazily, so tag-only rule sets never fold text), however many rules look at it, and only
from the part of each text that rules search (see bridge.rules.text)."""

from __future__ import annotations

from functools import cached_property

from bridge.domain.events import TicketSnapshot
from bridge.rules.text import fold_text, searched_part, strip_accents


class TicketView:
    def __init__(self, ticket: TicketSnapshot):
        self.ticket = ticket

    @cached_property
    def tags(self) -> frozenset[str]:
        return frozenset(tag.lower() for tag in self.ticket.tags)

    # Folded forms, for keywords.
    @cached_property
    def folded_subject(self) -> str:
        return fold_text(searched_part(self.ticket.subject or ""))

    @cached_property
    def folded_description(self) -> str:
        return fold_text(searched_part(self.ticket.description or ""))

    @cached_property
    def folded_text(self) -> str:
        # A line break (never part of a keyword) keeps phrases from spanning subject and description.
        return f"{self.folded_subject}\n{self.folded_description}"

    # Accent-free forms, for regular expressions.
    @cached_property
    def plain_subject(self) -> str:
        return strip_accents(searched_part(self.ticket.subject or ""))

    @cached_property
    def plain_description(self) -> str:
        return strip_accents(searched_part(self.ticket.description or ""))

    @cached_property
    def plain_text(self) -> str:
        return f"{self.plain_subject}\n{self.plain_description}"

    def folded(self, part: str) -> str:
        """`part` is text (subject and description), subject or description."""
        return getattr(self, f"folded_{part}")

    def plain(self, part: str) -> str:
        return getattr(self, f"plain_{part}")
