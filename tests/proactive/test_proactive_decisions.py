"""The pure decisions of a proactive notice: who is told and why the others are not, the ticket
each one gets (marked as the bridge's own), what Zendesk's answers mean for the recipients, and
the pace of the sending."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bridge.closure.pacing import next_run
from bridge.config.proactive_settings import proactive_template
from bridge.domain.audience import BadQuery, audience_query
from bridge.domain.bridge_tickets import created_by_bridge
from bridge.domain.events import TicketSnapshot
from bridge.domain.ports import BulkJob, Customer
from bridge.planning.proactive import ProactiveMessage, choose_audience
from bridge.proactive.outcomes import job_changes, verify_changes
from bridge.storage.proactive import Recipient
from bridge.storage.send_rows import FAILED, NOTIFIED, PENDING
from tests.planning.conftest import facts

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def customer(user_id: int, **values) -> Customer:
    return Customer(**{"id": user_id, "name": f"Pat{user_id} Lee", "email": f"p{user_id}@example.com", **values})


def recipient(user_id: int, **values) -> Recipient:
    return Recipient(**{"user_id": user_id, "state": "sent", "name": None, "organization_id": None, "verify": False,
                        "attempts": 1, "job_id": "j1", "sent_at": NOW, "ticket_id": None, "last_error": None, **values})


def test_each_customer_left_out_is_counted_under_the_first_reason_that_applies():
    found = [
        customer(1), customer(2, role="agent"), customer(3, active=False), customer(4, suspended=True),
        customer(5, email=None), customer(6, tags=frozenset({"no_proactive_notice"})),
        customer(7, organization_tags=frozenset({"no_proactive_notice"})), customer(8), customer(9),
        customer(10, suspended=True, tags=frozenset({"no_proactive_notice"})),  # suspended comes first
        customer(1),  # found twice (two organizations): told once
    ]
    audience = choose_audience(found, "No_Proactive_Notice", linked_requesters={8}, already_notified={9})

    assert [c.id for c in audience.recipients] == [1]
    assert audience.excluded_counts == {"not_a_customer": 1, "inactive": 1, "suspended": 2, "no_email": 1,
                                        "opted_out": 2, "already_linked": 1, "already_notified": 1}
    assert [c.id for c in audience.excluded["opted_out"]] == [6, 7]


@pytest.mark.parametrize("query, reason", [
    ("", "the query is empty"),
    ("tags:beta", "must search users or organizations"),
    ("type:ticket tags:beta", "must search users or organizations"),
    ('type:user "beta', "does not parse"),
])
def test_an_audience_query_must_search_users_or_organizations(query, reason):
    with pytest.raises(BadQuery, match=reason):
        audience_query(query)


def test_an_audience_query_names_users_or_organizations():
    assert audience_query("  type:organization product_version:2.3 ") == "type:organization product_version:2.3"
    query = 'type:user tags:beta organization:"Acme Inc"'
    assert audience_query(query) == query


def test_the_ticket_is_personal_and_marked_as_the_bridges_own(plain_rule):
    message = ProactiveMessage(7, proactive_template("{{ problem.jira_key }}: heads up"),
                               proactive_template("Hi {{ customer.first_name }}, {{ count }} customers saw it."),
                               plain_rule, facts(jira_key="ENG-9"), status="pending")
    ticket, errors = message.ticket(501, "Ann Archer")

    assert errors == []
    assert ticket == {"subject": "ENG-9: heads up", "comment": {"body": "Hi Ann, 12 customers saw it.", "public": True},
                      "requester_id": 501, "status": "pending", "tags": ["bridge_proactive", "bridge_proactive_7"],
                      "external_id": "bridge-proactive-7-user-501"}
    snapshot = TicketSnapshot(id=1, subject=ticket["subject"], description=ticket["comment"]["body"],
                              external_id=ticket["external_id"])
    assert created_by_bridge(snapshot)
    assert created_by_bridge(TicketSnapshot(id=1, tags=("bridge_proactive",)))


def test_a_template_that_fails_falls_back_to_the_default_and_says_so(plain_rule):
    message = ProactiveMessage(7, None, proactive_template("{{ problem.nothing.here }}"), plain_rule,
                               facts(jira_key="ENG-9"))
    subject, body, errors = message.texts("Ann Archer")
    assert subject == "A known issue that may affect you"
    assert body.startswith("Hi Ann,") and "(reference ENG-9)" in body
    assert errors and "proactive notice message: template failed" in errors[0]


def test_without_the_rule_the_default_text_is_sent():
    message = ProactiveMessage(7, None, proactive_template("Hi {{ customer.name }}"), None, facts())
    assert message.texts(None)[1].startswith("Hello,")


def test_a_create_job_answers_by_position_in_user_id_order():
    sent = [recipient(30, attempts=3), recipient(10), recipient(20)]
    job = BulkJob(finished=True, created={0: 9001, 2: 9003}, failed={1: "RecordInvalid"})
    changes = {change.item_id: dict(change.values) for change in job_changes(sent, job, max_attempts=3)}

    assert changes[10] == {"state": NOTIFIED, "ticket_id": 9001, "last_error": None}
    assert changes[20] == {"state": PENDING, "verify": True, "job_id": None, "last_error": "RecordInvalid"}
    assert changes[30] == {"state": NOTIFIED, "ticket_id": 9003, "last_error": None}
    assert job_changes(sent, BulkJob(finished=False), 3) == []
    lost = job_changes(sent, None, 3)
    assert {change.values["state"] for change in lost} == {PENDING} and all(c.values["verify"] for c in lost)
    gave_up = job_changes([recipient(30, attempts=3)], BulkJob(finished=True, failed={0: "x"}), 3)
    assert gave_up[0].values["state"] == FAILED


def test_a_recipient_whose_send_may_have_landed_is_told_when_their_ticket_exists():
    pending = [recipient(10, state=PENDING, verify=True), recipient(20, state=PENDING, verify=True)]
    changes = verify_changes(7, pending, {"bridge-proactive-7-user-10": 9001})
    assert [(c.item_id, dict(c.values)) for c in changes] == [
        (10, {"state": NOTIFIED, "verify": False, "ticket_id": 9001, "last_error": None}),
        (20, {"verify": False})]


def test_the_sending_keeps_to_zendesks_requests_per_minute():
    """Ten create_many calls at 100 requests a minute take six seconds of the budget, even with
    job slots free; a round that waits for jobs comes back after the poll interval at the soonest."""
    poll, grace = timedelta(seconds=2), timedelta(minutes=10)
    assert next_run(NOW, 10, 100, can_send=True, waiting_for_jobs=False, oldest_unknown=None,
                    poll=poll, grace=grace) == NOW + timedelta(seconds=6)
    assert next_run(NOW, 0, 100, can_send=False, waiting_for_jobs=True, oldest_unknown=None,
                    poll=poll, grace=grace) == NOW + poll
    assert next_run(NOW, 1, 100, can_send=False, waiting_for_jobs=False, oldest_unknown=NOW,
                    poll=poll, grace=grace) == NOW + grace
