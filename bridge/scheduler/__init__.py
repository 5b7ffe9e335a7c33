"""Periodic jobs on one leader process: the leader election, the scheduler and the job table
(jobs.py). Each job lives with its concern: intake/ (reconcile Zendesk, prune the inbox),
jira_progress/ (poll Jira), overdue/ (check due dates)."""

from bridge.scheduler.jobs import build_scheduler, scheduled_jobs, start_scheduler
from bridge.scheduler.leader import AlwaysLeader, LeaderLock, Leadership, leadership_for
from bridge.scheduler.scheduler import BridgeScheduler, JobSpec

__all__ = ["AlwaysLeader", "BridgeScheduler", "JobSpec", "LeaderLock", "Leadership", "build_scheduler",
           "leadership_for", "scheduled_jobs", "start_scheduler"]
