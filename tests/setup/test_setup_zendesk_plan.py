"""The plan of `bridge setup zendesk`, a pure function of what the account has."""

from __future__ import annotations

from bridge.config.settings import ZendeskFieldSettings
from bridge.setup.zendesk import OPTIONAL_FIELDS, plan_setup
from connectors.zendesk.events import SUBSCRIBED_EVENT_TYPES
from connectors.zendesk.webhooks import WEBHOOK_NAME, webhook_fields

PUBLIC_URL = "https://bridge.example.com"
ENDPOINT = "https://bridge.example.com/webhooks/zendesk"


def existing(**changes) -> dict:
    return {"id": "01ABC", **webhook_fields(WEBHOOK_NAME, ENDPOINT, reversed(SUBSCRIBED_EVENT_TYPES)), **changes}


def test_no_webhook_of_that_name_is_created():
    plan = plan_setup([existing(name="Someone else's", endpoint="https://else.example.com/hook")], PUBLIC_URL + "/")
    assert (plan.webhook.action, plan.webhook.wanted["endpoint"]) == ("create", ENDPOINT)
    assert plan.webhook.wanted["subscriptions"] == list(SUBSCRIBED_EVENT_TYPES)
    assert plan.changes_anything


def test_a_right_webhook_is_kept_whatever_the_order_of_its_subscriptions():
    plan = plan_setup([existing()], PUBLIC_URL)
    assert (plan.webhook.action, plan.webhook.webhook_id, plan.changes_anything) == ("keep", "01ABC", False)


def test_only_what_drifted_is_updated():
    drifted = existing(status="inactive", subscriptions=list(SUBSCRIBED_EVENT_TYPES[1:]))
    plan = plan_setup([drifted], PUBLIC_URL)
    assert (plan.webhook.action, plan.webhook.changes) == ("update", ("status", "subscriptions"))


def test_fields_are_found_by_configured_id_then_title_else_created():
    fields = [{"id": 7, "title": "Renamed Jira key", "type": "text"},
              {"id": 8, "title": "Jira status", "type": "text"},
              {"id": 9, "title": "Expected fix date", "type": "date", "active": False}]
    plan = plan_setup([existing()], PUBLIC_URL, fields, {"jira_key": 7, "expected_fix_date": None})
    assert [(step.field.key, step.existing_id) for step in plan.fields] == [
        ("jira_key", 7), ("jira_status", 8), ("expected_fix_date", None)]
    assert plan.changes_anything


def test_without_fields_none_are_planned():
    assert plan_setup([existing()], PUBLIC_URL).fields == ()
    assert {field.key for field in OPTIONAL_FIELDS} == set(ZendeskFieldSettings.model_fields)


def test_a_webhook_wired_by_hand_to_the_url_is_adopted_but_a_trigger_webhook_is_left_alone():
    by_hand = existing(id="01HAND", name="Bridge (mine)", status="inactive")
    trigger = existing(id="01TRIG", name="Bridge trigger", subscriptions=["conditional_ticket_events"])
    assert plan_setup([trigger, by_hand], PUBLIC_URL).webhook.webhook_id == "01HAND"
    assert plan_setup([trigger], PUBLIC_URL).webhook.action == "create"
    named = existing(id="01NAMED", endpoint="https://old.example.com/webhooks/zendesk")
    assert plan_setup([by_hand, named], PUBLIC_URL).webhook.webhook_id == "01NAMED"
