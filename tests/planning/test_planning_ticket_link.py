"""Linking tickets in Zendesk: the problem's tag, the configured fields, an internal note; unlinking."""

from datetime import date

import pytest

from bridge.planning.links import jira_issue_url
from bridge.planning.ticket_link import link_changes, link_tag, unlink_changes
from tests.planning.conftest import JIRA, facts
from tests.support.settings import make_settings

ISSUE_URL = jira_issue_url(JIRA + "/", "ENG-7")
SEARCH = "https://acme.zendesk.com/agent/search/1?type=ticket&q=tags%3Aproblem_42"
FIELDS = {"jira_key": 360000000101, "jira_status": 360000000102, "expected_fix_date": 360000000103}


@pytest.fixture
def config():
    return make_settings("sqlite://", zendesk={"fields": FIELDS})


@pytest.fixture
def bare_config():
    return make_settings("sqlite://")


def test_the_default_link_tag_and_note(plain_rule, config):
    linked = link_changes(plain_rule, facts(), "ENG-7", ISSUE_URL, date(2025, 3, 21), config, jira_status="To Do")
    assert ISSUE_URL == "https://acme.atlassian.net/browse/ENG-7"
    assert linked.changes == {
        "additional_tags": ["problem_42"],
        "custom_fields": {360000000101: "ENG-7", 360000000102: "To Do", 360000000103: "2025-03-21"},
        "comment": {"public": False, "body": (
            "Linked to Jira issue ENG-7 (team engineering): https://acme.atlassian.net/browse/ENG-7\n"
            "Due date: 2025-03-21\n"
            f"Tickets linked to this problem so far: 12. All of them: {SEARCH}\n"
            "Updates from Jira are added here as internal notes. Nothing has been sent to the customer.")},
    }
    assert linked.template_errors == ()


def test_without_configured_fields_or_due_date(plain_rule, bare_config):
    linked = link_changes(plain_rule, facts(), "ENG-7", ISSUE_URL, None, bare_config)
    assert set(linked.changes) == {"additional_tags", "comment"}
    assert "Due date: not set yet" in linked.changes["comment"]["body"]


def test_unknown_values_are_not_written(plain_rule, config):
    linked = link_changes(plain_rule, facts(), "ENG-7", ISSUE_URL, None, config)
    assert linked.changes["custom_fields"] == {360000000101: "ENG-7"}


def test_the_rules_templates(crash_rule, config):
    rule = crash_rule("""
        group_by: channel
        zendesk:
          link_tag: "Crash {{ problem.group }} {{ problem.id }}"
          internal_note: |
            Known defect {{ problem.jira_key }}, due {{ problem.due_date }} ({{ count }} tickets,
            tag {{ problem.link_tag }}): {{ problem.jira_url }}
    """)
    linked = link_changes(rule, facts(group_key="Web"), "ENG-7", ISSUE_URL, date(2025, 3, 21), config)
    assert linked.changes["additional_tags"] == ["crash_web_42"]
    assert linked.changes["comment"]["body"] == ("Known defect ENG-7, due 2025-03-21 (12 tickets,\n"
                                                 "tag crash_web_42): https://acme.atlassian.net/browse/ENG-7")
    assert linked.changes["comment"]["public"] is False


def test_the_link_tag_does_not_change_as_tickets_join(crash_rule):
    rule = crash_rule("""
        zendesk: {link_tag: "crash_{{ count }}_{{ tickets | length }}"}
    """)
    assert link_tag(rule, facts(ticket_count=5)).text == link_tag(rule, facts(ticket_count=50)).text == "crash_0_0"


def test_failing_templates_fall_back_and_are_reported(crash_rule, config):
    rule = crash_rule("""
        zendesk: {link_tag: "{{ problem.missing }}", internal_note: "{{ tickets[0].id }}"}
    """)
    linked = link_changes(rule, facts(), "ENG-7", ISSUE_URL, None, config)
    assert linked.changes["additional_tags"] == ["problem_42"]
    assert linked.changes["comment"]["body"].startswith("Linked to Jira issue ENG-7")
    assert [error.split(":")[1].strip() for error in linked.template_errors] == [
        "zendesk.link_tag", "zendesk.internal_note"]


def test_blank_templates_fall_back(crash_rule, bare_config):
    rule = crash_rule("""
        zendesk: {link_tag: " ", internal_note: "{% if false %}x{% endif %}"}
    """)
    linked = link_changes(rule, facts(), "ENG-7", ISSUE_URL, None, bare_config)
    assert linked.changes["additional_tags"] == ["problem_42"]
    assert linked.template_errors == ("rule crash: zendesk.link_tag: template rendered nothing; used the default",
                                      "rule crash: zendesk.internal_note: template rendered nothing; used the default")


def test_unlinking_removes_the_tag_and_clears_the_fields(plain_rule, config, bare_config):
    assert unlink_changes(plain_rule, facts(), config).changes == {
        "remove_tags": ["problem_42"],
        "custom_fields": {360000000101: None, 360000000102: None, 360000000103: None},
    }
    assert unlink_changes(plain_rule, facts(), config, clear_fields=False).changes == {"remove_tags": ["problem_42"]}
    assert unlink_changes(plain_rule, facts(), bare_config).changes == {"remove_tags": ["problem_42"]}
