"""Periodic jobs on one leader process: poll Jira for missed changes, reconcile Zendesk through the
incremental export, prune old inbox rows."""

from bridge.scheduler.jobs import build_scheduler, scheduled_jobs, start_scheduler
from bridge.scheduler.leader import AlwaysLeader, LeaderLock, Leadership, leadership_for
from bridge.scheduler.scheduler import BridgeScheduler, JobSpec

__all__ = ["AlwaysLeader", "BridgeScheduler", "JobSpec", "LeaderLock", "Leadership", "build_scheduler",
           "leadership_for", "scheduled_jobs", "start_scheduler"]
