"""The pure decisions behind `bridge setup jira` and the Jira wiring check: what is wrong with a
webhook, what to do about the webhooks Jira has, which affected-count fields to create."""

from __future__ import annotations

from bridge.setup.jira_plan import WEBHOOK_NAME, JiraWiring, plan_fields, plan_webhook
from connectors.jira.events import JIRA_WEBHOOK_EVENTS
from connectors.jira.webhooks import JiraWebhook

SIGNED = JiraWiring("https://bridge.example.com", ("FIN", "ENG"), "s3cret", None)


def registered(wiring: JiraWiring, webhook_id: str = "1", **changes) -> JiraWebhook:
    spec = wiring.spec()
    fields = {"id": webhook_id, "name": spec.name, "url": spec.url, "events": spec.events,
              "jql_filter": spec.jql_filter, "enabled": True, "exclude_body": False, **changes}
    return JiraWebhook(**fields)


def test_what_setup_registers_has_no_problems():
    assert SIGNED.jql_filter == 'project in ("ENG", "FIN")'
    assert SIGNED.problems(registered(SIGNED)) == []
    assert plan_webhook([registered(SIGNED)], SIGNED).changes_nothing


def test_every_difference_is_named_without_the_url_query():
    token_wiring = JiraWiring("https://bridge.example.com", ("ENG",), None, "t0ken")
    webhook = registered(token_wiring, url="http://old.example.com/hooks?token=leaked", enabled=False,
                         exclude_body=True, events=JIRA_WEBHOOK_EVENTS[:1], jql_filter="")
    problems = token_wiring.problems(webhook)
    assert problems == [
        "it is disabled",
        f"it does not send {', '.join(JIRA_WEBHOOK_EVENTS[1:])}",
        "it sends no body (excludeBody)",
        "it points at http://old.example.com/hooks, not https://bridge.example.com/webhooks/jira",
        "its URL carries another token than jira.webhook_url_token",
        "its JQL filter is '(none)', not 'project in (\"ENG\")'",
    ]
    assert not any("leaked" in problem for problem in problems)


def test_without_a_public_url_only_the_path_is_compared():
    unknown = JiraWiring(None, ("FIN", "ENG"), "s3cret", None)
    assert unknown.problems(registered(SIGNED, url=registered(SIGNED).url.replace("bridge.", "other."))) == []
    assert unknown.problems(registered(SIGNED, url="https://bridge.example.com/elsewhere")) == [
        "it points at https://bridge.example.com/elsewhere, not a URL ending in /webhooks/jira",
        "it signs with another secret than jira.webhook_secret (or with none)"]


def test_the_first_webhook_by_name_is_kept_and_the_others_deleted():
    others = JiraWebhook("9", "someone else's", "https://x.example.com", (), "", True, False)
    plan = plan_webhook([others, registered(SIGNED, "3", enabled=False), registered(SIGNED, "4")], SIGNED)
    assert (plan.update_id, plan.reasons, plan.duplicate_ids) == ("3", ("it is disabled",), ("4",))
    assert plan_webhook([others], SIGNED).create
    assert plan_webhook([], SIGNED).reasons == (f"Jira has no webhook named {WEBHOOK_NAME!r}",)


def test_fields_configured_then_found_by_name_then_created():
    jira_fields = {"customfield_1": "Tickets hit", "customfield_2": "Affected requesters", "summary": "x"}
    steps = plan_fields({"affected_tickets": "customfield_1", "affected_requesters": None,
                         "affected_organizations": "customfield_404"}, jira_fields)
    assert [(s.config_key, s.name, s.field_id) for s in steps] == [
        ("affected_tickets", "Tickets hit", "customfield_1"),  # the config's choice stands, whatever its name
        ("affected_requesters", "Affected requesters", "customfield_2"),
        ("affected_organizations", "Affected organizations", None)]
