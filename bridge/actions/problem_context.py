"""What the problem handlers look up for an action: its problem, the problem's rule and facts."""

from __future__ import annotations

from collections.abc import Callable

from bridge.domain.problems import Problem
from bridge.planning import ProblemFacts
from bridge.rules import Rule, RuleSet
from bridge.storage.outbox import Action
from bridge.storage.problems import ProblemStore


class ProblemContext:
    def __init__(self, rules: Callable[[], RuleSet], problems: ProblemStore):
        self.rules, self.problems = rules, problems

    def problem(self, action: Action) -> Problem:
        problem = self.problems.get(action.problem_id) if action.problem_id else None
        if problem is None:
            raise LookupError(f"problem {action.problem_id} does not exist")
        return problem

    def rule(self, problem: Problem) -> Rule:
        rule = self.rules().by_name(problem.rule)
        if rule is None:
            raise LookupError(f"rule {problem.rule!r} of problem {problem.id} is no longer configured")
        return rule

    def facts(self, problem: Problem) -> ProblemFacts:
        first, last = self.problems.ticket_times(problem.id)
        return ProblemFacts(problem, first, last)

    def rule_and_facts(self, problem: Problem) -> tuple[Rule, ProblemFacts]:
        return self.rule(problem), self.facts(problem)
