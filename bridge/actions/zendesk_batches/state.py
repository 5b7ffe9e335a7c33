"""A bulk send's state, kept in its action's payload under `KEY`, and the one place that reads
payloads written by earlier versions (an action queued before an upgrade resumes where it was)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bridge.actions.zendesk_batches.jobs import TicketResult

KEY = "batches"


@dataclass(frozen=True)
class Job:
    """A job Zendesk accepted, and the tickets it updates."""

    id: str
    tickets: tuple[int, ...]


@dataclass(frozen=True)
class Sending:
    """A batch recorded before it is sent, by attempt `attempt`; `read_back`: the attempt that
    waited for it to have surely run (and reads it back on its next run)."""

    tickets: tuple[int, ...]
    attempt: int
    read_back: int | None = None


@dataclass(frozen=True)
class BatchState:
    done: tuple[int, ...] = ()  # told: their update landed
    given_up: tuple[int, ...] = ()  # failed `closure.ticket_attempts` times
    failures: Mapping[int, int] = field(default_factory=dict)  # failed sends so far, of tickets not done
    retry_at: datetime | None = None  # when the failed tickets may be sent again
    job: Job | None = None
    sending: Sending | None = None

    def excluded(self, now: datetime) -> set[int]:
        """Tickets the next batch leaves out: told, given up, or failed and not yet due again."""
        waiting = set(self.failures) if self.retry_at and self.retry_at > now else set()
        return {*self.done, *self.given_up} | waiting

    def waiting_since(self, now: datetime) -> datetime | None:
        """When failed tickets may go again, if some wait for that."""
        return self.retry_at if self.failures and self.retry_at and self.retry_at > now else None

    def recorded(self, tickets: list[int], attempt: int) -> BatchState:
        return replace(self, sending=Sending(tuple(tickets), attempt))

    def sent(self, job_id: str) -> BatchState:
        assert self.sending is not None
        return replace(self, job=Job(job_id, self.sending.tickets), sending=None)

    def told(self, tickets) -> BatchState:
        return replace(self, done=(*self.done, *(t for t in tickets if t not in self.done)))

    def after_job(self, results: Mapping[int, TicketResult], now: datetime, max_attempts: int,
                  retry_delay: timedelta) -> tuple[BatchState, list[int]]:
        """The job's tickets told, or counted as failed once more; those that failed `max_attempts`
        times are given up on (returned too). The job is forgotten."""
        failures = dict(self.failures)
        done, given_up, new_give_ups = list(self.done), list(self.given_up), []
        for ticket_id, result in results.items():
            if result.succeeded:
                done.append(ticket_id)
                failures.pop(ticket_id, None)
                continue
            failures[ticket_id] = failures.get(ticket_id, 0) + 1
            if failures[ticket_id] >= max_attempts:
                del failures[ticket_id]
                given_up.append(ticket_id)
                new_give_ups.append(ticket_id)
        retrying = any(ticket_id in failures for ticket_id in results)
        retry_at = now + retry_delay if retrying else self.retry_at if failures else None
        return BatchState(tuple(done), tuple(given_up), failures, retry_at, None, self.sending), new_give_ups

    def carried(self) -> BatchState:
        """What the next action of the same kind keeps: the failures, not the tickets told (they
        are recorded elsewhere by then)."""
        return BatchState(given_up=self.given_up, failures=self.failures, retry_at=self.retry_at)

    def to_json(self) -> dict:
        return {
            "done": list(self.done), "given_up": list(self.given_up),
            "failures": {str(ticket): count for ticket, count in self.failures.items()},
            "retry_at": self.retry_at.isoformat() if self.retry_at else None,
            "job": {"id": self.job.id, "tickets": list(self.job.tickets)} if self.job else None,
            "sending": ({"tickets": list(self.sending.tickets), "attempt": self.sending.attempt,
                         "read_back": self.sending.read_back} if self.sending else None),
        }

    @classmethod
    def from_json(cls, data: Mapping) -> BatchState:
        job, sending, retry_at = data.get("job"), data.get("sending"), data.get("retry_at")
        return cls(
            done=tuple(data.get("done") or ()), given_up=tuple(data.get("given_up") or ()),
            failures={int(ticket): count for ticket, count in (data.get("failures") or {}).items()},
            retry_at=datetime.fromisoformat(retry_at) if retry_at else None,
            job=Job(str(job["id"]), tuple(job["tickets"])) if job else None,
            sending=(Sending(tuple(sending["tickets"]), sending["attempt"], sending.get("read_back"))
                     if sending else None))


def state_of(payload: Mapping) -> BatchState:
    state = upgraded(payload).get(KEY)
    return BatchState.from_json(state) if state else BatchState()


def with_state(payload: Mapping, state: BatchState) -> dict:
    """`payload` (the action's own keys) with `state` as its send's state."""
    return {**upgraded(payload), KEY: state.to_json()}


# Before this module, each action kept its send in its own keys: the tickets told as `already`
# (links, also inside its job), `done` (status notes) or `noted` (overdue notes); `failed`
# (overdue notes: never retried) and `failures` (status notes: {"<ticket>": count}); `job`
# ({"id", "tickets"}, and for links "kind": "link" or "unlink"); `sending` ({"tickets",
# "attempt", "read_back"}). An action queued then and still running after the upgrade goes on.
LEGACY_KEYS = ("already", "done", "noted", "failed", "failures", "job", "sending")


def upgraded(payload: Mapping) -> dict:
    """The payload in this version's shape (unchanged when it is in it already)."""
    if not any(key in payload for key in LEGACY_KEYS):
        return dict(payload)
    own = {key: value for key, value in payload.items() if key not in LEGACY_KEYS}
    job, sending = payload.get("job") or {}, payload.get("sending")
    if job.get("kind") == "unlink":
        own["unlinking"] = True
    told = [*payload.get("already", []), *payload.get("done", []), *payload.get("noted", []),
            *job.get("already", [])]
    state = BatchState(
        done=tuple(dict.fromkeys(told)), given_up=tuple(payload.get("failed", [])),
        failures={int(ticket): count for ticket, count in payload.get("failures", {}).items()},
        job=Job(str(job["id"]), tuple(job["tickets"])) if job else None,
        sending=Sending(tuple(sending["tickets"]), sending["attempt"], sending.get("read_back")) if sending else None)
    return {**own, KEY: state.to_json()}
