"""The bridge's periodic jobs, and starting them beside the worker (`bridge serve`, `bridge worker`)."""

from __future__ import annotations

import threading
from datetime import timedelta

from bridge.discovery.feed import DiscoveryFeed
from bridge.discovery.opening import EmergingProblems
from bridge.intake.prune_inbox import prune_inbox
from bridge.intake.reconcile_zendesk import ZendeskReconciler
from bridge.jira_progress.poll_jira import JiraPoller
from bridge.overdue.check_due import DueCheck
from bridge.runtime import Runtime
from bridge.scheduler.leader import leadership_for
from bridge.scheduler.scheduler import BridgeScheduler, JobSpec
from bridge.storage.cursors import Cursors


def scheduled_jobs(runtime: Runtime) -> list[JobSpec]:
    """Every periodic job, by stable id. A new periodic job (e.g. the overdue check) is one more
    JobSpec in this list; its interval belongs in the config's `scheduler` section."""
    settings = runtime.settings.scheduler
    cursors = Cursors(runtime.engine)
    jobs = [JobSpec("prune_inbox", settings.prune_inbox_seconds,
                    lambda: prune_inbox(runtime.engine, runtime.clock() - timedelta(days=settings.prune_inbox_days)))]
    due_check = DueCheck(runtime.engine, runtime.accountability, runtime.audit, runtime.outbox, runtime.settings,
                         runtime.clock)
    jobs.append(JobSpec("check_due", settings.accountability_seconds, due_check.run))
    discovery = runtime.settings.discovery
    if discovery.enabled:
        feed = DiscoveryFeed(runtime.engine, discovery, runtime.rules.current, runtime.clock, runtime.processor)
        opening = EmergingProblems(runtime.engine, runtime.settings, runtime.rules.current, runtime.clock)
        jobs.append(JobSpec("discover", discovery.run_seconds,
                            lambda: "; ".join([feed.run(), opening.run()]) if discovery.open_problems else feed.run()))
    if runtime.issue_tracker is not None:
        poller = JiraPoller(runtime.engine, runtime.inbox, cursors, runtime.issue_tracker,
                            timedelta(seconds=settings.poll_jira_overlap_seconds), runtime.clock,
                            comment_marker=runtime.settings.jira.workaround_marker)
        jobs.append(JobSpec("poll_jira", settings.poll_jira_seconds, poller.run))
    if runtime.ticket_system is not None:
        reconciler = ZendeskReconciler(runtime.tickets, runtime.inbox, cursors, runtime.ticket_system,
                                       timedelta(hours=settings.reconcile_zendesk_first_lookback_hours),
                                       runtime.clock)
        jobs.append(JobSpec("reconcile_zendesk", settings.reconcile_zendesk_seconds, reconciler.run))
    return jobs


def build_scheduler(runtime: Runtime) -> BridgeScheduler:
    return BridgeScheduler(scheduled_jobs(runtime), leadership_for(runtime.engine),
                           runtime.settings.scheduler.leader_check_seconds, observer=runtime.metrics)


def start_scheduler(runtime: Runtime, stop: threading.Event) -> threading.Thread:
    """Run the periodic jobs (while this process leads) until `stop` is set; the returned thread
    ends once running jobs have finished and leadership is given up."""
    scheduler = build_scheduler(runtime)
    scheduler.start()

    def run_until_stopped() -> None:
        stop.wait()
        scheduler.shutdown()

    thread = threading.Thread(target=run_until_stopped, name="bridge-scheduler", daemon=True)
    thread.start()
    return thread
