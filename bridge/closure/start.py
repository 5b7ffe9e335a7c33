"""Starting a closure: in the transaction that marks the problem fixed, so a fix is never
recorded without the notifications it owes, nor notifications queued for a fix that rolled back."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import Connection

from bridge.domain.lifecycle import Cause, transition
from bridge.domain.problems import CLOSED, DETECTING, FIXED, Problem
from bridge.logs import log_event
from bridge.storage.audit import AuditLog
from bridge.storage.closures import ClosureProgress, ClosureStore
from bridge.storage.outbox import Outbox
from bridge.storage.problems import ProblemStore

log = logging.getLogger("bridge.closure")

RUN_CLOSURE = "zendesk.close_tickets"


def run_dedupe_key(closure_id: int) -> str:
    return f"closure:{closure_id}"


class Closure:
    def __init__(self, closures: ClosureStore, outbox: Outbox, audit: AuditLog):
        self.closures, self.outbox, self.audit = closures, outbox, audit

    def start(self, connection: Connection, problem: Problem, now: datetime, fix_version: str | None) -> int:
        """Queue the notification of every ticket linked to the problem; the closure's id. A
        closure already running for the problem is returned as it is (it keeps its fix version)."""
        closure_id = self.closures.create(connection, problem.id, fix_version, now)
        if closure_id is None:
            running = self.closures.running_for(connection, problem.id)
            assert running is not None, "create() refused because one is running"
            return running
        self.outbox.enqueue(connection, RUN_CLOSURE, now, problem.id, {"closure_id": closure_id},
                            dedupe_key=run_dedupe_key(closure_id))
        self.audit.record(connection, now, "closure.started", f"problem:{problem.id}",
                          {"closure_id": closure_id, "fix_version": fix_version})
        log_event(log, logging.INFO, "closure.started", problem_id=problem.id, closure_id=closure_id,
                  fix_version=fix_version)
        return closure_id


class NotClosable(Exception):
    """The problem cannot be closed by hand (unknown, still detecting, or already closed)."""


def closable_state(state: str, running: int | None, latest: ClosureProgress | None) -> str:
    """What a manual close does: "attach" to the running closure, "start" one (marking the problem
    fixed first if it is not), or say why not. Pure."""
    if state == DETECTING:
        raise NotClosable("it is still detecting: no tickets are linked to it yet")
    if state == CLOSED:
        raise NotClosable("it is closed already")
    if running is not None:
        return "attach"
    if state == FIXED and latest is not None:
        raise NotClosable(f"its fix was announced already (closure {latest.closure_id}: {latest.state}, "
                          f"{latest.done} of {latest.total} notified)")
    return "start"


def start_by_hand(closure: Closure, problems: ProblemStore, connection: Connection, problem_id: int,
                  now: datetime, fix_version: str | None) -> int:
    """`bridge problems close`: the problem becomes fixed (if it is not) and its closure starts,
    or the running one is returned; raises NotClosable."""
    problem = problems.get(problem_id)
    if problem is None:
        raise NotClosable(f"there is no problem {problem_id}")
    running = closure.closures.running_for(connection, problem_id)
    if closable_state(problem.state, running, closure.closures.progress(problem_id)) == "attach" and running:
        return running
    version = fix_version or problem.fix_version
    if problem.state != FIXED:
        problem = problems.change_state(connection, problem_id, transition(
            problem.state, Cause.FIX_SHIPPED, now, fix_version=version,
            details={"jira_key": problem.jira_key, "fix_version": version, "reason": "closed by hand"}), now)
    return closure.start(connection, problem, now, version)
