"""What `bridge discover` shows: the window's groups judged now, emerging first, each with its
figures, characteristic terms, sample tickets and a suggested rule checked by a dry run."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from bridge.config.settings import Settings
from bridge.discovery.feed import load_grouping
from bridge.discovery.grouping import Grouping
from bridge.discovery.judging import judge_group
from bridge.discovery.settings import emergence_policy
from bridge.discovery.suggestion import Suggestion, suggest
from bridge.discovery.terms import term_counts
from bridge.domain.bridge_tickets import created_by_bridge
from bridge.rules.durations import format_window
from bridge.storage.discovery import ACCEPTED, DISMISSED, DiscoveryStore

SAMPLES = 3
SUBJECT_SHOWN = 100


@dataclass
class SuggestedRule:
    name: str
    yaml: str
    precision: float  # of the rule's matches among the window's tickets, how many are the group's
    recall: float  # of the group's tickets, how many it matches
    matched: int
    neighbourhood: int  # the tickets it was tried on

    @classmethod
    def of(cls, suggestion: Suggestion, neighbourhood: int) -> SuggestedRule:
        return cls(suggestion.rule_name, suggestion.yaml, round(suggestion.precision, 3),
                   round(suggestion.recall, 3), suggestion.matched, neighbourhood)


@dataclass
class GroupListing:
    id: int
    status: str
    emerging: bool
    reason: str | None  # new | growing
    size: int  # tickets in the period asked for
    recent: int  # in the recent part of the window
    earlier: int  # in the window before it
    growth: float | None  # recent against what the earlier rate predicts; None: nothing expected
    requesters: int
    organizations: int
    terms: list[str]
    samples: list[dict] = field(default_factory=list)  # {id, subject}
    neighbours: list[int] = field(default_factory=list)  # groups judged with it
    bursting_term: str | None = None  # the term whose burst made it emerging, when its neighbours did not
    ticket_ids: list[int] = field(default_factory=list)  # every ticket of the group, oldest first
    suggested_rule: SuggestedRule | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def list_groups(store: DiscoveryStore, settings: Settings, now: datetime, period: timedelta,
                watched_since: datetime | None, limit: int = 20, only: int | None = None,
                team: str | None = None, emerging_only: bool = False) -> list[GroupListing]:
    """The groups with two tickets or more in `period`, except those accepted, or dismissed and
    not grown since; `only`: that one group, whatever its size or decision."""
    discovery = settings.discovery
    grouping = load_grouping(store, discovery, now)
    policy = emergence_policy(discovery)
    decisions = store.decisions(grouping.groups)
    listed = []
    for group_id, group in grouping.groups.items():
        in_period = [m for m in group.members.values() if m.arrived_at >= now - period]
        decision = decisions.get(group_id)
        if only is not None:
            if group_id != only:
                continue
        elif len(in_period) < 2 or (decision and (decision.status == ACCEPTED or (
                decision.status == DISMISSED and group.size <= (decision.decided_size or 0)))):
            continue
        verdict = judge_group(grouping, group_id, now, watched_since or now, policy, discovery.neighbourhood)
        growth = verdict.own.growth
        listed.append(GroupListing(
            group_id, decision.status if decision else "watching", verdict.emerging, verdict.emergence.reason,
            len(in_period), verdict.own.recent, verdict.own.earlier, round(growth, 2) if growth is not None else None,
            len({m.requester_id for m in in_period if m.requester_id is not None}),
            len({m.organization_id for m in in_period if m.organization_id is not None}),
            grouping.characteristic_terms(group_id), neighbours=list(verdict.neighbourhood),
            bursting_term=verdict.term, ticket_ids=list(group.members)))
    if emerging_only:
        listed = [group for group in listed if group.emerging]
    listed.sort(key=lambda g: (not g.emerging, -g.recent, -g.size, g.id))
    listed = listed[:limit]
    if listed:
        _describe(listed, grouping, store, settings, now, team)
    return listed


def _describe(listed: list[GroupListing], grouping: Grouping, store: DiscoveryStore, settings: Settings,
              now: datetime, team: str | None = None) -> None:
    """Samples and suggested rules. A rule should leave alone every other ticket reported in the
    window, those other rules match among them (the neighbourhood its precision is measured on)."""
    window_from = now - settings.discovery.window
    snapshots = {ticket_id: ticket for ticket_id, ticket in store.snapshots_seen_since(window_from).items()
                 if (ticket.created_at or now) >= window_from and not created_by_bridge(ticket)}
    terms_of = {ticket_id: set(term_counts(ticket.subject, ticket.description))
                for ticket_id, ticket in snapshots.items()}
    team = team or settings.discovery.team or next(iter(settings.teams), "support")
    for listing in listed:
        members = list(grouping.groups[listing.id].members)
        listing.samples = [{"id": ticket_id, "subject": (snapshots[ticket_id].subject or "")[:SUBJECT_SHOWN]}
                           for ticket_id in reversed(members[-SAMPLES:]) if ticket_id in snapshots]
        suggestion = suggest(listing.id, listing.terms, members, snapshots, terms_of, team,
                             settings.discovery.min_size, settings.discovery.recent, settings.custom_fields)
        listing.suggested_rule = SuggestedRule.of(suggestion, len(snapshots))


def format_listing(listed: list[GroupListing], recent: timedelta) -> str:
    if not listed:
        return "no groups of unmatched tickets in this period"
    recent_text = format_window(recent)
    lines = []
    for group in listed:
        why = f"{group.reason}, term {group.bursting_term}" if group.bursting_term else group.reason
        state = f"EMERGING ({why})" if group.emerging else group.status
        growth = f"{group.growth:.1f}x" if group.growth is not None else "new"
        lines.append(f"group {group.id}  {state}  {group.size} tickets, {group.recent} in the recent {recent_text} "
                     f"({group.earlier} before, growth {growth}), {group.requesters} requesters, "
                     f"{group.organizations} organizations")
        lines.append(f"  terms: {', '.join(group.terms)}")
        for sample in group.samples:
            lines.append(f"  #{sample['id']}: {sample['subject']}")
        rule = group.suggested_rule
        if rule is not None:
            lines.append(f"  suggested rule: precision {rule.precision:.2f} on the window's {rule.neighbourhood} "
                         f"tickets ({rule.matched} matched), catches {rule.recall:.0%} of the group")
            lines += [f"    {line}" for line in rule.yaml.rstrip().splitlines()]
        lines.append("")
    return "\n".join(lines).rstrip()
