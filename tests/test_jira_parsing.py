"""Real Jira webhook captures parse to the right domain events (one line per fixture)."""

import pytest

from bridge.domain.events import Ignored, IssueComment, IssueEvent, VersionEvent
from connectors.jira.events import JIRA_EVENT_PARSERS, parse_jira_webhook
from connectors.payload import PayloadError
from tests.support.fixtures import fixture_names, fixtures_named_in, load_fixture


def parse(name: str):
    return parse_jira_webhook(load_fixture("jira", name), "delivery-1")


@pytest.mark.parametrize("name, kind, key, status, category, resolution, changed", [
    ("issue_created__cloud", "created", "TES-41", "To Do", "new", None, {"status", "summary", "priority"}),
    ("issue_created__cloud_many_fields", "created", None, "To Do", "new", None, {"fixVersions", "status"}),
    ("issue_updated__resolved", "updated", "TES-41", "Done", "done", "Done", {"resolution", "status"}),
    ("issue_updated__resolved_one_changelog", "updated", "TES-41", "Done", "done", "Done", {"resolution"}),
    ("issue_updated__reopened", "updated", "TES-41", "To Do", "new", None, {"resolution", "status"}),
    ("issue_updated__started_working", "updated", "TES-41", "In Progress", "indeterminate", None, {"status"}),
    ("issue_updated__fix_version", "updated", "TES-41", None, None, None, {"fixVersions"}),
    ("issue_updated__labels", "updated", "TES-41", None, None, None, {"labels"}),
    ("issue_updated__assigned", "updated", "TES-41", None, None, None, {"assignee"}),
    ("issue_updated__custom_field", "updated", None, None, None, None, {"customfield_10072"}),
    ("issue_updated__server_resolved", "updated", None, "Resolved", "done", "Done", {"status", "resolution"}),
    ("issue_updated__server_closed", "updated", None, "Closed", "done", None, {"status"}),
    ("issue_deleted__cloud", "deleted", None, None, None, None, set()),
])
def test_issue_events(name, kind, key, status, category, resolution, changed):
    event = parse(name)
    assert isinstance(event, IssueEvent)
    assert event.kind == kind and event.event_id == "delivery-1"
    if key:
        assert event.issue.key == key
    if status:
        assert (event.issue.status, event.issue.status_category) == (status, category)
    if resolution:
        assert event.issue.resolution == resolution
    assert changed <= {change.field for change in event.changes}
    assert event.issue.project_key and event.issue.updated_at and event.actor


def test_resolution_change_reads_from_and_to():
    change = parse("issue_updated__resolved").change_of("resolution")
    assert (change.from_string, change.to_value, change.to_string) == (None, "10000", "Done")


def test_reopen_clears_the_resolution():
    event = parse("issue_updated__reopened")
    assert event.issue.resolution is None
    assert event.change_of("status").from_string == "Done"


def test_fix_version_change():
    event = parse("issue_updated__fix_version")
    assert event.change_of("fixVersions").to_string == "v2"
    # In this real capture the issue's fixVersions list is still empty: the changelog is the truth.
    assert event.issue.fix_versions == ()


def test_server_users_are_identified_by_name():
    assert parse("issue_updated__server_closed").actor == "admin"


def test_version_released():
    event = parse("version_released__putit")
    assert isinstance(event, VersionEvent)
    assert (event.kind, event.version_id, event.name, event.project_id, event.released) == (
        "version_released", "10000", "1.0", "10002", True)


@pytest.mark.parametrize("name, issue_id, issue_key, body, author", [
    ("comment_created__cloud", "10040", "TES-41", "Added a comment", "5c5f880629be9642ba529340"),
    ("comment_created__server", "10013", None, "unik", "levbrouk"),  # Data Center: the issue by id only
])
def test_comments_are_read_for_workarounds(name, issue_id, issue_key, body, author):
    event = parse(name)
    assert isinstance(event, IssueComment)
    assert (event.kind, event.issue_id, event.issue_key, event.body, event.author) == (
        "comment_created", issue_id, issue_key, body, author)


def test_a_comment_in_atlassian_document_format_is_read_as_text():
    payload = {"webhookEvent": "comment_updated", "issue": {"id": "7", "key": "A-7"},
               "comment": {"body": {"type": "doc", "version": 1, "content": [
                   {"type": "paragraph", "content": [{"type": "text", "text": "Workaround: restart"}]}]}}}
    assert parse_jira_webhook(payload, "d").body == "Workaround: restart"


def test_deleted_comments_are_known_and_ignored():
    assert parse("comment_deleted__cloud") == Ignored("Jira comments stay in Jira")


def test_unknown_event_is_ignored():
    assert parse_jira_webhook({"webhookEvent": "sprint_started"}, "d") == Ignored(
        "unsupported Jira event: sprint_started")


@pytest.mark.parametrize("payload, message", [
    ([], "JSON object"),
    ({}, "webhookEvent"),
    ({"webhookEvent": "jira:issue_updated"}, "missing object 'issue'"),
    ({"webhookEvent": "jira:issue_updated", "issue": {"id": "1"}}, "missing 'key'"),
    ({"webhookEvent": "jira:issue_updated", "issue": {"id": "1", "key": "A-1"}, "changelog": {"items": "x"}},
     "changelog"),
    ({"webhookEvent": "jira:version_released", "version": {}}, "missing 'id'"),
    ({"webhookEvent": "comment_created", "comment": {"body": "x"}}, "names no issue"),
    ({"webhookEvent": "comment_created", "issue": {"id": "1"}, "comment": {"body": 3}}, "comment.body"),
])
def test_malformed_payloads(payload, message):
    with pytest.raises(PayloadError, match=message):
        parse_jira_webhook(payload, "d")


def test_every_supported_event_type_has_a_fixture():
    covered = {"jira:" + name.split("__")[0] for name in fixture_names("jira")}
    covered |= {name.split("__")[0] for name in fixture_names("jira")}
    missing = set(JIRA_EVENT_PARSERS) - covered
    # Updates and unreleases of versions and comment edits share parsers with tested events.
    assert missing <= {"comment_updated", "jira:version_unreleased", "jira:version_updated"}


def test_every_fixture_is_used():
    unused = fixture_names("jira") - fixtures_named_in(__file__, "jira")
    assert not unused, f"fixtures no test here parses: {sorted(unused)}"


def test_the_configured_text_fields_are_kept_on_the_issue_snapshot():
    payload = load_fixture("jira", "issue_updated__custom_field")
    event = parse_jira_webhook(payload, "d", text_fields=("customfield_10067", "customfield_10043",
                                                           "customfield_10072", "customfield_404"))
    # A text field's text; an empty one, a number field and a field the issue lacks are left out.
    assert event.issue.text_fields == {"customfield_10067": "ffv"}
    assert parse("issue_updated__custom_field").issue.text_fields == {}  # none configured, none kept

    paragraph = {"type": "paragraph", "content": [{"type": "text", "text": "Use PayPal."}]}
    # REST v3 answers a paragraph field as an Atlassian document.
    payload["issue"]["fields"]["customfield_10067"] = {"type": "doc", "version": 1, "content": [paragraph]}
    assert parse_jira_webhook(payload, "d", text_fields=("customfield_10067",)).issue.text_fields == {
        "customfield_10067": "Use PayPal."}
