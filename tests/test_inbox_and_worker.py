"""Inbox storage and the worker, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from bridge.runtime import build_runtime
from bridge.storage.inbox import DONE, FAILED, IGNORED, PENDING, PROCESSING, LeaseLost
from tests.support.fixtures import load_fixture
from tests.support.settings import make_settings

LEASE = timedelta(seconds=60)


@pytest.fixture
def store(database_url, clock):
    runtime = build_runtime(make_settings(database_url), clock=clock)
    yield runtime
    runtime.engine.dispose()


def zendesk_event(ticket_id: int, event_id: str, updated: str = "2025-01-08T10:12:07Z", **detail) -> str:
    payload = load_fixture("zendesk", "ticket.created__docs_example")
    payload["id"] = event_id
    payload["detail"].update(id=str(ticket_id), updated_at=updated, **detail)
    return json.dumps(payload)


def put(store, body: str, key: str, source: str = "zendesk") -> bool:
    return store.inbox.store(source, key, "zen:event-type:ticket.created", body, store.clock())


def test_store_deduplicates_per_source(store):
    assert put(store, "{}", "k1") is True
    assert put(store, "{}", "k1") is False
    assert put(store, "{}", "k1", source="jira") is True
    assert store.inbox.counts()[PENDING] == 2


def test_a_batch_tells_each_delivery_stored_or_duplicate(store, clock):
    """Duplicates of stored rows and within the batch (the first of a key wins), on one commit."""
    from bridge.storage.inbox import Delivery

    put(store, "{}", "old")
    batch = [Delivery("zendesk", key, "zen:event-type:ticket.created", f'{{"n": {n}}}', clock())
             for n, key in enumerate(["a", "old", "b", "a", "c"])]
    assert store.inbox.store_many(batch) == [True, False, True, False, True]
    assert store.inbox.store_many(batch[:2]) == [False, False]
    stored = {e.delivery_key: e.body for e in store.inbox.list()}
    assert stored == {"old": "{}", "a": '{"n": 0}', "b": '{"n": 2}', "c": '{"n": 4}'}
    assert [e.received_at for e in store.inbox.list()] == [clock()] * 4


def test_a_signed_digest_already_stored_makes_a_duplicate_whatever_the_key(store, clock):
    """A replay under a fresh delivery id; deliveries without a digest (the bridge's own polls)
    never collide on it."""
    from bridge.storage.inbox import Delivery

    def delivery(key, digest):
        return Delivery("jira", key, "jira:issue_updated", "{}", clock(), digest)

    assert store.inbox.store_many([delivery("wh-1", "d1")]) == [True]
    batch = [delivery("wh-forged", "d1"), delivery("wh-2", "d2"), delivery("wh-3", "d2"),
             delivery("poll-1", None), delivery("poll-2", None), delivery("wh-forged", "d3")]
    assert store.inbox.store_many(batch) == [False, True, False, True, True, True]
    assert store.inbox.store_many([Delivery("zendesk", "wh-9", None, "{}", clock(), "d1")]) == [True]
    assert sorted(e.delivery_key for e in store.inbox.list()) == [
        "poll-1", "poll-2", "wh-1", "wh-2", "wh-9", "wh-forged"]


def test_a_batch_longer_than_one_statement_keeps_the_first_of_each_key(store, clock):
    from bridge.storage.inbox import ROWS_PER_STATEMENT, Delivery

    keys = [f"k{n}" for n in range(ROWS_PER_STATEMENT + 100)] + ["k0", f"k{ROWS_PER_STATEMENT + 1}"]
    batch = [Delivery("zendesk", key, None, "{}", clock()) for key in keys]
    assert store.inbox.store_many(batch) == [True] * (ROWS_PER_STATEMENT + 100) + [False, False]
    assert store.inbox.counts()[PENDING] == ROWS_PER_STATEMENT + 100


def test_claim_is_in_arrival_order_and_exclusive(store, clock):
    for i in range(5):
        put(store, "{}", f"k{i}")
    first = store.inbox.claim("a", 3, clock(), LEASE)
    second = store.inbox.claim("b", 3, clock(), LEASE)
    assert [e.delivery_key for e in first] == ["k0", "k1", "k2"]
    assert [e.delivery_key for e in second] == ["k3", "k4"]
    assert store.inbox.claim("c", 3, clock(), LEASE) == []
    assert store.inbox.counts()[PROCESSING] == 5


def test_expired_lease_is_claimed_again_and_the_old_owner_cannot_finish(store, clock):
    put(store, "{}", "k")
    [event] = store.inbox.claim("crashed", 1, clock(), LEASE)
    clock.advance(61)
    [again] = store.inbox.claim("rescuer", 1, clock(), LEASE)
    assert again.id == event.id and again.attempts == 2
    with pytest.raises(LeaseLost), store.engine.begin() as connection:
        store.inbox.finish(connection, event.id, "crashed", DONE, clock())
    with store.engine.begin() as connection:
        store.inbox.finish(connection, event.id, "rescuer", DONE, clock(), "ok")
    assert store.inbox.list()[0].status == DONE


def test_worker_keeps_the_latest_ticket_snapshot(store, clock):
    put(store, zendesk_event(1, "e1", "2025-01-08T10:00:00Z", subject="first", status="NEW"), "e1")
    put(store, zendesk_event(1, "e3", "2025-01-08T12:00:00Z", subject="third", status="SOLVED"), "e3")
    put(store, zendesk_event(1, "e2", "2025-01-08T11:00:00Z", subject="second", status="OPEN"), "e2")  # late
    put(store, zendesk_event(2, "e4"), "e4")
    assert store.new_worker().drain() == 4
    ticket = store.tickets.get(1)
    assert (ticket.subject, ticket.status) == ("third", "solved")
    assert store.tickets.event_counts() == {1: 3, 2: 1}
    assert store.inbox.counts()[DONE] == 4


def test_partial_events_merge_onto_the_snapshot(store):
    custom = load_fixture("zendesk", "ticket.custom_field_changed__tagger")
    custom["detail"]["id"] = "1"
    put(store, zendesk_event(1, "e1", "2025-01-08T10:00:00Z"), "e1")
    put(store, json.dumps(custom), "e2")
    store.new_worker().drain()
    ticket = store.tickets.get(1)
    assert ticket.custom_fields == {"360000000001": "widget_pro"}
    assert ticket.subject == "ticketinfo_2294a6e9ece2"


def test_jira_events_keep_the_issue_snapshot(store):
    put(store, json.dumps(load_fixture("jira", "issue_updated__resolved")), "j1", source="jira")
    put(store, json.dumps(load_fixture("jira", "issue_updated__started_working")), "j2", source="jira")
    store.new_worker().drain()
    issue = store.issue_snapshots.get_by_key("TES-41")
    assert (issue.status, issue.resolution) == ("Done", "Done")  # the older update did not win


def test_ignored_events_are_marked_with_the_reason(store):
    put(store, json.dumps(load_fixture("zendesk", "unsupported__user_event")), "u1")
    store.new_worker().drain()
    [event] = store.inbox.list()
    assert (event.status, event.outcome) == (IGNORED, "not a ticket event: zen:event-type:user.active_changed")


def test_failing_events_back_off_then_park_and_can_be_retried(store, clock, monkeypatch):
    put(store, zendesk_event(1, "e1"), "e1")
    worker = store.new_worker()
    original = store.processor.apply
    monkeypatch.setattr(store.processor, "apply", lambda *a: (_ for _ in ()).throw(RuntimeError("jira down")))
    for attempt in range(1, 4):
        assert worker.run_once() == 1
        event = store.inbox.list()[0]
        assert event.attempts == attempt and "jira down" in event.last_error
        assert event.status == (FAILED if attempt == 3 else PENDING)
        assert worker.run_once() == 0  # not due yet (or parked)
        clock.advance(3600)
    assert store.tickets.get(1) is None
    monkeypatch.setattr(store.processor, "apply", original)
    assert store.inbox.retry(clock()) == 1
    worker.drain()
    assert store.inbox.list()[0].status == DONE and store.tickets.get(1) is not None


def test_a_body_no_parser_understands_is_parked_at_once(store):
    put(store, json.dumps({"type": "zen:event-type:ticket.created", "id": "x"}), "bad")
    store.new_worker().drain()
    event = store.inbox.list()[0]
    assert (event.status, event.attempts) == (FAILED, 1)
    assert "PayloadError" in event.last_error


def test_an_exception_rolls_back_the_events_effects(store, monkeypatch):
    put(store, zendesk_event(1, "e1"), "e1")
    worker = store.new_worker()
    monkeypatch.setattr(store.inbox, "finish", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("crash")))
    worker.run_once()
    assert store.tickets.get(1) is None  # the snapshot write was rolled back with the failure


def test_a_batch_commits_together_and_a_failing_event_does_not_hold_back_the_others(store, monkeypatch):
    """A batch is one transaction; an event failing in it sends the batch one by one: the others
    are applied once, the failing one alone backs off."""
    for i in range(5):
        put(store, zendesk_event(i + 1, f"e{i}"), f"e{i}")
    put(store, json.dumps({"type": "zen:event-type:ticket.created", "id": "x"}), "bad")
    original, calls = store.processor.apply, []

    def fail_on_ticket_3(connection, event, *args):
        calls.append(event.ticket.id)
        if event.ticket.id == 3:
            raise RuntimeError("jira down")
        return original(connection, event, *args)

    monkeypatch.setattr(store.processor, "apply", fail_on_ticket_3)
    assert store.new_worker().run_once() == 6
    assert calls == [1, 2, 3, 1, 2, 3, 4, 5]  # together until 3 failed, then one by one
    events = {e.delivery_key: e for e in store.inbox.list()}
    assert {k for k, e in events.items() if e.status == DONE} == {"e0", "e1", "e3", "e4"}
    assert (events["e2"].status, events["bad"].status) == (PENDING, FAILED)
    assert store.tickets.event_counts() == {1: 1, 2: 1, 4: 1, 5: 1}


def test_events_of_one_ticket_in_one_batch_build_on_each_other(store):
    put(store, zendesk_event(1, "e1", "2025-01-08T10:12:07Z", subject="first"), "e1")
    put(store, zendesk_event(1, "e2", "2025-01-08T10:13:07Z", subject="second"), "e2")
    put(store, zendesk_event(1, "e3", "2025-01-08T10:12:30Z", subject="late"), "e3")
    assert store.new_worker().run_once() == 3
    assert store.tickets.get(1).subject == "second"
    assert store.tickets.event_counts() == {1: 3}


def test_a_batch_writes_each_ticket_once_with_all_its_events(store):
    """The batch's snapshots are merged in memory and written together: one row write per
    ticket, not one per event, and the rows say what all the events said."""
    from sqlalchemy import event

    put(store, zendesk_event(1, "e0", "2025-01-08T09:00:00Z", subject="known"), "e0")
    assert store.new_worker().run_once() == 1
    for n, (ticket, minute) in enumerate([(1, 10), (2, 11), (1, 12), (3, 13), (2, 14), (1, 15)]):
        put(store, zendesk_event(ticket, f"e{n + 1}", f"2025-01-08T10:{minute}:00Z", subject=f"at {minute}"),
            f"e{n + 1}")
    ticket_writes = []

    def count(connection, cursor, statement, parameters, context, executemany):
        if statement.startswith(("INSERT INTO tickets", "UPDATE tickets")):
            ticket_writes.append(len(parameters) if executemany else 1)

    event.listen(store.engine, "before_cursor_execute", count)
    assert store.new_worker().run_once() == 6
    event.remove(store.engine, "before_cursor_execute", count)
    assert sorted(ticket_writes) == [1, 2]  # ticket 1 updated; 2 and 3 inserted, in one statement
    assert store.tickets.event_counts() == {1: 4, 2: 2, 3: 1}
    assert [t.subject for t in store.tickets.get_many([1, 2, 3])] == ["at 15", "at 14", "at 13"]


def test_two_workers_never_process_the_same_event(store):
    for i in range(40):
        put(store, zendesk_event(i + 1, f"e{i}"), f"e{i}")
    first, second = store.new_worker("w1"), store.new_worker("w2")
    while first.run_once() + second.run_once():
        pass
    assert sum(store.tickets.event_counts().values()) == 40


def test_migrations_match_the_table_definitions(store):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from bridge.storage.schema import metadata

    with store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []


def test_changes_within_one_second_are_ordered_by_the_event_time(store):
    # Same updated_at (whole seconds); the envelope times differ by 300 ms; arrival is reversed.
    for event_id, status, time in (("late", "PENDING", "2025-01-08T10:00:00.900Z"),
                                   ("early", "OPEN", "2025-01-08T10:00:00.600Z")):
        payload = json.loads(zendesk_event(1, event_id, "2025-01-08T10:00:00Z", status=status))
        payload["time"] = time
        put(store, json.dumps(payload), event_id)
    store.new_worker().drain()
    assert store.tickets.get(1).status == "pending"


def test_a_stored_body_nested_too_deep_is_parked_at_once_with_the_reason(store):
    """Stored before intake refused such bodies: the worker reads with the same reader and limit,
    so it parks the event on the first attempt instead of retrying a crash."""
    body = zendesk_event(1, "deep", custom="PLACEHOLDER").replace('"PLACEHOLDER"', "[" * 1018 + "]" * 1018)
    put(store, body, "deep")
    store.new_worker().drain()
    [event] = store.inbox.list()
    assert (event.status, event.attempts) == (FAILED, 1)
    assert "nests deeper than 100 levels" in event.last_error


def test_two_workers_on_postgresql_take_turns_on_a_ticket_and_apply_each_event_once(clock):
    """Two worker threads (separate owners) drain interleaved events of the same tickets: each
    event of a ticket is applied after all its earlier ones, and every event exactly once."""
    import threading

    from sqlalchemy import select

    from bridge.storage.inbox import Delivery, ticket_subject
    from bridge.storage.schema import tickets
    from tests.support.database import postgres_schema_url

    with postgres_schema_url() as url:
        runtime = build_runtime(make_settings(url, worker={"batch_size": 7}), clock=clock)
        tickets_count, events = 9, 180
        runtime.inbox.store_many([
            Delivery("zendesk", f"e{n}", "zen:event-type:ticket.created",
                     zendesk_event(n % tickets_count + 1, f"e{n}", updated=f"2025-01-08T10:{n // 60:02}:{n % 60:02}Z",
                                   subject=f"number {n // tickets_count + 1}"), clock(),
                     subject_key=ticket_subject(n % tickets_count + 1))
            for n in range(events)])
        original, out_of_turn, lock = runtime.tickets.record, [], threading.Lock()

        def record_checking_turn(connection, incoming, now, event_time=None, held=None):
            # The batch's rows, read under lock, hold what this transaction has applied so far.
            if held is not None and incoming.id in held.rows:
                applied = held.rows[incoming.id].event_count if held.rows[incoming.id] else 0
            else:
                applied = connection.execute(select(tickets.c.event_count).where(
                    tickets.c.id == incoming.id)).scalar() or 0
            if incoming.subject != f"number {applied + 1}":
                with lock:
                    out_of_turn.append((incoming.id, incoming.subject, applied))
            return original(connection, incoming, now, event_time, held)

        runtime.tickets.record = record_checking_turn
        claimed = {"w1": 0, "w2": 0}

        def work(owner):
            worker = runtime.new_worker(owner)
            idle = 0
            while idle < 5:
                got = worker.run_once()
                claimed[owner] += got
                idle = 0 if got else idle + 1

        threads = [threading.Thread(target=work, args=(owner,)) for owner in claimed]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        try:
            assert out_of_turn == []
            assert runtime.inbox.counts()[DONE] == events
            assert runtime.tickets.event_counts() == {t: events // tickets_count for t in range(1, tickets_count + 1)}
            assert claimed["w1"] > 0 and claimed["w2"] > 0
        finally:
            runtime.engine.dispose()


def test_a_claim_on_sqlite_reads_only_the_claimed_tickets_earlier_events(tmp_path, clock):
    """The in-turn check looks each claimed ticket up in the partial index over unfinished rows;
    SQLite's planner, left alone, scanned every waiting row for each claim (a claim then cost in
    proportion to the backlog)."""
    from sqlalchemy import event

    from bridge.storage.inbox import Delivery, ticket_subject

    runtime = build_runtime(make_settings(f"sqlite:///{tmp_path / 'bridge.db'}"), clock=clock)
    runtime.inbox.store_many([Delivery("zendesk", f"e{n}", None, "{}", clock(), subject_key=ticket_subject(n % 90))
                              for n in range(300)])
    statements = []

    def keep(connection, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(runtime.engine, "before_cursor_execute", keep)
    claimed = runtime.inbox.claim("w", 50, clock(), LEASE)
    event.remove(runtime.engine, "before_cursor_execute", keep)
    assert len(claimed) == 50
    [(in_turn, parameters)] = [(s, p) for s, p in statements if "min(" in s]
    with runtime.engine.connect() as connection:
        plan = " ".join(row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {in_turn}", parameters))
    runtime.engine.dispose()
    assert "USING INDEX ix_inbox_subject_unfinished (subject_key=?)" in plan, plan
