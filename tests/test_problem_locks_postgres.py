"""Two PostgreSQL workers, each holding one problem, may queue an action for the other's (issue 15:
two workers used to deadlock there, lose a second to deadlock_timeout and retry the batch)."""

from __future__ import annotations

import threading

from bridge.runtime import build_runtime
from tests.support.database import postgres_schema_url
from tests.support.settings import make_settings


def test_workers_holding_each_others_problems_queue_actions_for_them_without_deadlock(clock):
    with postgres_schema_url() as url:
        runtime = build_runtime(make_settings(url), clock=clock)
        try:
            now = clock()
            with runtime.engine.begin() as connection:
                first = runtime.problems.active_for_update(connection, "crash", "", "engineering", now).id
                second = runtime.problems.active_for_update(connection, "refund", "", "finance", now).id
            both_locked = threading.Barrier(2, timeout=10)
            errors: list[Exception] = []

            def worker(mine: int, other: int) -> None:
                try:
                    with runtime.engine.begin() as connection:
                        runtime.problems.lock(connection, mine)
                        both_locked.wait()
                        runtime.outbox.enqueue(connection, "zendesk.sync_links", now, problem_id=other,
                                               dedupe_key=f"for-{other}")
                except Exception as error:  # a deadlock is an OperationalError
                    errors.append(error)

            threads = [threading.Thread(target=worker, args=pair) for pair in ((first, second), (second, first))]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=20)
            assert errors == []
            assert {action.problem_id for action in runtime.outbox.list()} == {first, second}
        finally:
            runtime.engine.dispose()
