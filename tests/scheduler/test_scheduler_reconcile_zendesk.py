"""`reconcile_zendesk` reads Zendesk's incremental export and feeds tickets whose webhooks were
missed through the inbox, so detection sees them; states the bridge already has are not fed again."""

from __future__ import annotations

import json

from bridge.intake.reconcile_zendesk import CURSOR
from bridge.storage.cursors import Cursors
from bridge.storage.inbox import DONE
from tests.scheduler.conftest import jobs_of


def exported_deliveries(runtime) -> list:
    return [event for event in runtime.inbox.list(limit=1000)
            if event.source == "zendesk" and event.delivery_key.startswith("export:")]


def test_tickets_whose_webhooks_were_missed_reach_the_bridge(unconnected_loopback, settle):
    zendesk, runtime = unconnected_loopback.zendesk, unconnected_loopback.runtime
    first = zendesk.customer_creates_ticket("Refund missing", "I was promised a refund", tags=["refund"])
    second = zendesk.customer_creates_ticket("Where is my parcel", "Order 123 never arrived")
    reconcile = jobs_of(runtime)["reconcile_zendesk"]

    reconcile.run()
    settle(unconnected_loopback)
    assert runtime.tickets.get(first["id"]).subject == "Refund missing"
    assert runtime.tickets.get(first["id"]).tags == ("refund",)
    assert runtime.tickets.get(second["id"]).status == "new"
    exported = exported_deliveries(runtime)
    assert len(exported) == 2 and {event.status for event in exported} == {DONE}
    assert {event.event_type for event in exported} == {"trigger"}
    assert all(json.loads(event.body)["bridge_export"] is True for event in exported)
    assert Cursors(runtime.engine).get(CURSOR)

    reconcile.run()  # nothing changed since: nothing stored
    assert len(exported_deliveries(runtime)) == 2

    zendesk.agent_updates_ticket(first["id"], status="pending")
    reconcile.run()
    settle(unconnected_loopback)
    assert len(exported_deliveries(runtime)) == 3
    assert runtime.tickets.get(first["id"]).status == "pending"


def test_tickets_the_webhooks_brought_are_not_fed_again(loopback, settle):
    ticket = loopback.zendesk.customer_creates_ticket("Charged twice", "My card was charged twice")
    loopback.zendesk.agent_updates_ticket(ticket["id"], status="open", additional_tags=["billing"])
    settle(loopback)

    jobs_of(loopback.runtime)["reconcile_zendesk"].run()
    assert exported_deliveries(loopback.runtime) == []
    assert Cursors(loopback.runtime.engine).get(CURSOR)


def test_zendesk_down_keeps_the_cursor_and_the_next_run_catches_up(unconnected_loopback, settle):
    zendesk, runtime = unconnected_loopback.zendesk, unconnected_loopback.runtime
    reconcile = jobs_of(runtime)["reconcile_zendesk"]
    reconcile.run()
    cursors = Cursors(runtime.engine)
    before = cursors.get(CURSOR)
    ticket = zendesk.customer_creates_ticket("App crashes", "The app crashes on start")

    zendesk.inject_faults(1, "500")
    assert reconcile.run().startswith("failed")
    assert cursors.get(CURSOR) == before and exported_deliveries(runtime) == []

    reconcile.run()
    settle(unconnected_loopback)
    assert runtime.tickets.get(ticket["id"]).subject == "App crashes"
    assert cursors.get(CURSOR) != before
