"""Zendesk webhook bodies parse to the right domain events (one line per fixture)."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bridge.domain.bridge_tickets import created_by_bridge
from bridge.domain.events import Ignored, TicketEvent
from connectors.payload import PayloadError
from connectors.zendesk.events import TICKET_EVENT_HANDLERS, delivery_key, parse_zendesk_webhook
from connectors.zendesk.tickets import snapshot_from_api_ticket
from tests.support.fixtures import fixture_names, fixtures_named_in, load_fixture


def parse(name: str):
    payload = load_fixture("zendesk", name)
    return parse_zendesk_webhook(payload, delivery_key(payload, "invocation-1"))


def ticket_event(name: str) -> TicketEvent:
    event = parse(name)
    assert isinstance(event, TicketEvent), event
    assert event.ticket.id == 5158 or event.kind == "trigger"
    return event


def test_created_docs_example():
    event = ticket_event("ticket.created__docs_example")
    ticket = event.ticket
    assert (event.kind, event.event_id) == ("created", "cbe4028c-7239-495d-b020-f22348516046")
    assert (ticket.status, ticket.priority, ticket.type, ticket.channel) == ("open", "low", "task", "web_service")
    assert ticket.tags == ("ticket-info-test-tag",)
    assert (ticket.requester_id, ticket.organization_id, ticket.form_id) == (
        8447388090494, 8447346622462, 8646151517822)
    assert ticket.subject == "ticketinfo_2294a6e9ece2"
    assert event.occurred_at == datetime(2025, 1, 8, 10, 12, 7, 672717, tzinfo=UTC)
    assert event.actor_id == 8447388090494
    assert "custom_fields" not in ticket.known_fields  # event webhooks never carry them


@pytest.mark.parametrize("name, changes", [
    ("ticket.status_changed__solved", {"current": "SOLVED", "previous": "OPEN"}),
    ("ticket.priority_changed__urgent", {"current": "URGENT", "previous": "LOW"}),
    ("ticket.tags_changed__tags_added_removed", {"tags_added": ["billing_error"], "tags_removed": ["triage"]}),
    ("ticket.tags_changed__nested_tags_object", {"tags_added": ["billing_error"], "tags_removed": []}),
    ("ticket.tags_changed__added_removed_lists", {"tags_added": ["billing_error"], "tags_removed": ["triage"]}),
    ("ticket.subject_changed__renamed", {"current": "Charged twice", "previous": "Billing"}),
    ("ticket.group_assignment_changed__reassigned", {"current": "1", "previous": "2"}),
    ("ticket.type_changed__sample", {"current": "INCIDENT", "previous": "TASK"}),
    ("ticket.description_changed__sample", {"current": "New description", "previous": "Old"}),
    ("ticket.agent_assignment_changed__sample", {"current": "8447388090495", "previous": "8447388090494"}),
    ("ticket.organization_changed__sample", {"current": "42", "previous": "8447346622462"}),
    ("ticket.requester_changed__sample", {"current": "43", "previous": "8447388090494"}),
    ("ticket.brand_changed__sample", {"current": "44", "previous": "8447346621310"}),
    ("ticket.form_changed__sample", {"current": "45", "previous": "8646151517822"}),
    ("ticket.custom_status_changed__sample", {"current": "46", "previous": "8447320465790"}),
    ("ticket.soft_deleted__deleted", {}),
    ("ticket.permanently_deleted__sample", {}),
    ("ticket.undeleted__sample", {}),
    ("ticket.marked_as_spam__sample", {}),
    ("ticket.merged__sample", {}),
])
def test_ticket_event_changes(name, changes):
    event = ticket_event(name)
    assert event.kind == name.split("__")[0].removeprefix("ticket.")
    assert event.changes == changes


def test_snapshot_follows_the_detail():
    assert ticket_event("ticket.status_changed__solved").ticket.status == "solved"
    assert ticket_event("ticket.priority_changed__urgent").ticket.priority == "urgent"
    assert ticket_event("ticket.subject_changed__renamed").ticket.subject == "Charged twice"
    assert ticket_event("ticket.group_assignment_changed__reassigned").ticket.group_id == 1


def test_comment_added_carries_the_comment():
    comment = ticket_event("ticket.comment_added__public_customer_comment").changes["comment"]
    assert comment == {"id": 9001, "body": "I was charged twice for my order.", "public": True,
                       "author_id": 8447388090494, "author_is_staff": False}


def test_a_change_by_an_automation_has_the_system_actor():
    event = ticket_event("ticket.status_changed__closed_by_automation")
    assert (event.kind, event.ticket.status, event.actor_id) == ("status_changed", "closed", -1)  # the spec's "-1"


def test_a_comment_by_zendesk_itself_has_the_system_author():
    event = ticket_event("ticket.comment_added__system_author")
    assert (event.actor_id, event.changes["comment"]["author_id"]) == (-1, -1)


def test_the_bridges_follow_up_is_recognised_by_its_external_id_or_its_tag():
    reply = parse("ticket.comment_added__reply_on_bridge_followup")
    assert reply.ticket.external_id == "bridge-closure-3-ticket-5158"
    assert created_by_bridge(reply.ticket)
    assert created_by_bridge(replace(reply.ticket, tags=()))  # an agent removed the tag
    assert created_by_bridge(replace(reply.ticket, external_id=None))  # a trigger body: tags only
    customers = ticket_event("ticket.created__docs_example").ticket
    assert customers.external_id is None and not created_by_bridge(customers)


@pytest.mark.parametrize("name, field_id, value", [
    ("ticket.custom_field_changed__tagger", "360000000001", "widget_pro"),
    ("ticket.custom_field_changed__plain_values", "360000000002", "A-1001"),
])
def test_custom_field_changed_sets_the_field(name, field_id, value):
    event = ticket_event(name)
    assert event.ticket.custom_fields == {field_id: value}


def test_trigger_body_from_readme_template():
    event = ticket_event("trigger__readme_template")
    ticket = event.ticket
    assert (event.kind, ticket.id, ticket.status, ticket.priority, ticket.type) == (
        "trigger", 4711, "open", "high", "incident")
    assert ticket.tags == ("billing", "double_charge")
    assert (ticket.requester_id, ticket.requester_email, ticket.group_id) == (901, "jane@example.com", 77)
    assert ticket.organization_id is None and "organization_id" in ticket.known_fields
    assert ticket.custom_fields == {"360000000001": "widget_pro"}
    assert event.occurred_at == datetime(2026, 11, 23, 10, 5, tzinfo=UTC)
    assert event.event_id == "invocation:invocation-1"


def test_trigger_body_flat_template_captured_by_zulip():
    ticket = ticket_event("trigger__flat_template_zulip").ticket
    assert (ticket.id, ticket.subject, ticket.status, ticket.type) == (7, "Hello world", "open", "incident")
    assert ticket.tags == ("change_address", "help", "order")
    assert "updated_at" not in ticket.known_fields  # "February 3, 2025" has no time: unknown


@pytest.mark.parametrize("name, reason", [
    ("unsupported__attachment_redacted", "unsupported ticket event: attachment_redacted_from_comment"),
    ("unsupported__user_event", "not a ticket event: zen:event-type:user.active_changed"),
])
def test_known_but_unsupported_events_are_ignored(name, reason):
    assert parse(name) == Ignored(reason)


@pytest.mark.parametrize("payload, message", [
    ([], "body must be a JSON object"),
    ({"hello": 1}, "neither an event envelope"),
    ({"type": "zen:event-type:ticket.created", "id": "x"}, "missing object 'detail'"),
    ({"type": "zen:event-type:ticket.created", "id": "x", "detail": {"subject": "no id"}}, "ticket id missing"),
    ({"type": "zen:event-type:ticket.created", "id": "x", "detail": {"id": "abc"}}, "'id' must be an id"),
    ({"type": "zen:event-type:ticket.created", "id": "x", "detail": {"id": "1", "tags": "x", "created_at": 5.5e300}},
     "out of range"),
    ({"type": "zen:event-type:ticket.created", "id": "x", "detail": {"id": "1", "via": []}}, "'via' must be an object"),
    ({"ticket": {"subject": "no id"}}, "missing 'id'"),
    ({"type": "zen:event-type:ticket.created", "id": "x", "detail": {"id": "1", "actor_id": "-2"}},
     "'actor_id' must be an id"),
])
def test_malformed_payloads_raise_payload_error(payload, message):
    with pytest.raises(PayloadError, match=message):
        parse_zendesk_webhook(payload, "d")


# One ticket as each source spells it: an event's detail, the README's trigger body, the API.
ONE_TICKET = {"id": "88", "subject": "Card declined", "status": "On-Hold", "priority": "High", "type": "Problem",
              "tags": ["Billing", "VIP"], "group_id": 77, "created_at": "2026-11-23T10:00:00.123456789Z"}
EVENT_SPELLING = {"type": "zen:event-type:ticket.created", "id": "evt-88", "time": "2026-11-23T10:00:01Z",
                  "detail": {**ONE_TICKET, "form_id": "12", "via": {"channel": "Web"}}}
TRIGGER_SPELLING = {"ticket": {**ONE_TICKET, "form_id": "12", "via": "Web"}}
API_SPELLING = {**ONE_TICKET, "ticket_form_id": 12, "via": {"channel": "Web"}}


def test_the_same_ticket_reads_the_same_from_every_source():
    snapshots = [parse_zendesk_webhook(EVENT_SPELLING, "d1").ticket,
                 parse_zendesk_webhook(TRIGGER_SPELLING, "d2").ticket,
                 snapshot_from_api_ticket(API_SPELLING)]
    for ticket in snapshots:
        assert (ticket.id, ticket.subject, ticket.status, ticket.priority, ticket.type) == (
            88, "Card declined", "hold", "high", "problem")
        assert (ticket.tags, ticket.channel, ticket.group_id, ticket.form_id) == (("billing", "vip"), "web", 77, 12)
        assert ticket.created_at == datetime(2026, 11, 23, 10, 0, 0, 123456, tzinfo=UTC)


def test_tags_changed_reads_tags_as_the_snapshot_does():
    event = parse_zendesk_webhook({**EVENT_SPELLING, "type": "zen:event-type:ticket.tags_changed",
                                   "event": {"tags_added": ["Billing_Error"], "tags_removed": "Triage"}}, "d")
    assert event.changes == {"tags_added": ["billing_error"], "tags_removed": ["triage"]}


@pytest.mark.parametrize("ticket, message", [
    ({"id": "0"}, "missing 'id'"),
    ({"id": 5, "group_id": "seventy"}, "'group_id' must be an id"),
    ({"id": 5, "created_at": "yesterday"}, "'created_at' is not an ISO 8601 timestamp"),
    ({"id": 5, "tags": [{"name": "x"}]}, "'tags' must be a list of strings"),
    ({"id": 5, "custom_fields": [{"value": "x"}]}, "missing 'id'"),
])
def test_a_malformed_api_ticket_is_refused_not_half_read(ticket, message):
    with pytest.raises(PayloadError, match=message):
        snapshot_from_api_ticket(ticket)


def test_delivery_key_prefers_event_id_then_invocation_id():
    assert delivery_key({"type": "t", "id": "evt"}, "inv") == "evt"
    assert delivery_key({"ticket": {}}, "inv") == "invocation:inv"
    with pytest.raises(PayloadError):
        delivery_key({"ticket": {}}, None)


def test_every_supported_event_type_has_a_fixture():
    covered = {name.split("__")[0].removeprefix("ticket.") for name in fixture_names("zendesk")}
    assert set(TICKET_EVENT_HANDLERS) <= covered


def test_every_fixture_is_used():
    unused = fixture_names("zendesk") - fixtures_named_in(__file__, "zendesk")
    assert not unused, f"fixtures no test here parses: {sorted(unused)}"
