"""A rule that catches a group and little else, suggested in the rule files' YAML (pure).

Candidates are the group's characteristic terms as prefix keywords (`crash*` for the stem of
"crashes", "crashed"), in pairs, alone and in threes, all required (`match.text.all`). Each is
scored on the terms of the window's unmatched tickets: the one with the best F-score weighing
precision twice as much as recall is written, then confirmed by the rules' own dry run
(`bridge rules test`): its precision and recall are what the real matcher gives, not the estimate."""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

import yaml

from bridge.domain.events import TicketSnapshot
from bridge.rules import dry_run
from bridge.rules.durations import format_window
from bridge.rules.loader import rules_from_text

CANDIDATE_TERMS = 6
BETA = 0.5  # precision counts twice as much as recall


@dataclass(frozen=True)
class Suggestion:
    rule_name: str
    keywords: tuple[str, ...]
    yaml: str  # a rule file with this one rule
    matched_in_group: int
    matched: int  # tickets of the neighbourhood (the window's unmatched tickets) the rule matches
    group_size: int

    @property
    def precision(self) -> float:
        return self.matched_in_group / self.matched if self.matched else 0.0

    @property
    def recall(self) -> float:
        return self.matched_in_group / self.group_size if self.group_size else 0.0


def keyword(term: str) -> str:
    """A stem as a prefix keyword: the `y` that "replies" became goes, so `repl*` matches both."""
    return (term[:-1] if term.endswith("y") and len(term) > 3 else term) + "*"


def best_terms(group_terms: Sequence[str], group: Collection[int], terms_of: Mapping[int, Collection[str]]
               ) -> tuple[str, ...]:
    """The conjunction of characteristic terms that best separates the group from the rest."""
    best, best_score = tuple(group_terms[:1]), -1.0
    candidates = list(group_terms[:CANDIDATE_TERMS])
    using = {term: {ticket for ticket, terms in terms_of.items() if term in terms} for term in candidates}
    members = set(group)
    for size in (2, 1, 3):  # on a tie a pair: as precise here, and less likely to catch the unforeseen
        for chosen in itertools.combinations(candidates, size):
            matched = set.intersection(*(using[term] for term in chosen))
            inside = len(matched & members)
            if not inside:
                continue
            precision, recall = inside / len(matched), inside / len(members)
            score = (1 + BETA**2) * precision * recall / (BETA**2 * precision + recall)
            if score > best_score + 1e-9:
                best, best_score = chosen, score
    return best


def rule_name(group_id: int, terms: Sequence[str]) -> str:
    words = "-".join(re.sub(r"[^a-z0-9]+", "", term) for term in terms[:2])
    return f"discovered-{group_id}-{words}".rstrip("-")


def suggest(group_id: int, group_terms: Sequence[str], group: Collection[int],
            neighbourhood: Mapping[int, TicketSnapshot], terms_of: Mapping[int, Collection[str]],
            team: str, min_size: int, recent_window: timedelta, custom_fields: Mapping[str, int]) -> Suggestion:
    """The rule for this group, checked by a dry run over `neighbourhood` (the tickets it should
    mostly leave alone, the group's own among them)."""
    chosen = best_terms(group_terms, group, terms_of)
    name = rule_name(group_id, chosen)
    keywords = tuple(keyword(term) for term in chosen)
    spec = {"rules": [{
        "name": name,
        "description": f"Suggested by bridge discover from group {group_id} ({len(group)} tickets): "
                       + ", ".join(group_terms[:5]),
        "team": team,
        "threshold": {"count": min_size, "window": format_window(recent_window)},
        "match": {"text": {"all": list(keywords)}},
    }]}
    text = yaml.safe_dump(spec, sort_keys=False, allow_unicode=True, width=100)
    ruleset = rules_from_text(text, f"{name}.yaml", {team}, custom_fields)
    report = dry_run(ruleset, neighbourhood.values())
    matched = set(report.rules[0].matched_ticket_ids)
    return Suggestion(name, keywords, text, len(matched & set(group)), len(matched), len(group))
