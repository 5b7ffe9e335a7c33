"""Tickets add up to problems: thresholds, windows, joining, leaving; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading

from bridge.domain.events import TicketSnapshot
from bridge.domain.problems import DETECTING, OPEN
from bridge.storage.inbox import DONE, PENDING
from tests.detection.conftest import BRIDGE_USER, PRODUCT_FIELD
from tests.support.fixtures import load_fixture

DOUBLE_CHARGE = """
rules:
  - name: double-charge
    team: finance
    match:
      any:
        - tags: {any: [double_charge]}
        - text: {any: ["charged twice"]}
    threshold: {count: 3, of: tickets, window: 24h}
"""


def test_the_nth_ticket_opens_one_problem_and_later_ones_join(make_scenario):
    scenario = make_scenario(DOUBLE_CHARGE)
    scenario.ticket_event(1, subject="I was charged twice!")
    scenario.ticket_event(2, subject="Charged twice for order 1001")
    scenario.ticket_event(3, subject="Unrelated: password reset")
    scenario.process()
    [problem] = scenario.problems()
    assert (problem.state, problem.ticket_count) == (DETECTING, 2)

    scenario.ticket_event(4, tags=["double_charge"])
    scenario.process()
    [problem] = scenario.problems()
    assert (problem.state, problem.ticket_count, problem.rule, problem.team) == (OPEN, 3, "double-charge", "finance")
    assert scenario.runtime.problems.linked_ticket_ids(problem.id) == [1, 2, 4]

    scenario.ticket_event(5, subject="CHARGED TWICE...")
    scenario.process()
    [problem] = scenario.problems()
    assert problem.ticket_count == 4
    assert scenario.runtime.problems.linked_ticket_ids(problem.id) == [1, 2, 4, 5]
    opened = [e for e in scenario.runtime.audit.entries() if e.action == "problem.opened"]
    assert len(opened) == 1 and opened[0].details["tickets"] == [1, 2, 4]


def test_a_ticket_just_outside_the_window_does_not_count(make_scenario, clock):
    scenario = make_scenario(DOUBLE_CHARGE)
    scenario.ticket_event(1, subject="charged twice", at=clock())
    scenario.ticket_event(2, subject="charged twice", at=scenario.later(hours=12))
    scenario.ticket_event(3, subject="charged twice", at=scenario.later(hours=24, seconds=1))
    scenario.process()
    [problem] = scenario.problems()
    assert problem.state == DETECTING


def test_exactly_the_window_counts(make_scenario, clock):
    scenario = make_scenario(DOUBLE_CHARGE)
    for ticket, hours in ((1, 0), (2, 12), (3, 24)):
        scenario.ticket_event(ticket, subject="charged twice", at=scenario.later(hours=hours))
    scenario.process()
    assert scenario.problems()[0].state == OPEN


def test_out_of_order_events_count_by_event_time(make_scenario):
    scenario = make_scenario(DOUBLE_CHARGE)
    # Arrival order 3, 1, 2; event times 30h, 0h, 10h: only 1 and 2 share a 24h window.
    scenario.ticket_event(3, subject="charged twice", at=scenario.later(hours=30))
    scenario.ticket_event(1, subject="charged twice", at=scenario.later(hours=0))
    scenario.ticket_event(2, subject="charged twice", at=scenario.later(hours=10))
    scenario.process()
    assert scenario.problems()[0].state == DETECTING
    scenario.ticket_event(4, subject="charged twice", at=scenario.later(hours=20))  # late, in window of 1,2
    scenario.process()
    assert scenario.problems()[0].state == OPEN


def test_duplicate_events_of_one_ticket_count_once(make_scenario):
    scenario = make_scenario(DOUBLE_CHARGE)
    for _ in range(3):
        scenario.ticket_event(1, subject="charged twice")
    scenario.ticket_event(2, subject="charged twice")
    scenario.process()
    [problem] = scenario.problems()
    assert (problem.state, problem.ticket_count) == (DETECTING, 2)


def test_removing_the_tag_stops_counting_and_unlinks(make_scenario):
    scenario = make_scenario(DOUBLE_CHARGE)
    scenario.ticket_event(1, tags=["double_charge"])
    scenario.process()
    scenario.ticket_event(1, kind="tags_changed", tags=["web"], tags_removed=["double_charge"])
    scenario.process()
    assert scenario.problems() == []  # an empty detecting problem disappears

    for ticket in (1, 2, 3):
        scenario.ticket_event(ticket, tags=["double_charge"])
    scenario.process()
    [problem] = scenario.problems()
    assert problem.state == OPEN
    scenario.ticket_event(2, kind="tags_changed", tags=[], tags_removed=["double_charge"])
    scenario.process()
    [problem] = scenario.problems()
    assert problem.ticket_count == 2
    assert scenario.runtime.problems.linked_ticket_ids(problem.id) == [1, 3]
    scenario.ticket_event(2, kind="tags_changed", tags=["double_charge"], tags_added=["double_charge"])
    scenario.process()
    assert scenario.runtime.problems.linked_ticket_ids(problem.id) == [1, 2, 3]


def test_deleted_tickets_leave(make_scenario):
    scenario = make_scenario(DOUBLE_CHARGE)
    for ticket in (1, 2):
        scenario.ticket_event(ticket, tags=["double_charge"])
    scenario.ticket_event(2, kind="marked_as_spam", tags=["double_charge"])
    scenario.process()
    [problem] = scenario.problems()
    assert problem.ticket_count == 1


def test_the_bridges_own_changes_are_not_customer_reports(make_scenario):
    scenario = make_scenario(DOUBLE_CHARGE)
    for ticket in (1, 2, 3):
        scenario.ticket_event(ticket, tags=["double_charge"], actor=BRIDGE_USER)
    scenario.process()
    assert scenario.problems() == []
    assert scenario.runtime.tickets.get(1).tags == ("double_charge",)  # the snapshot is still kept
    assert "own change, not evaluated" in scenario.runtime.inbox.list()[0].outcome


def test_a_ticket_closed_by_the_close_automation_is_known_closed_and_not_a_report(make_scenario):
    scenario = make_scenario(DOUBLE_CHARGE)
    closed = load_fixture("zendesk", "ticket.status_changed__closed_by_automation")  # actor_id "-1"
    closed["detail"]["subject"] = "charged twice"
    scenario.runtime.inbox.store("zendesk", closed["id"], closed["type"], json.dumps(closed), scenario.clock())
    for ticket in (1, 2):
        scenario.ticket_event(ticket, subject="charged twice")
    scenario.process()

    [row] = [r for r in scenario.runtime.inbox.list() if r.delivery_key == closed["id"]]
    assert (row.status, row.outcome) == (
        DONE, "ticket 5158 status_changed: Zendesk system change, not a customer report")
    assert scenario.runtime.tickets.get(5158).status == "closed"
    [problem] = scenario.problems()
    assert (problem.state, problem.ticket_count) == (DETECTING, 2)  # the automation did not report it


def test_the_bridges_follow_ups_never_count_even_without_its_user_id(make_scenario):
    """The follow-up carries the fix reply, which matches the rule here: neither its creation (by
    the API user, unknown without zendesk.bridge_user_id) nor the customer's reply counts."""
    scenario = make_scenario("""
        rules:
          - name: double-charge
            team: finance
            match: {text: {any: ["duplicate charge*"]}}
            threshold: {count: 2, of: tickets, window: 24h}
        """, zendesk={})
    reply = load_fixture("zendesk", "ticket.comment_added__reply_on_bridge_followup")
    customers = json.loads(json.dumps(reply))  # the same words in a customer's own ticket
    customers["detail"].update(id="5170", external_id=None, tags=[], subject="Duplicate charge")
    customers["id"] = "customer-ticket"
    for payload in (reply, customers):
        payload["time"] = payload["detail"]["updated_at"] = scenario.clock().isoformat()
        scenario.runtime.inbox.store("zendesk", payload["id"], payload["type"], json.dumps(payload), scenario.clock())
    scenario.process()

    outcomes = {row.delivery_key: row.outcome for row in scenario.runtime.inbox.list()}
    assert outcomes[reply["id"]] == "ticket 5160 comment_added: the bridge's own ticket, not evaluated"
    [problem] = scenario.problems()
    assert (problem.state, problem.ticket_count) == (DETECTING, 1)  # the customer's ticket only


REQUESTERS_BY_PRODUCT = """
rules:
  - name: crash
    team: engineering
    match:
      text: {any: [crash*]}
      custom_fields: {product: {exists: true}}
    group_by: custom_fields.product
    threshold: {count: 2, of: requesters, window: 7d}
"""


def test_group_by_a_custom_field_read_from_zendesk_in_one_batch(make_scenario, ticket_system):
    scenario = make_scenario(REQUESTERS_BY_PRODUCT)
    products = {1: "widget", 2: "widget", 3: "gadget", 4: "widget"}
    requesters = {1: 501, 2: 501, 3: 502, 4: 503}  # tickets 1 and 2: the same customer
    for ticket, product in products.items():
        ticket_system.tickets[ticket] = TicketSnapshot(
            id=ticket, custom_fields={str(PRODUCT_FIELD): product},
            known_fields=frozenset({"custom_fields"}))
        scenario.ticket_event(ticket, subject="The app crashes", requester=requesters[ticket])
    scenario.process()
    assert ticket_system.calls == [[1, 2, 3, 4]]  # one lookup for the whole batch
    by_group = {p.group_key: p for p in scenario.problems()}
    assert by_group["widget"].state == OPEN and by_group["widget"].requester_count == 2
    assert by_group["widget"].ticket_count == 3
    assert by_group["gadget"].state == DETECTING

    scenario.ticket_event(1, kind="status_changed", subject="The app crashes", requester=501)
    scenario.process()
    assert len(ticket_system.calls) == 1  # the stored snapshot already knows the custom fields


def test_a_changed_group_moves_the_ticket(make_scenario, ticket_system):
    scenario = make_scenario(REQUESTERS_BY_PRODUCT)
    ticket_system.tickets[1] = TicketSnapshot(id=1, custom_fields={str(PRODUCT_FIELD): "widget"},
                                              known_fields=frozenset({"custom_fields"}))
    scenario.ticket_event(1, subject="crash")
    scenario.process()
    scenario.ticket_event(1, kind="custom_field_changed", subject="crash",
                          custom_field={"id": str(PRODUCT_FIELD)}, current={"value": "gadget"})
    scenario.process()
    [problem] = scenario.problems()
    assert problem.group_key == "gadget"


def test_an_unreachable_zendesk_delays_only_the_events_that_need_it(make_scenario, ticket_system):
    scenario = make_scenario(REQUESTERS_BY_PRODUCT)
    ticket_system.fail_with = ConnectionError("zendesk down")
    scenario.ticket_event(1, subject="crash")
    scenario.process()
    [event] = scenario.runtime.inbox.list()
    assert event.status == PENDING and "LookupUnavailable" in event.last_error
    ticket_system.fail_with = None
    ticket_system.tickets[1] = TicketSnapshot(id=1, custom_fields={str(PRODUCT_FIELD): "widget"},
                                              known_fields=frozenset({"custom_fields"}))
    scenario.clock.advance(3600)
    scenario.process()
    assert scenario.runtime.inbox.list()[0].status == DONE
    assert scenario.problems()[0].group_key == "widget"


def test_two_workers_racing_on_one_group_open_one_problem_once(make_scenario):
    scenario = make_scenario(DOUBLE_CHARGE.replace("count: 3", "count: 10"))
    for ticket in range(1, 41):
        scenario.ticket_event(ticket, tags=["double_charge"])
    workers = [scenario.runtime.new_worker(f"w{i}") for i in range(2)]
    for worker in workers:
        worker.settings = worker.settings.model_copy(update={"batch_size": 5})
    threads = [threading.Thread(target=worker.drain) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert scenario.runtime.inbox.counts()[DONE] == 40
    [problem] = scenario.problems()
    assert (problem.state, problem.ticket_count) == (OPEN, 40)
    opened = [e for e in scenario.runtime.audit.entries() if e.action == "problem.opened"]
    assert len(opened) == 1


def test_after_a_problem_opens_mid_batch_the_rest_of_the_batch_reads_memberships_once(make_scenario):
    """Opening a problem changes what tickets belong to; the batch's later tickets then have their
    memberships read again, together, in one query (not one query per ticket), and still join."""
    from sqlalchemy import event

    scenario = make_scenario(DOUBLE_CHARGE)
    for ticket_id in range(1, 9):
        scenario.ticket_event(ticket_id, subject="I was charged twice!")
    membership_reads = []

    def count(connection, cursor, statement, parameters, context, executemany):
        if "UNION" in statement and "occurrences.ticket_id" in statement:
            membership_reads.append(statement)

    event.listen(scenario.runtime.engine, "before_cursor_execute", count)
    assert scenario.process() == 8
    event.remove(scenario.runtime.engine, "before_cursor_execute", count)
    [problem] = scenario.problems()
    assert (problem.state, problem.ticket_count) == (OPEN, 8)
    assert scenario.runtime.problems.linked_ticket_ids(problem.id) == list(range(1, 9))
    assert len(membership_reads) == 2  # the batch's tickets, then those after the 3rd opened it
