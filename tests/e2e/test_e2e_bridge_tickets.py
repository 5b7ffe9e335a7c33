"""The bridge's own tickets and words never count as customer reports: the follow-up it creates
for a closed ticket carries its fix reply, which here matches the rule; the customer's "thank
you" on it must not reopen the loop. A customer's own new report after the fix still does.
End to end through the simulators, the real clients and the bridge's HTTP endpoints."""

from __future__ import annotations

import pytest

from bridge.domain.bridge_tickets import FOLLOWUP_TAG
from tests.e2e.problems_support import (
    CRASH_RULE,
    RULES,
    assert_nothing_parked,
    jira_comments,
    link_updates,
    open_crash_problem,
    problem_environment,
    report_crash,
    settle_all,
    the_issue,
    zendesk_calls,
)

# The crash rule, with a fix reply that itself matches the rule ("checkout" and "crash*").
FIX_REPLY = "The checkout crash you reported is fixed in {{ fix_version }}. Thank you for your patience!"
RULES_WITH_FIX_REPLY = RULES.replace(
    """      escalation:
        - {at: 5, of: tickets, priority: Highest}
""",
    f"""      escalation:
        - {{at: 5, of: tickets, priority: Highest}}
    zendesk:
      on_fix:
        public_reply: "{FIX_REPLY}"
""")


@pytest.fixture
def environment(tmp_path):
    assert RULES_WITH_FIX_REPLY != RULES
    environment = problem_environment(tmp_path / "rules", rules=RULES_WITH_FIX_REPLY)
    yield environment
    environment.stop()


def fix_with_one_closed_ticket(environment):
    """Crash reports open the problem, an agent closes one of them, engineering ships the fix:
    the open tickets get the reply, the closed one a follow-up. The problem, its Jira key, and
    the follow-up ticket."""
    problem, tickets = open_crash_problem(environment)
    environment.zendesk.agent_updates_ticket(tickets[0], status="closed")
    settle_all(environment)
    key = the_issue(environment, problem)["key"]
    environment.jira.user_transitions(key, "Done", resolution="Fixed")
    settle_all(environment)
    [followup_id] = environment.zendesk.ticket(tickets[0])["followup_ids"]
    return environment.runtime.problems.get(problem.id), key, environment.zendesk.ticket(followup_id)


def test_a_thank_you_on_the_bridges_follow_up_is_not_a_regression(environment):
    problem, key, followup = fix_with_one_closed_ticket(environment)
    assert problem.state == "fixed"
    assert FOLLOWUP_TAG in followup["tags"] and followup["external_id"].startswith("bridge-closure-")
    assert "checkout crash you reported is fixed" in followup["description"]  # the rule matches it
    comments_before = jira_comments(environment, key)
    environment.zendesk.clear_requests()

    environment.zendesk.customer_comments(followup["id"], "Thank you, it works now!")
    settle_all(environment)

    after = environment.runtime.problems.get(problem.id)
    assert (after.state, after.ticket_count) == ("fixed", problem.ticket_count)
    assert followup["id"] not in environment.runtime.problems.linked_ticket_ids(problem.id)
    assert environment.jira.issue(key)["fields"]["status"]["name"] == "Done"
    assert jira_comments(environment, key) == comments_before
    assert link_updates(environment, problem) == []  # no link note on the follow-up
    assert zendesk_calls(environment, "update_many") == []  # nor any other write
    outcomes = [row.outcome for row in environment.runtime.inbox.list()
                if f"ticket {followup['id']} " in (row.outcome or "")]
    assert outcomes and all("not evaluated" in outcome for outcome in outcomes)
    assert_nothing_parked(environment.runtime)


def test_a_customers_own_new_report_after_the_fix_still_is_a_regression(environment):
    problem, key, followup = fix_with_one_closed_ticket(environment)
    environment.zendesk.customer_comments(followup["id"], "Thanks!")
    settle_all(environment)

    again = report_crash(environment)
    settle_all(environment)

    assert environment.jira.issue(key)["fields"]["status"]["name"] == "To Do"
    regressions = [body for body in jira_comments(environment, key) if "Regression" in body]
    assert len(regressions) == 1 and f"#{again}" in regressions[0]
    after = environment.runtime.problems.get(problem.id)
    assert after.state == "open" and after.rule == CRASH_RULE
    assert again in environment.runtime.problems.linked_ticket_ids(problem.id)
    assert followup["id"] not in environment.runtime.problems.linked_ticket_ids(problem.id)
    assert_nothing_parked(environment.runtime)


def test_a_proactive_notice_whose_words_match_the_rule_and_a_reply_to_it_never_count(environment):
    """The notice's tickets say "checkout crash" (the rule matches them), arrive as webhooks, and a
    customer answers one: the problem's counts do not move, the customers are not linked, and the
    bridge writes nothing on them."""
    problem, _ = open_crash_problem(environment)
    for number in range(3):
        environment.zendesk.create_customer(f"quiet{number}@example.com", f"Quiet{number} Customer", tags=["beta"])
    runtime = environment.runtime
    preview = runtime.proactive.preview(problem.id, "type:user tags:beta",
                                        message="Heads up: a checkout crash may hit you too. We are on it.")
    notice_id = runtime.proactive.start(preview, runtime.clock())
    settle_all(environment)
    assert runtime.proactive_store.get(notice_id).done == 3
    ours = [t for t in environment.zendesk.tickets() if "bridge_proactive" in t["tags"]]
    assert len(ours) == 3 and all("checkout crash" in t["description"] for t in ours)
    environment.zendesk.clear_requests()

    environment.zendesk.customer_comments(ours[0]["id"], "My checkout crashed too, yesterday!")
    settle_all(environment)

    after = runtime.problems.get(problem.id)
    assert (after.ticket_count, after.requester_count) == (problem.ticket_count, problem.requester_count)
    assert not {t["id"] for t in ours} & set(runtime.problems.linked_ticket_ids(problem.id))
    assert zendesk_calls(environment, "update_many") == []
    outcomes = [row.outcome for row in runtime.inbox.list() if f"ticket {ours[0]['id']} " in (row.outcome or "")]
    assert outcomes and all("not evaluated" in outcome for outcome in outcomes)
    assert_nothing_parked(runtime)
