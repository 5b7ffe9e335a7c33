"""What the jobs store reads back, through the webhook parsers, as the state they found; and the Jira
search behind `poll_jira` survives keys Jira rejects and reads dates in the user's time zone."""

from __future__ import annotations

from datetime import UTC, datetime

from bridge.domain.bridge_tickets import created_by_bridge
from bridge.domain.events import IssueEvent, IssueSnapshot, TicketEvent
from connectors.jira.errors import JiraError
from connectors.jira.events import parse_jira_webhook
from connectors.jira.search import UpdatedIssueSearch
from connectors.jira.synthetic import polled_issue_update
from connectors.zendesk.events import parse_zendesk_webhook
from connectors.zendesk.synthetic import exported_ticket_update
from connectors.zendesk.tickets import snapshot_from_api_ticket

ISSUE = IssueSnapshot(
    id="10042", key="ENG-42", project_key="ENG", summary="Checkout crashes", status="In Progress",
    status_category="indeterminate", resolution=None, fix_versions=("2.4.1",), due_date="2026-12-01",
    priority="High", assignee="5b10a2844c20165700ede21g", labels=("bridge-problem-7",),
    updated_at=datetime(2026, 11, 23, 12, 5, 7, 123000, tzinfo=UTC))

API_TICKET = {
    "id": 35436, "subject": "Refund missing", "description": "I was promised a refund", "status": "open",
    "priority": "high", "type": "problem", "tags": ["refund", "vip"], "requester_id": 20978392,
    "organization_id": 509974, "group_id": 98738, "brand_id": 7, "ticket_form_id": 3,
    "via": {"channel": "web"}, "custom_fields": [{"id": 360000000001, "value": "app_v2"}],
    "created_at": "2026-11-23T11:00:00Z", "updated_at": "2026-11-23T12:00:05Z",
}


def test_a_polled_issue_reads_back_as_the_same_issue_updated_event():
    key, body = polled_issue_update(ISSUE)
    event = parse_jira_webhook(body, key)
    assert isinstance(event, IssueEvent) and event.kind == "updated" and event.changes == ()
    assert event.issue == ISSUE and event.occurred_at == ISSUE.updated_at
    assert key == polled_issue_update(ISSUE)[0] == "poll:10042:1795435507123"


def test_an_exported_ticket_reads_back_as_a_trigger_event_with_what_the_export_knew():
    exported = snapshot_from_api_ticket(API_TICKET)
    key, body = exported_ticket_update(exported)
    event = parse_zendesk_webhook(body, key)
    assert isinstance(event, TicketEvent) and event.kind == "trigger"
    assert event.ticket == exported and event.occurred_at == exported.updated_at
    assert "requester_email" not in event.ticket.known_fields  # unknown, not empty: kept from before


def test_an_exported_follow_up_of_the_bridge_is_still_known_as_its_own():
    followup = snapshot_from_api_ticket({**API_TICKET, "external_id": "bridge-closure-4-ticket-35400", "tags": []})
    assert followup.external_id == "bridge-closure-4-ticket-35400"
    key, body = exported_ticket_update(followup)
    event = parse_zendesk_webhook(body, key)
    assert event.ticket.external_id == followup.external_id and created_by_bridge(event.ticket)


def test_two_states_in_one_second_have_different_keys_one_state_has_one():
    first = snapshot_from_api_ticket(API_TICKET)
    second = snapshot_from_api_ticket({**API_TICKET, "status": "pending"})
    assert exported_ticket_update(first)[0] == exported_ticket_update(snapshot_from_api_ticket(API_TICKET))[0]
    assert exported_ticket_update(first)[0] != exported_ticket_update(second)[0]


class FakeJiraClient:
    """Answers searches like Jira: a query naming a key Jira does not know is rejected whole."""

    def __init__(self, issues: dict[str, dict], time_zone: str = "UTC"):
        self.issues, self.time_zone, self.queries = issues, time_zone, []

    def myself(self) -> dict:
        return {"timeZone": self.time_zone}

    def search(self, jql: str, fields):
        self.queries.append(jql)
        named = [part.strip(' "') for part in jql.split("key in (")[1].split(")")[0].split(",")]
        unknown = [key for key in named if key not in self.issues]
        if unknown:
            raise JiraError(f"An issue with key '{unknown[0]}' does not exist for field 'key'.", status=400)
        return iter([self.issues[key] for key in named])


def issue_json(key: str, number: int, updated: str) -> dict:
    return {"id": str(number), "key": key, "fields": {"status": {"name": "Done"}, "updated": updated}}


def test_a_key_jira_no_longer_knows_is_skipped_not_fatal():
    client = FakeJiraClient({"ENG-1": issue_json("ENG-1", 1, "2026-11-23T12:00:02.000+0000"),
                             "ENG-3": issue_json("ENG-3", 3, "2026-11-23T12:00:01.000+0000")})
    found = UpdatedIssueSearch(client).run(["ENG-1", "ENG-2", "ENG-3"], None)
    assert [issue.key for issue in found] == ["ENG-3", "ENG-1"]  # oldest change first


def test_dates_in_the_query_are_in_the_jira_users_time_zone():
    client = FakeJiraClient({"ENG-1": issue_json("ENG-1", 1, "2026-11-23T12:00:02.000+0000")}, "Europe/Berlin")
    UpdatedIssueSearch(client).run(["ENG-1"], datetime(2026, 11, 23, 11, 58, 59, tzinfo=UTC))
    assert client.queries == ['updated >= "2026-11-23 12:58" AND key in ("ENG-1") ORDER BY updated ASC']
