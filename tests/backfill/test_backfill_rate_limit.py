"""The incremental export's own rate limit: the backfill keeps to it, and a 429 is waited out for
its Retry-After (the simulator answers as Zendesk does: 429 with Retry-After beyond the limit)."""

from __future__ import annotations

import pytest
import requests

from bridge.backfill.pacing import MINUTE, RETRY_AFTER_UNKNOWN, ExportPacer
from bridge.domain.ports import RemoteError
from tests.backfill.conftest import FAST, HISTORY_TICKETS, make_history, opened, outcome_of


class FakeTime:
    def __init__(self):
        self.now = 1000.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def rate_limited(retry_after: float | None) -> RemoteError:
    return RemoteError("rate limited", temporary=True, retry_after=retry_after, status=429)


def test_the_pacer_sends_at_most_n_requests_in_any_minute():
    clock = FakeTime()
    pacer = ExportPacer(10, sleep=clock.sleep, monotonic=clock.monotonic)
    sent = []
    for number in range(25):
        pacer.call(lambda number=number: sent.append((number, clock.now)))
        clock.now += 1  # each request takes a second
    assert len(sent) == 25
    for (_, first), (_, eleventh) in zip(sent, sent[10:], strict=False):
        assert eleventh - first >= MINUTE


@pytest.mark.parametrize("retry_after, waited", [(7.0, 7.0), (None, RETRY_AFTER_UNKNOWN)])
def test_a_429_is_waited_out_and_the_request_sent_again(retry_after, waited):
    clock = FakeTime()
    pacer = ExportPacer(10, sleep=clock.sleep, monotonic=clock.monotonic)
    answers = [rate_limited(retry_after), "page"]

    def request():
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert pacer.call(request) == "page"
    assert clock.slept == [waited] and pacer.rate_limited == 1


def test_other_failures_are_not_retried():
    pacer = ExportPacer(10, sleep=lambda seconds: pytest.fail("slept"))

    def request():
        raise RemoteError("down", temporary=True, status=503)

    with pytest.raises(RemoteError):
        pacer.call(request)


def export_url(zendesk) -> str:
    return f"{zendesk.url}/api/v2/incremental/tickets/cursor.json?start_time=0"


def api_auth(zendesk) -> tuple[str, str]:
    return f"{zendesk.api_email}/token", zendesk.api_token


def test_the_simulated_export_answers_429_with_retry_after_beyond_its_own_limit(zendesk):
    zendesk.set_export_rate_limit(2, window_seconds=60)
    statuses = [requests.get(export_url(zendesk), auth=api_auth(zendesk), timeout=5).status_code for _ in range(2)]
    assert statuses == [200, 200]
    refused = requests.get(export_url(zendesk), auth=api_auth(zendesk), timeout=5)
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
    # The account's other endpoints are not held back by the export's limit.
    assert requests.get(f"{zendesk.url}/api/v2/users/me.json", auth=api_auth(zendesk), timeout=5).status_code == 200


def test_a_backfill_waits_out_the_exports_429(zendesk, bridge_cli):
    """The backfill's first request (its first call to Zendesk) is refused with Retry-After: 1,
    waited out and sent again."""
    history = make_history(zendesk)
    zendesk.inject_faults(1, "429", retry_after=1)

    outcome = outcome_of(bridge_cli("backfill", "--json", *FAST))
    assert outcome["rate_limited"] == 1 and outcome["read"] == HISTORY_TICKETS
    assert opened(outcome) == [("double-charge", "", 3, 3, tuple(history.double_charge))]
    statuses = [request.status for request in zendesk.requests if "incremental" in request.path]
    assert statuses == [429, 200]
