"""A workaround, end to end through the simulators: `bridge problems workaround` -> the Help Center
article -> every linked ticket told once -> a ticket joining later answered at once -> the fix
ships -> the article says so. The bridge's own notes never count as customer reports."""

from __future__ import annotations

import pytest
import requests
from click.testing import CliRunner
from sqlalchemy import select

from bridge.cli.context import CliContext
from bridge.cli.problems import show_problem
from bridge.cli.workaround import workaround_command
from bridge.domain.problems import FIXED, OPEN, WORKED_AROUND
from bridge.planning import problem_label
from bridge.scheduler import scheduled_jobs
from bridge.storage.schema import inbox_events
from connectors.jira.simulator.catalog import API_USER, PARAGRAPH_FIELD_TYPE
from tests.e2e.problems_support import (
    CRASH_ESCALATION_AT,
    CRASH_RULE,
    CRASH_THRESHOLD,
    JIRA_KEY_FIELD,
    RULES,
    SETTINGS,
    action_rows,
    assert_nothing_parked,
    open_crash_problem,
    problem_environment,
    report_crash,
    settle_all,
    the_problem,
)
from tests.support.settings import write_config

SECTION, PERMISSION_GROUP = 360_100, 360_200
WORKAROUND_FIELD = "customfield_10054"  # the first field added after the Jira simulator's own
WORKAROUND = "Pay with a saved card: the crash only hits cards typed in at checkout.\nOr use PayPal <for now>."


def rules_with(on_workaround: str) -> str:
    return RULES.replace("    jira:\n      priority: High", f"    zendesk:\n      on_workaround: {on_workaround}\n"
                         "    jira:\n      priority: High", 1)


@pytest.fixture
def make_bridge(tmp_path):
    environments = []

    def make(on_workaround: str, help_center: bool = True, jira_deployment: str = "cloud", **extra):
        zendesk = {"fields": {"jira_key": JIRA_KEY_FIELD}}
        if help_center:
            zendesk["help_center"] = {"section_id": SECTION, "permission_group_id": PERMISSION_GROUP, **extra}
        jira = {**SETTINGS["jira"], "workaround_marker": "Workaround:",
                "fields": {**SETTINGS["jira"]["fields"], "workaround": WORKAROUND_FIELD}}
        environment = problem_environment(tmp_path / f"rules{len(environments)}", rules=rules_with(on_workaround),
                                          zendesk=zendesk, jira=jira, jira_deployment=jira_deployment)
        environments.append(environment)
        # The paragraph field engineering fills in (as `bridge setup jira --fields` creates it).
        assert environment.jira.store.add_custom_field("Workaround", PARAGRAPH_FIELD_TYPE).id == WORKAROUND_FIELD
        environment.zendesk.account.help_center.create_section("Known issues", SECTION)
        environment.zendesk.account.help_center.add_permission_group(PERMISSION_GROUP)
        return environment

    yield make
    for environment in environments:
        environment.stop()


def workaround(environment, tmp_path, *arguments: str):
    config = write_config(tmp_path, environment.settings)
    return CliRunner().invoke(workaround_command, list(arguments), obj=CliContext(str(config)))


def bridge_comments(environment, ticket_id: int) -> list[dict]:
    return [c for c in environment.zendesk.comments(ticket_id)
            if c["author_id"] == environment.zendesk.account.api_user_id]


def answers(environment, ticket_id: int, url: str) -> list[dict]:
    return [c for c in bridge_comments(environment, ticket_id) if url in c["body"]]


def the_article(environment, problem_id: int) -> dict:
    articles = environment.zendesk.account.help_center.articles_with_labels([problem_label(problem_id)])
    assert len(articles) == 1, articles
    return articles[0]


def test_workaround_article_every_ticket_once_a_late_ticket_at_once_then_the_fix(make_bridge, tmp_path):
    bridge = make_bridge("{ends_problem: {below: 5, of: requesters}}")
    problem, tickets = open_crash_problem(bridge)

    result = workaround(bridge, tmp_path, str(problem.id), "--text", WORKAROUND)
    settle_all(bridge)

    assert result.exit_code == 0, result.output
    assert "ends with it" in result.output
    article = the_article(bridge, problem.id)
    assert article["section_id"] == SECTION and article["draft"] is False
    assert article["title"] == "Known issue: The checkout crashes when customers pay."
    assert "Or use PayPal &lt;for now&gt;." in article["body"]  # the text is escaped into the HTML
    for ticket_id in tickets:
        told = answers(bridge, ticket_id, article["html_url"])
        assert len(told) == 1 and told[0]["public"] is False, bridge_comments(bridge, ticket_id)
        assert WORKAROUND in told[0]["body"]
    problem = the_problem(bridge.runtime, CRASH_RULE)
    assert problem.state == WORKED_AROUND  # 3 requesters, below the bar of 5

    late = [report_crash(bridge) for _ in range(CRASH_ESCALATION_AT - CRASH_THRESHOLD)]
    settle_all(bridge)

    for ticket_id in late:
        assert len(answers(bridge, ticket_id, article["html_url"])) == 1
    for ticket_id in tickets:  # nobody twice
        assert len(answers(bridge, ticket_id, article["html_url"])) == 1
    problem = the_problem(bridge.runtime, CRASH_RULE)
    # The bridge's notes came back as webhooks: none counted as a customer report.
    assert (problem.ticket_count, problem.requester_count) == (CRASH_ESCALATION_AT, CRASH_ESCALATION_AT)
    assert bridge.runtime.workaround_store.answer_counts([problem.id]) == {problem.id: CRASH_ESCALATION_AT}
    # The rule escalates at CRASH_ESCALATION_AT tickets; a problem that ended with its workaround is not.
    assert bridge.jira.issue(problem.jira_key)["fields"]["priority"]["name"] == "High"
    # The dashboard and the API count the answers.
    auth = {"Authorization": f"Bearer {bridge.api_token}"}
    page = requests.get(f"{bridge.bridge_url}/dashboard/problems/{problem.id}", headers=auth, timeout=5).text
    assert f"{CRASH_ESCALATION_AT} tickets answered by it" in page and "Ended with its workaround" in page
    team = requests.get(f"{bridge.bridge_url}/dashboard/teams/engineering", headers=auth, timeout=5).text
    assert f"<b>{CRASH_ESCALATION_AT}</b>answered by article" in team
    shown = requests.get(f"{bridge.bridge_url}/api/problems/{problem.id}", headers=auth, timeout=5).json()
    assert shown["workaround"]["tickets_answered"] == CRASH_ESCALATION_AT
    assert shown["workaround"]["article_url"] == article["html_url"]

    bridge.jira.user_transitions(problem.jira_key, "Done", resolution="Fixed")
    settle_all(bridge)

    assert the_problem_by_id(bridge, problem.id).state == FIXED
    fixed = the_article(bridge, problem.id)
    assert fixed["id"] == article["id"] and fixed["title"].startswith("Fixed in ")
    assert "<strong>Fixed in" in fixed["body"] and "Or use PayPal &lt;for now&gt;." in fixed["body"]
    assert [a.outcome for a in action_rows(bridge.runtime, "zendesk.workaround_article", problem.id)] == [
        f"created article {article['id']}", f"rewrote article {article['id']} (fixed in this release)"]
    assert_nothing_parked(bridge.runtime)


def the_problem_by_id(environment, problem_id: int):
    return environment.runtime.problems.get(problem_id)


def test_above_the_bar_a_public_reply_links_the_given_article_and_the_problem_stays_open(make_bridge, tmp_path):
    bridge = make_bridge("{ends_problem: {below: 2, of: requesters}, public_reply: 'We found a way around it: "
                         "{{ workaround.article_url }}'}", help_center=False)
    problem, tickets = open_crash_problem(bridge)
    url = "https://help.example.com/hc/en-us/articles/42-checkout-crash"

    own_before = own_changes(bridge, tickets)
    result = workaround(bridge, tmp_path, str(problem.id), "--article-url", url)
    settle_all(bridge)

    assert result.exit_code == 0 and "stays on course for a fix" in result.output, result.output
    assert the_problem(bridge.runtime, CRASH_RULE).state == OPEN
    for ticket_id in tickets:
        told = answers(bridge, ticket_id, url)
        assert [(c["public"], c["body"]) for c in told] == [(True, f"We found a way around it: {url}")]
    assert bridge.zendesk.account.help_center.articles == {}  # a given article is linked, not written
    # The replies (which name the checkout crash in their URL) came back as webhooks of the
    # bridge's own changes: none was evaluated as a report.
    assert own_changes(bridge, tickets) >= own_before + len(tickets)
    assert the_problem(bridge.runtime, CRASH_RULE).ticket_count == CRASH_THRESHOLD


def own_changes(environment, tickets: list[int]) -> int:
    """Webhook events about these tickets that the bridge recognised as its own changes."""
    rows = environment.runtime.engine.connect()
    with rows:
        outcomes = rows.execute(select(inbox_events.c.outcome).where(
            inbox_events.c.subject_key.in_([f"ticket:{t}" for t in tickets]))).scalars().all()
    return sum(1 for outcome in outcomes if outcome and "own change, not evaluated" in outcome)


def test_a_draft_article_is_found_again_after_a_crash_instead_of_written_twice(make_bridge, tmp_path, monkeypatch):
    bridge = make_bridge("{}", draft=True)
    problem, _ = open_crash_problem(bridge)
    knowledge_base = bridge.runtime.knowledge_base
    create = knowledge_base.create_article

    def created_then_died(article):
        monkeypatch.setattr(knowledge_base, "create_article", create)
        create(article)
        raise RuntimeError("the worker died before recording the article")

    monkeypatch.setattr(knowledge_base, "create_article", created_then_died)
    assert workaround(bridge, tmp_path, str(problem.id), "--text", "Use the saved card.").exit_code == 0
    settle_all(bridge)

    article = the_article(bridge, problem.id)
    assert article["draft"] is True
    assert bridge.runtime.workaround_store.get(problem.id).article_id == article["id"]


def test_when_help_center_refuses_the_article_the_tickets_get_the_text(make_bridge, tmp_path):
    bridge = make_bridge("{}")
    bridge.zendesk.account.help_center.enabled = False  # configured, but the account has none
    problem, tickets = open_crash_problem(bridge)

    assert workaround(bridge, tmp_path, str(problem.id), "--text", "Use the saved card.").exit_code == 0
    settle_all(bridge)

    for ticket_id in tickets:
        told = [c for c in bridge_comments(bridge, ticket_id) if "Use the saved card." in c["body"]]
        assert len(told) == 1 and told[0]["public"] is False
    assert [a.outcome for a in action_rows(bridge.runtime, "zendesk.workaround_article", problem.id)] == [
        "Help Center refused the article (404): tickets get the text"]
    assert_nothing_parked(bridge.runtime)


@pytest.mark.parametrize("arguments, message", [
    ([], "give --text, --article-url or both"),
    (["--article-url", "ftp://x"], "must be an http(s) URL"),
])
def test_bad_arguments_are_refused_in_plain_words(make_bridge, tmp_path, arguments, message):
    bridge = make_bridge("{}")
    result = workaround(bridge, tmp_path, "1", *arguments)
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output


def test_a_problem_that_cannot_take_a_workaround_is_named(make_bridge, tmp_path):
    bridge = make_bridge("{}")
    result = workaround(bridge, tmp_path, "999", "--text", "x")
    assert result.exit_code == 1 and "problem 999 cannot take a workaround: no problem 999" in result.output


def test_a_jira_comment_with_the_marker_gives_the_workaround(make_bridge, tmp_path):
    bridge = make_bridge("{}")
    problem, tickets = open_crash_problem(bridge)

    bridge.jira.user_comments(problem.jira_key, "Looking into the card form now.")
    settle_all(bridge)
    assert bridge.runtime.workaround_store.get(problem.id) is None  # no marker: an ordinary comment

    bridge.jira.user_comments(problem.jira_key, "workaround: Pay with a saved card until 4.2 ships.")
    settle_all(bridge)

    workaround = bridge.runtime.workaround_store.get(problem.id)
    assert (workaround.source, workaround.text, workaround.outcome) == (
        "jira_comment", "Pay with a saved card until 4.2 ships.", "fix")  # no impact bar: a fix still comes
    article = the_article(bridge, problem.id)
    for ticket_id in tickets:
        assert len(answers(bridge, ticket_id, article["html_url"])) == 1
    assert the_problem(bridge.runtime, CRASH_RULE).state == OPEN
    shown = CliRunner().invoke(show_problem, [str(problem.id)],
                               obj=CliContext(str(write_config(tmp_path, bridge.settings))))
    assert (f"workaround: from jira_comment, a fix still due; article {article['html_url']}; "
            f"{CRASH_THRESHOLD} tickets answered") in shown.output, shown.output


@pytest.mark.parametrize("deployment", ["cloud", "server"])
def test_the_jira_workaround_field_set_then_changed_rewrites_the_article_and_tells_nobody_twice(
        make_bridge, tmp_path, deployment):
    bridge = make_bridge("{}", jira_deployment=deployment)
    problem, tickets = open_crash_problem(bridge)

    bridge.jira.user_edits(problem.jira_key, {WORKAROUND_FIELD: "Pay with a saved card."})
    settle_all(bridge)

    workaround = bridge.runtime.workaround_store.get(problem.id)
    assert (workaround.source, workaround.text) == ("jira_field", "Pay with a saved card.")
    article = the_article(bridge, problem.id)
    assert "Pay with a saved card." in article["body"]
    for ticket_id in tickets:
        assert len(answers(bridge, ticket_id, article["html_url"])) == 1

    # Engineering rewrites the field: the same article says the new text; nobody is told twice.
    bridge.jira.user_edits(problem.jira_key, {WORKAROUND_FIELD: "Pay with PayPal: saved cards crash too."})
    settle_all(bridge)
    # An unrelated edit, or the field cleared, changes nothing.
    bridge.jira.user_edits(problem.jira_key, {"labels": ["customer-impact", "checkout"]})
    bridge.jira.user_edits(problem.jira_key, {WORKAROUND_FIELD: None})
    settle_all(bridge)

    rewritten = the_article(bridge, problem.id)
    assert rewritten["id"] == article["id"] and "Pay with PayPal: saved cards crash too." in rewritten["body"]
    assert bridge.runtime.workaround_store.get(problem.id).text == "Pay with PayPal: saved cards crash too."
    for ticket_id in tickets:
        assert len(answers(bridge, ticket_id, article["html_url"])) == 1
    assert [a.outcome for a in action_rows(bridge.runtime, "zendesk.workaround_article", problem.id)] == [
        f"created article {article['id']}", f"rewrote article {article['id']}"]

    # A change whose webhook was lost is found by the poll (Cloud's v3 search answers the field as
    # an Atlassian document, Data Center's v2 as text).
    with bridge.jira.webhooks_suppressed():
        bridge.jira.user_edits(problem.jira_key, {WORKAROUND_FIELD: "Use the mobile app.\nIt checks out fine."})
    poll_jira(bridge)
    settle_all(bridge)
    assert bridge.runtime.workaround_store.get(problem.id).text == "Use the mobile app.\nIt checks out fine."
    assert "Use the mobile app.<br>\nIt checks out fine." in the_article(bridge, problem.id)["body"]

    late = report_crash(bridge)
    settle_all(bridge)
    assert len(answers(bridge, late, article["html_url"])) == 1
    for ticket_id in tickets:
        assert len(answers(bridge, ticket_id, article["html_url"])) == 1
    assert_nothing_parked(bridge.runtime)


def poll_jira(environment) -> str:
    """One run of the scheduled Jira poll, as `bridge serve`'s scheduler wires it."""
    [job] = [job for job in scheduled_jobs(environment.runtime) if job.id == "poll_jira"]
    return job.run()


def inbox_outcomes(environment) -> list[str]:
    with environment.runtime.engine.connect() as connection:
        return [outcome or "" for outcome in connection.execute(select(inbox_events.c.outcome)).scalars()]


def test_a_workaround_comment_whose_webhook_was_lost_is_found_by_the_poll_and_each_is_applied_once(
        make_bridge, tmp_path):
    bridge = make_bridge("{}")
    problem, tickets = open_crash_problem(bridge)
    # The bridge writes comments itself (as the simulator's API user): its own never give a
    # workaround, even one starting with the marker.
    bridge.jira.store.add_comment(problem.jira_key, "Workaround: not one engineering gave", API_USER)
    settle_all(bridge)
    assert bridge.runtime.workaround_store.get(problem.id) is None
    assert any(outcome == "the bridge's own comment: not a workaround" for outcome in inbox_outcomes(bridge))

    bridge.jira.user_comments(problem.jira_key, "Workaround: Pay with a saved card.")
    settle_all(bridge)
    poll_jira(bridge)  # brings the same comment again: it was applied already
    settle_all(bridge)
    article = the_article(bridge, problem.id)
    assert any("applied before" in outcome for outcome in inbox_outcomes(bridge))
    assert [a.outcome for a in action_rows(bridge.runtime, "zendesk.workaround_article", problem.id)] == [
        f"created article {article['id']}"]

    with bridge.jira.webhooks_suppressed():  # this comment's webhook is lost
        bridge.jira.user_comments(problem.jira_key, "Looking at the card form.")
        bridge.jira.user_comments(problem.jira_key, "Workaround: Pay with PayPal.")
        bridge.jira.user_comments(problem.jira_key, "PayPal it is, for now.")
    poll_jira(bridge)
    poll_jira(bridge)
    settle_all(bridge)

    workaround = bridge.runtime.workaround_store.get(problem.id)
    assert (workaround.source, workaround.text) == ("jira_comment", "Pay with PayPal.")
    rewritten = the_article(bridge, problem.id)
    assert rewritten["id"] == article["id"] and "Pay with PayPal." in rewritten["body"]
    assert [a.outcome for a in action_rows(bridge.runtime, "zendesk.workaround_article", problem.id)] == [
        f"created article {article['id']}", f"rewrote article {article['id']}"]
    for ticket_id in tickets:
        assert len(answers(bridge, ticket_id, article["html_url"])) == 1
    assert_nothing_parked(bridge.runtime)
