"""When a closure runs next: soon enough to keep Zendesk's jobs flowing, never faster than the
configured requests per minute. Pure."""

from __future__ import annotations

from datetime import datetime, timedelta


def pause_after(calls: int, requests_per_minute: int) -> timedelta:
    """How long `calls` requests occupy of the per-minute budget."""
    return timedelta(seconds=calls * 60.0 / requests_per_minute)


def next_run(now: datetime, calls: int, requests_per_minute: int, *, can_send: bool, waiting_for_jobs: bool,
             oldest_unknown: datetime | None, poll: timedelta, grace: timedelta) -> datetime:
    """`can_send`: tickets wait and a job slot is free; `waiting_for_jobs`: the closure's jobs are
    running (or Zendesk has no room for another); `oldest_unknown`: the earliest send whose answer
    was lost (it is read `grace` after)."""
    if can_send:
        wake = now
    elif waiting_for_jobs:
        wake = now + poll
    elif oldest_unknown is not None:
        wake = max(now, oldest_unknown + grace)
    else:
        wake = now
    return max(wake, now + pause_after(calls, requests_per_minute))
