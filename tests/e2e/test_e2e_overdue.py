"""An overdue problem's configured actions reach the Jira and Zendesk simulators and a chat
webhook receiver, once; a due date moved in Jira starts the clock over."""

from __future__ import annotations

import json
import threading
from datetime import date, timedelta

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from bridge.overdue.check_due import DueCheck
from tests.e2e.problems_support import (
    assert_nothing_parked,
    die_once_zendesk_accepted_the_next_job,
    jira_comments,
    open_crash_problem,
    problem_environment,
    settle_all,
    wait_for,
)


@pytest.fixture
def chat_receiver():
    posts: list[dict] = []

    @Request.application
    def receive(request: Request) -> Response:
        posts.append(json.loads(request.get_data()))
        return Response("ok")

    server = make_server("127.0.0.1", 0, receive)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hooks/bridge", posts
    server.shutdown()


def due_check(runtime) -> DueCheck:
    return DueCheck(runtime.engine, runtime.accountability, runtime.audit, runtime.outbox, runtime.settings,
                    runtime.clock)


def move_due_date_into_the_past(environment, problem, days: int) -> None:
    """An engineer moves the due date into the past in Jira; the webhook brings it to the bridge."""
    past = (date.today() - timedelta(days=days)).isoformat()
    environment.jira.user_edits(problem.jira_key, {"duedate": past})
    wait_for(lambda: environment.runtime.problems.get(problem.id).due_date.isoformat() == past,
             what="due date synced")


def test_overdue_actions_reach_jira_zendesk_and_chat_once(tmp_path, chat_receiver):
    url, posts = chat_receiver
    environment = problem_environment(tmp_path / "rules",
                                      accountability={"overdue": {"chat_webhook_url": url}})
    try:
        runtime = environment.runtime
        problem, ids = open_crash_problem(environment)
        key = problem.jira_key
        check = due_check(runtime)
        move_due_date_into_the_past(environment, problem, days=3)
        assert "1 overdue" in check.run()
        settle_all(environment)

        [comment] = [c for c in jira_comments(environment, key) if "overdue" in c.lower()]
        assert "3 days" in comment and "3 tickets" in comment and "rate of" in comment
        assert environment.jira.issue(key)["fields"]["priority"]["name"] == "Highest"  # High, bumped once
        for ticket_id in ids:
            notes = [c for c in environment.zendesk.comments(ticket_id) if "overdue" in c["body"].lower()]
            assert len(notes) == 1 and notes[0]["public"] is False
        assert len(posts) == 1 and key in posts[0]["text"] and "Overdue" in posts[0]["text"]

        assert "0 overdue" in check.run()  # once per due date
        settle_all(environment)
        assert len(posts) == 1

        # A new due date in Jira starts over: on time again, overdue again only when it passes.
        future = (date.today() + timedelta(days=10)).isoformat()
        environment.jira.user_edits(key, {"duedate": future})
        wait_for(lambda: runtime.problems.get(problem.id).due_date.isoformat() == future, what="due date synced")
        assert "1 due dates moved" in check.run()
        assert runtime.problems.get(problem.id).accountability == "on_time"
        assert_nothing_parked(runtime)
    finally:
        environment.stop()


def test_an_overdue_comment_whose_recording_fails_is_not_posted_again(tmp_path, monkeypatch):
    environment = problem_environment(tmp_path / "rules")
    try:
        runtime = environment.runtime
        problem, _ = open_crash_problem(environment)
        record = runtime.audit.record
        failed = threading.Event()

        def fail_once_after_the_comment(connection, at, action, subject, details):
            if action == "jira.overdue_commented" and not failed.is_set():
                failed.set()
                raise RuntimeError("the database went away after the overdue comment")
            return record(connection, at, action, subject, details)

        monkeypatch.setattr(runtime.audit, "record", fail_once_after_the_comment)
        move_due_date_into_the_past(environment, problem, days=2)
        assert "1 overdue" in due_check(runtime).run()
        settle_all(environment)

        assert failed.is_set()
        [comment] = [c for c in jira_comments(environment, problem.jira_key) if "overdue" in c.lower()]
        assert "overdue by 2 days" in comment
        assert_nothing_parked(runtime)
    finally:
        environment.stop()


def test_overdue_notes_whose_job_was_accepted_before_a_crash_reach_each_ticket_once(tmp_path, monkeypatch):
    environment = problem_environment(tmp_path / "rules", closure={"unknown_outcome_seconds": 3})
    try:
        runtime = environment.runtime
        problem, ids = open_crash_problem(environment)
        environment.zendesk.set_job_limits(delay_seconds=1.5)  # later than the bridge's retry (0.2 s)
        die_once_zendesk_accepted_the_next_job(environment, monkeypatch)
        move_due_date_into_the_past(environment, problem, days=1)
        assert "1 overdue" in due_check(runtime).run()
        settle_all(environment)

        for ticket_id in ids:
            notes = [c for c in environment.zendesk.comments(ticket_id) if "overdue" in c["body"].lower()]
            assert len(notes) == 1, notes
        assert_nothing_parked(runtime)
    finally:
        environment.stop()
