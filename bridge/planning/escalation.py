"""Escalation: as a problem's counts cross a rule's `jira.escalation` steps, the Jira issue's
priority goes up and its due date may move earlier (never later); each time, a comment says why."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bridge.config.settings import CalendarSettings
from bridge.planning.due import DueSetting, choose_due_policy, policy_due_date
from bridge.planning.facts import measured
from bridge.rules.schema import Escalation

# Jira's default priority schemes (Cloud, and the older Data Center one), most urgent last. A
# step never lowers a priority when both names are known; other names are taken as they come.
_PRIORITY_RANK = {name: rank for scheme in (("lowest", "low", "medium", "high", "highest"),
                                            ("trivial", "minor", "major", "critical", "blocker"))
                  for rank, name in enumerate(scheme)}


@dataclass(frozen=True)
class CrossedStep:
    index: int  # position in the rule's `jira.escalation` list
    step: Escalation
    count: float  # the count (or score) of `step.of` that reached `step.at`


@dataclass(frozen=True)
class EscalationResult:
    crossed: tuple[CrossedStep, ...]  # newly crossed steps, in the rule's order
    applied: frozenset[int]  # indexes of every step applied so far, these included
    priority: str
    due_date: date | None
    previous_priority: str
    previous_due_date: date | None

    @property
    def escalated(self) -> bool:
        return bool(self.crossed)


def escalate(steps: Sequence[Escalation], counts: Mapping[str, float], applied: Collection[int], *,
             priority: str, due_date: date | None, due_settings: Sequence[DueSetting | None],
             calendar: CalendarSettings, now: datetime) -> EscalationResult:
    """Apply the steps not yet in `applied` whose count is reached (several at once if need be).

    The priority becomes that of the last such step that names one and is not lower. The due
    date becomes the earliest of the current one and, counted from `now`, each step's `due` and,
    when the priority changed, the issue's policy for the new priority (`due_settings`: the
    rule's then the team's `due`); it never moves later."""
    crossed = tuple(CrossedStep(index, step, counts.get(step.of, 0)) for index, step in enumerate(steps)
                    if index not in applied and counts.get(step.of, 0) >= step.at)
    new_priority = priority
    for item in crossed:
        if item.step.priority and not _is_lower(item.step.priority, new_priority):
            new_priority = item.step.priority
    policies = [choose_due_policy(new_priority, item.step.due, *due_settings)
                for item in crossed if item.step.due is not None]
    if new_priority != priority and any(setting is not None for setting in due_settings):
        policies.append(choose_due_policy(new_priority, *due_settings))
    candidates = [due_date] if due_date is not None else []
    candidates += [policy_due_date(policy, now, calendar) for policy in policies]
    return EscalationResult(crossed, frozenset(applied) | {item.index for item in crossed},
                            new_priority, min(candidates, default=None), priority, due_date)


def escalation_comment(result: EscalationResult) -> str:
    """The Jira comment recording an escalation, e.g. `Escalated to Highest: 15 tickets affected
    (threshold 15 tickets). Due date moved up to 2025-03-10 (was 2025-03-14).` Of several steps
    crossed on the same count, the highest threshold is named."""
    reasons = "; ".join(f"{measured(item.count, item.step.of)}{'' if item.step.of == 'score' else ' affected'} "
                        f"{_threshold(item)}"
                        for item in _highest_crossed(result))
    if result.priority != result.previous_priority:
        text = f"Escalated to {result.priority}: {reasons}."
    else:
        text = f"Escalation threshold reached, priority stays {result.priority}: {reasons}."
    if result.due_date is not None and result.due_date != result.previous_due_date:
        if result.previous_due_date is None:
            text += f" Due date set to {result.due_date.isoformat()}."
        else:
            text += (f" Due date moved up to {result.due_date.isoformat()} "
                     f"(was {result.previous_due_date.isoformat()}).")
    return text


def escalation_marker(result: EscalationResult) -> str:
    """What the comment of this escalation says whatever the counts, priority and due date were
    when it was written, e.g. `(threshold 15 tickets)`: how a retry recognises it on the issue."""
    return _threshold(_highest_crossed(result)[0])


def _highest_crossed(result: EscalationResult) -> list[CrossedStep]:
    highest: dict[str, CrossedStep] = {}
    for item in result.crossed:
        if item.step.of not in highest or item.step.at > highest[item.step.of].step.at:
            highest[item.step.of] = item
    return list(highest.values())


def _threshold(item: CrossedStep) -> str:
    return f"(threshold {measured(item.step.at, item.step.of)})"


def _is_lower(candidate: str, current: str) -> bool:
    candidate_rank, current_rank = _PRIORITY_RANK.get(candidate.casefold()), _PRIORITY_RANK.get(current.casefold())
    return candidate_rank is not None and current_rank is not None and candidate_rank < current_rank
