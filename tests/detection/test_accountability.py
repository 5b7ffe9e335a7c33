"""Open problems against their due dates, on a controllable clock: at-risk and overdue are each
entered once, overdue reaches Jira, Zendesk and a local chat-webhook receiver, a due date moved
in Jira starts over. SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from bridge.actions.worker import ActionWorker
from bridge.actions.zendesk_batches import BatchSender
from bridge.config.settings import AccountabilitySettings
from bridge.domain.ports import BulkJob, RemoteError
from bridge.domain.problems import OPEN, Problem
from bridge.overdue.accountability import (
    AT_RISK,
    ON_TIME,
    OVERDUE,
    accountability_state,
    bumped_priority,
    compute_trend,
    next_step,
)
from bridge.overdue.actions import (
    OVERDUE_CHAT,
    OVERDUE_COMMENT,
    OVERDUE_NOTE,
    OVERDUE_PRIORITY,
    OverdueActions,
    post_chat_message,
)
from bridge.scheduler import scheduled_jobs
from tests.detection.test_detection import DOUBLE_CHARGE
from tests.detection.test_status_sync import ISSUE_KEY, jira_event, open_problem_with_issue


class FakeJira:
    def __init__(self):
        self.comments: list[tuple[str, str]] = []
        self.updates: list[tuple[str, dict]] = []

    def comment_once(self, key, body, marker=None):
        if any(k == key and (marker or body) in said for k, said in self.comments):
            return False
        self.comments.append((key, body))
        return True

    def update_fields(self, key, fields):
        self.updates.append((key, fields))

    def url(self, key):
        return f"https://acme.atlassian.net/browse/{key}"


class FakeZendeskJobs:
    def __init__(self):
        self.jobs: dict[str, tuple[list[int], dict]] = {}

    def start_bulk_update(self, ticket_ids, changes):
        assert len(ticket_ids) <= 100
        job_id = f"job-{len(self.jobs) + 1}"
        self.jobs[job_id] = (list(ticket_ids), changes)
        return job_id

    def bulk_update_status(self, job_id):
        return BulkJob(finished=True, succeeded=frozenset(self.jobs[job_id][0]))


class ChatReceiver:
    """A local Slack-compatible incoming webhook: remembers the JSON bodies it was sent."""

    def __init__(self, status: int = 200):
        self.bodies: list[dict] = []
        self.status = status

        @Request.application
        def app(request):
            self.bodies.append(json.loads(request.get_data()))
            return Response("ok", status=self.status)

        self.server = make_server("127.0.0.1", 0, app)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/overdue"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()


@pytest.fixture
def chat():
    with ChatReceiver() as receiver:
        yield receiver


def run_check(scenario) -> str:
    [job] = [job for job in scheduled_jobs(scenario.runtime) if job.id == "check_due"]
    return job.run()


def entries(scenario, action: str) -> list:
    return [e for e in scenario.runtime.audit.entries(limit=1000) if e.action == action]


def drain_overdue_actions(scenario, jira, zendesk) -> None:
    runtime = scenario.runtime
    assert set(runtime.overdue_actions.handlers()) <= set(runtime.new_action_worker("check").handlers)
    closure = runtime.settings.closure
    overdue = OverdueActions(runtime.settings, runtime.problems, runtime.accountability, runtime.issue_snapshots,
                             runtime.audit, jira, zendesk,
                             BatchSender(zendesk, closure.unknown_outcome, closure.ticket_attempts))
    # Only the overdue handlers: the scenario's other actions (issue creation...) would call the
    # real Jira; they are parked as unknown here.
    worker = ActionWorker(runtime.engine, runtime.outbox, overdue.handlers(), runtime.settings.worker,
                          runtime.metrics, runtime.clock, "test-actions")
    for _ in range(20):  # Later (Zendesk jobs) comes back one JOB_POLL on
        worker.drain()
        scenario.clock.advance(2)
    worker.drain()


def test_a_problem_crosses_at_risk_and_overdue_once_each_and_the_actions_reach_everyone(make_scenario, chat):
    scenario = make_scenario(DOUBLE_CHARGE, accountability={"overdue": {"chat_webhook_url": chat.url}})
    problem = open_problem_with_issue(scenario)  # opened Monday 2026-11-23 12:00 UTC, priority High
    jira_event(scenario, "issue_updated__started_working", status="To Do", category="new", due="2026-11-27")
    scenario.process()
    assert scenario.runtime.problems.get(problem.id).due_date == date(2026, 11, 27)

    # Due at the end of Friday: 4.5 days after opening, half of it gone on Wednesday 18:00.
    assert run_check(scenario).startswith("0 at risk, 0 overdue")
    scenario.clock.now = datetime(2026, 11, 25, 17, 59, tzinfo=UTC)
    run_check(scenario)
    assert scenario.runtime.problems.get(problem.id).accountability == ON_TIME
    scenario.clock.now = datetime(2026, 11, 25, 18, 1, tzinfo=UTC)
    assert run_check(scenario).startswith("1 at risk, 0 overdue")
    assert run_check(scenario).startswith("0 at risk, 0 overdue")
    stored = scenario.runtime.problems.get(problem.id)
    assert (stored.accountability, stored.at_risk_at) == (AT_RISK, scenario.clock())
    assert len(entries(scenario, "problem.at_risk")) == 1

    scenario.clock.now = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)  # Sunday: 2 days overdue
    assert run_check(scenario).startswith("0 at risk, 1 overdue")
    run_check(scenario)
    stored = scenario.runtime.problems.get(problem.id)
    assert (stored.accountability, stored.overdue_at) == (OVERDUE, scenario.clock())
    [overdue] = entries(scenario, "problem.overdue")
    assert overdue.details["days_overdue"] == 2
    kinds = [a.kind for a in scenario.runtime.outbox.for_problem(problem.id)]
    assert [k for k in kinds if k in (OVERDUE_COMMENT, OVERDUE_PRIORITY, OVERDUE_NOTE, OVERDUE_CHAT)] == [
        OVERDUE_COMMENT, OVERDUE_PRIORITY, OVERDUE_NOTE, OVERDUE_CHAT]

    jira, zendesk = FakeJira(), FakeZendeskJobs()
    drain_overdue_actions(scenario, jira, zendesk)
    [(key, comment)] = jira.comments
    assert key == ISSUE_KEY
    assert "overdue by 2 days (due 2026-11-27)" in comment and "3 tickets, 3 requesters" in comment
    assert "at the last 7 days' rate of" in comment
    assert jira.updates == [(ISSUE_KEY, {"priority": {"name": "Highest"}})]
    assert scenario.runtime.problems.get(problem.id).priority == "Highest"
    [(tickets, changes)] = zendesk.jobs.values()
    assert sorted(tickets) == [1, 2, 3] and changes["comment"]["public"] is False
    assert "overdue by" in changes["comment"]["body"]
    [message] = chat.bodies
    assert set(message) == {"text"} and "Overdue by" in message["text"] and ISSUE_KEY in message["text"]
    for action in ("jira.overdue_commented", "jira.overdue_priority_bumped", "zendesk.overdue_noted",
                   "chat.overdue_posted"):
        assert len(entries(scenario, action)) == 1, action


def test_a_due_date_moved_in_jira_starts_over(make_scenario):
    scenario = make_scenario(DOUBLE_CHARGE, accountability={"overdue": {"priority_bump": False}})
    problem = open_problem_with_issue(scenario)
    jira_event(scenario, "issue_updated__started_working", status="To Do", category="new", due="2026-11-24")
    scenario.process()
    scenario.clock.now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    run_check(scenario)
    assert scenario.runtime.problems.get(problem.id).accountability == OVERDUE

    jira_event(scenario, "issue_updated__started_working", status="To Do", category="new", due="2026-12-04")
    scenario.process()
    assert run_check(scenario).endswith("1 due dates moved")
    stored = scenario.runtime.problems.get(problem.id)
    assert (stored.accountability, stored.accountability_due, stored.overdue_at) == (
        ON_TIME, date(2026, 12, 4), None)
    assert len(entries(scenario, "problem.due_date_moved")) == 1
    # The overdue actions queued for the old due date do nothing now.
    jira = FakeJira()
    drain_overdue_actions(scenario, jira, FakeZendeskJobs())
    assert jira.comments == [] and jira.updates == []

    scenario.clock.now = datetime(2026, 12, 5, 0, 1, tzinfo=UTC)
    run_check(scenario)
    run_check(scenario)
    assert scenario.runtime.problems.get(problem.id).accountability == OVERDUE
    assert [e.details["due_date"] for e in entries(scenario, "problem.overdue")] == ["2026-11-24", "2026-12-04"]
    assert not entries(scenario, "problem.at_risk")  # it went straight from on time to overdue


def test_work_started_is_not_at_risk_and_a_fix_is_never_overdue(make_scenario):
    scenario = make_scenario(DOUBLE_CHARGE)
    problem = open_problem_with_issue(scenario)
    jira_event(scenario, "issue_updated__started_working", status="In Progress", category="indeterminate",
               due="2026-11-27")
    scenario.process()
    scenario.clock.now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    run_check(scenario)
    assert scenario.runtime.problems.get(problem.id).accountability == ON_TIME
    jira_event(scenario, "issue_updated__resolved", status="Done", category="done", resolution="Fixed")
    scenario.runtime.actions.on_fix = lambda connection, p, now: None
    scenario.process()
    scenario.clock.now = datetime(2026, 12, 10, tzinfo=UTC)
    assert run_check(scenario).startswith("0 at risk, 0 overdue")
    assert scenario.runtime.problems.get(problem.id).accountability == ON_TIME


# --- pure decisions --------------------------------------------------------------------------------

def _problem(**values) -> Problem:
    opened = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    defaults = dict(id=1, rule="r", group_key="", team="t", state=OPEN, detected_at=opened, opened_at=opened,
                    updated_at=opened, ticket_count=3, requester_count=3, organization_count=1,
                    due_date=date(2026, 11, 27), accountability_due=date(2026, 11, 27))
    return Problem(**(defaults | values))


def test_the_at_risk_share_is_configurable_and_needs_the_issue_in_to_do():
    zone = UTC
    wednesday = datetime(2026, 11, 24, 23, 0, tzinfo=UTC)  # 35 of 108 hours gone: 32%
    assert accountability_state(_problem(), "new", wednesday, AccountabilitySettings(), zone) == ON_TIME
    early_warning = AccountabilitySettings(at_risk_share=0.3)
    assert accountability_state(_problem(), "new", wednesday, early_warning, zone) == AT_RISK
    assert accountability_state(_problem(), None, wednesday, early_warning, zone) == AT_RISK
    assert accountability_state(_problem(), "indeterminate", wednesday,
                                AccountabilitySettings(at_risk_share=0.3), zone) == ON_TIME
    assert accountability_state(_problem(due_date=None), "new", wednesday, AccountabilitySettings(), zone) == ON_TIME


def test_states_only_move_forward_until_the_due_date_moves():
    step = next_step(_problem(accountability=OVERDUE), AT_RISK)
    assert (step.state, step.entered, step.reset) == (OVERDUE, None, False)
    step = next_step(_problem(accountability=OVERDUE, due_date=date(2026, 12, 4)), AT_RISK)
    assert (step.state, step.entered, step.reset) == (AT_RISK, AT_RISK, True)
    assert bumped_priority("high") == "Highest" and bumped_priority("Highest") is None
    assert bumped_priority("P1") is None


def test_the_trend_counts_new_tickets_per_day_and_projects_at_the_last_weeks_rate():
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    joined = [now - timedelta(days=d, hours=1) for d in (0, 0, 1, 3, 6, 9)]  # 5 in the last 7 days
    trend = compute_trend(joined, now, 10, date(2026, 11, 30), UTC)
    assert [count for _, count in trend.per_day] == [1, 0, 0, 1, 0, 0, 1, 0, 1, 2]
    assert trend.per_day[-1][0] == date(2026, 11, 23)
    assert (trend.days_until_due, trend.projection) == (7, 5)  # 5/7 a day × 7 days
    assert "at the last 7 days' rate of 0.7/day" in trend.text()
    assert compute_trend(joined, now, 10, date(2026, 11, 20), UTC).projection == 0


@pytest.mark.parametrize("status, temporary", [(500, True), (429, True), (404, False), (400, False)])
def test_a_chat_webhook_refusal_is_a_remote_error(status, temporary):
    with ChatReceiver(status=status) as receiver, pytest.raises(RemoteError) as raised:
        post_chat_message(receiver.url, "hello")
    assert raised.value.temporary is temporary and raised.value.status == status
    assert receiver.bodies == [{"text": "hello"}]
