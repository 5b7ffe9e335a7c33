"""`bridge problems close ID [--version V]`: a manual close against the Zendesk simulator."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from bridge.cli.close import close_command
from bridge.cli.context import CliContext
from bridge.domain.problems import DETECTING, FIXED, OPEN
from tests.support.closure_world import (
    closure_runtime,
    limited_simulator,
    messages_per_requester,
    public_replies_by_bridge,
    seed_world,
)
from tests.support.settings import write_config


@pytest.fixture
def sim():
    with limited_simulator() as simulator:
        yield simulator


def close(config, *arguments: str):
    return CliRunner().invoke(close_command, list(arguments), obj=CliContext(str(config)))


def test_closing_by_hand_marks_the_problem_fixed_and_notifies_everyone_once(sim, tmp_path):
    runtime = closure_runtime(sim, tmp_path)
    world = seed_world(sim, runtime, 40, closed_every=8, state=OPEN)
    config = write_config(tmp_path, runtime.settings)

    result = close(config, str(world.problem_id), "--version", "3.1")

    assert result.exit_code == 0, result.output
    assert "closure 1 done: 40 of 40 tickets notified" in result.output
    problem = runtime.problems.get(world.problem_id)
    assert (problem.state, problem.fix_version) == (FIXED, "3.1")
    assert set(messages_per_requester(world).values()) == {1}
    assert public_replies_by_bridge(sim, world.ticket_ids[0]) == ["Hi Alex0, ENG-7 is fixed in 3.1."]

    again = close(config, str(world.problem_id))
    assert again.exit_code == 1
    assert "its fix was announced already (closure 1: done, 40 of 40 notified)" in again.output
    runtime.engine.dispose()


def test_a_problem_still_detecting_or_unknown_cannot_be_closed(sim, tmp_path):
    runtime = closure_runtime(sim, tmp_path)
    world = seed_world(sim, runtime, 3, state=DETECTING)
    config = write_config(tmp_path, runtime.settings)

    assert "still detecting" in close(config, str(world.problem_id)).output
    assert "there is no problem 77" in close(config, "77").output
    runtime.engine.dispose()
