"""The reply customers get when the fix ships, its form, and what the ticket or follow-up carries."""

import pytest

from bridge.rules.yamlsource import SourceErrors
from tests.closure.conftest import CLOSURE_ID

PERSONAL = '    public_reply: "Hi {{ requester.first_name }}, fixed in {{ fix_version }} ({{ problem.jira_key }})."\n'
SAME = ('    public_reply: "Fixed in {{ fix_version }}, see {{ problem.jira_key }}."\n'
        "    status: pending\n    tags: [fixed]\n")


def test_a_reply_using_the_requester_is_personalised(message_for):
    message = message_for(PERSONAL)
    assert message.personalised
    assert message.text("Alex Doe", 5).text == "Hi Alex, fixed in 2.4.1 (ENG-7)."


def test_a_reply_without_per_ticket_data_is_the_same_for_everyone(message_for):
    message = message_for(SAME)
    assert not message.personalised
    assert message.text().text == "Fixed in 2.4.1, see ENG-7."
    assert message.ticket_update("Fixed") == {"comment": {"body": "Fixed", "public": True}, "status": "pending",
                                              "additional_tags": ["fixed", f"bridge_notified_{CLOSURE_ID}"]}


def test_the_default_reply_greets_by_first_name_and_names_version_and_issue(message_for):
    message = message_for(None)
    assert message.personalised
    assert message.status == "solved"
    assert message.text("Alex Doe").text.startswith("Hi Alex,\n\nGood news: the problem you reported has been "
                                                    "fixed in version 2.4.1 (reference ENG-7).")
    assert message.text(None).text.startswith("Hello,")
    assert "the fix is live" in message_for(None, fix_version=None).text("Alex").text


def test_a_problem_whose_rule_is_gone_still_gets_the_default(message_for):
    message = message_for(None, no_rule=True)
    assert message.text("Sam").text.startswith("Hi Sam,")
    assert message.tags == [f"bridge_notified_{CLOSURE_ID}"]


def test_a_template_failing_at_render_time_falls_back_to_the_default(message_for):
    message = message_for('    public_reply: "{{ requester.first_name }} {{ problem.nothing.deeper }}"\n')
    rendered = message.text("Alex")
    assert rendered.text.startswith("Hi Alex,")
    assert "zendesk.on_fix.public_reply" in rendered.error


def test_a_closed_ticket_gets_a_solved_follow_up_carrying_the_reply_and_the_tag(message_for):
    followup = message_for(SAME).followup(31, 4031, "Fixed")
    # Marked twice as the bridge's own ticket (bridge_followup tag, bridge-closure- external id).
    assert followup == {"subject": "Update on your request #31", "comment": {"body": "Fixed", "public": True},
                        "status": "solved", "tags": ["fixed", f"bridge_notified_{CLOSURE_ID}", "bridge_followup"],
                        "via_followup_source_id": 31, "requester_id": 4031,
                        "external_id": f"bridge-closure-{CLOSURE_ID}-ticket-31"}


def test_reply_templates_may_use_requester_ticket_and_fix_version_but_nothing_else(rule_from):
    with pytest.raises(SourceErrors) as raised:
        rule_from('- name: x\n  team: engineering\n  match: {text: {any: [a]}}\n  threshold: {count: 1, window: 1h}\n'
                  '  zendesk: {on_fix: {public_reply: "{{ requester.name }} {{ ticket.id }} {{ secret }}"}}\n')
    assert "unknown variable(s) secret" in str(raised.value)
