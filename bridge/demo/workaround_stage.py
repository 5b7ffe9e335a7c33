"""The demo's low-impact ending: a problem below its rule's impact bar (`zendesk.on_workaround.
ends_problem`) ends with a Help Center article. Engineering writes the workaround as a Jira comment
with the marker; the bridge publishes the article, answers every linked ticket once, and a ticket
joining the problem later at once. Everything said is read back from the bridge and the simulators."""

from __future__ import annotations

from typing import Protocol

from bridge.actions.open_tickets import not_closed
from bridge.demo.environment import LoopbackEnvironment
from bridge.demo.stage_run import StageRun, wait_until
from bridge.domain.problems import Problem
from bridge.planning.workaround import ends_problem
from bridge.rules.schema import OnWorkaround
from bridge.runtime import Runtime


class DemoRun(StageRun, Protocol):
    """What this stage uses of the demo's run (bridge/demo/stages.py)."""

    @property
    def ended_with_article(self) -> list[str]: ...


WORKAROUND = ("Save the new address under Account > Addresses first, then choose it at checkout: "
              "the checkout's own address form does not keep it.")
JOINING_TICKET = ("Cannot change my delivery address",
                  "I moved last week and the ship to address at checkout keeps going back to the old one.")
JOINING_CUSTOMER = ("Nora Newcomer", "nora.newcomer@example.com")


def end_with_article(run: DemoRun) -> None:
    runtime = run.env.runtime
    found = lowest_impact_problem(runtime)
    if found is None:
        run.failures.append("no open problem was below its rule's impact bar: none ended with an article")
        run.say("no open problem is below its rule's impact bar")
        return
    problem, spec = found
    assert problem.jira_key is not None and spec.ends_problem is not None
    bar, marker = spec.ends_problem, runtime.settings.jira.workaround_marker
    run.say(f"  {problem.jira_key}: {problem.counts[bar.of]} {bar.of} affected, below the rule's impact bar of "
            f"{bar.below}: a knowledge article ends it, not an escalated fix")
    run.say(f'  engineering comments on {problem.jira_key}: "{marker} {WORKAROUND}"')
    run.env.jira.user_comments(problem.jira_key, f"{marker} {WORKAROUND}")
    if not wait_until(run.process_timeout,
                      lambda: _article_written(runtime, problem) and not _unanswered(runtime, problem)):
        run.failures.append(f"problem {problem.id}'s workaround article or answers did not go out in time")
        return
    workaround = runtime.workaround_store.get(problem.id)
    assert workaround is not None and workaround.article_id is not None and workaround.article_url is not None
    url, how = workaround.article_url, "a public reply" if spec.public_reply is not None else "an internal note"
    article = run.env.zendesk.account.help_center.article(workaround.article_id)
    run.say(f"  help center: article {'saved as a draft' if article['draft'] else 'published'}: "
            f"{article['title']!r} at {url}")
    told = _told(run.env, runtime.problems.linked_ticket_ids(problem.id), url)
    now = runtime.problems.get(problem.id)
    run.say(f"  zendesk: {len(told)} linked tickets answered with it ({how} each); "
            f"problem {problem.id} is {now.state if now else 'gone'}")

    name, email = JOINING_CUSTOMER
    ticket_id = run.env.zendesk.customer_creates_ticket(*JOINING_TICKET, email=email, name=name)["id"]
    run.say(f"  ticket #{ticket_id:<4} delivery  {JOINING_TICKET[0]}  ({name})")
    if not wait_until(run.process_timeout, lambda: ticket_id in runtime.problems.linked_ticket_ids(problem.id)
                 and not _unanswered(runtime, problem)):
        run.failures.append(f"ticket #{ticket_id} was not answered with the article in time")
        return
    if not _told(run.env, [ticket_id], url):
        run.failures.append(f"ticket #{ticket_id} joined problem {problem.id} but Zendesk shows no answer")
        return
    run.say(f"  ticket #{ticket_id} joined problem {problem.id} and was answered with the article at once")
    run.ended_with_article.append(problem.jira_key)


def lowest_impact_problem(runtime: Runtime) -> tuple[Problem, OnWorkaround] | None:
    """The open problem with a Jira issue that affects the fewest customers, among those a
    workaround would end (below their rule's bar), and its rule's `on_workaround`."""
    rules = runtime.rules.current()
    candidates = []
    for problem in runtime.problems.list():
        rule = rules.by_name(problem.rule)
        spec = rule.spec.zendesk.on_workaround if rule is not None else None
        if spec is not None and problem.jira_key and ends_problem(spec, problem):
            candidates.append((problem, spec))
    return min(candidates, key=lambda found: (found[0].requester_count, found[0].id), default=None)


def _told(env: LoopbackEnvironment, ticket_ids: list[int], url: str) -> list[int]:
    """The tickets on which Zendesk shows the bridge's answer with the article's address."""
    bridge_user = env.zendesk.account.api_user_id
    return [ticket_id for ticket_id in ticket_ids
            if any(comment["author_id"] == bridge_user and url in comment["body"]
                   for comment in env.zendesk.comments(ticket_id))]


def _article_written(runtime: Runtime, problem: Problem) -> bool:
    workaround = runtime.workaround_store.get(problem.id)
    return workaround is not None and workaround.article_id is not None


def _unanswered(runtime: Runtime, problem: Problem) -> list[int]:
    """Linked tickets not told yet that can be (Zendesk cannot update closed ones)."""
    return not_closed(runtime.workaround_store.tickets_to_answer(problem.id, 1000), runtime.tickets, 1)
