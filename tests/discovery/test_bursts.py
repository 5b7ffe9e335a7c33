"""A new failure worded like a steady topic: its tickets join that topic's group, whose growth the
steady tickets dilute; the terms they share that the topic never used burst, and split them off
into a group of their own, which is emerging by that burst (bridge/discovery/bursts.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bridge.discovery.bursts import carrying_burst, move, split_off
from bridge.discovery.emergence import NEW, EmergencePolicy
from bridge.discovery.grouping import Grouping, Member
from bridge.discovery.judging import judge_group
from bridge.discovery.terms import term_counts

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
SINCE = NOW - timedelta(days=30)
POLICY = EmergencePolicy(window=timedelta(days=7), recent=timedelta(days=1), min_size=5, growth=3.0,
                         significance=0.0001)
STEADY = ["where can I download my invoice", "I need a copy of my invoice", "please send my invoice again",
          "my invoice shows the wrong address", "how do I get an invoice for my order"]
BLANK_PDF = ["Invoice PDF is blank", "the invoice pdf opens but the pages are blank",
             "downloaded the invoice pdf, blank page", "blank pdf invoice", "my invoice pdf is blank, nothing on it",
             "Invoice PDF blank again", "the pdf of this month's invoice is blank"]


def steady_week(grouping: Grouping, group_id: int = 1, per_day: int = 5) -> None:
    """Six days of everyday invoice questions in one group, and today's share of them."""
    for number, hours in enumerate(range(2, 24 * 7 - 4, 24 // per_day)):
        text = STEADY[number % len(STEADY)]
        grouping.add(group_id, Member(number, NOW - timedelta(hours=hours), term_counts(None, text)))


def diluted_burst(grouping: Grouping, count: int, group_id: int = 1) -> list[int]:
    """Today's blank PDFs, placed in the steady group as a single pass places them."""
    ids = []
    for n, text in enumerate(BLANK_PDF[:count]):
        grouping.add(group_id, Member(1000 + n, NOW - timedelta(hours=8 - n), term_counts(None, text)))
        ids.append(1000 + n)
    return ids


def test_term_arrivals_follow_the_window_and_moves():
    grouping = Grouping(similarity=0.3)
    steady_week(grouping)
    burst = diluted_burst(grouping, 3)
    arrivals = grouping.term_arrivals
    today = NOW - timedelta(days=1)
    assert arrivals.count("pdf", today) == 3 and arrivals.count("pdf", SINCE, today) == 0
    assert arrivals.tickets("blank", today) == burst
    grouping.add(2, grouping.groups[1].members[burst[0]])  # moved: counted once
    assert arrivals.count("pdf", SINCE) == 3
    grouping.expire(NOW)
    assert arrivals.count("invoice", SINCE) == 0 and arrivals.tickets("pdf", SINCE) == []


def test_a_new_failure_diluted_in_a_steady_group_is_split_off_and_emerging():
    grouping = Grouping(similarity=0.3)
    steady_week(grouping)
    assert not judge_group(grouping, 1, NOW, SINCE, POLICY, 0.15).emerging
    burst = diluted_burst(grouping, 7)
    assert not judge_group(grouping, 1, NOW, SINCE, POLICY, 0.15).emerging  # diluted by the steady questions
    found = split_off(grouping, term_counts(None, BLANK_PDF[-1]), NOW, SINCE, POLICY)
    assert found is not None and found.into is None and found.term in ("blank", "pdf")
    assert sorted(found.ticket_ids) == burst and found.emergence.reason == NEW
    moved = move(grouping, found, 2)
    assert [m.ticket_id for m in moved] == list(found.ticket_ids) and sorted(grouping.groups[2].members) == burst
    verdict = judge_group(grouping, 2, NOW, SINCE, POLICY, 0.15)
    assert verdict.neighbourhood == (1,) and verdict.emerging and verdict.term == found.term
    assert not judge_group(grouping, 1, NOW, SINCE, POLICY, 0.15).emerging
    # once the burst has its group, the same terms split nothing more
    assert split_off(grouping, term_counts(None, BLANK_PDF[0]), NOW, SINCE, POLICY) is None


def test_a_few_tickets_or_a_short_baseline_are_not_enough_for_a_term():
    grouping = Grouping(similarity=0.3)
    steady_week(grouping)
    diluted_burst(grouping, 5)  # five with no history: could be chance among a thousand words
    assert split_off(grouping, term_counts(None, BLANK_PDF[0]), NOW, SINCE, POLICY) is None
    diluted_burst(grouping, 7)
    assert split_off(grouping, term_counts(None, BLANK_PDF[0]), NOW, NOW - timedelta(days=2), POLICY) is None


def test_a_topics_usual_word_shared_with_a_burst_stays_in_its_group():
    """"Open" an account every day, and today a burst of tracking links that do not "open": the
    word bursts in the window, not among the account questions, which stay where they are."""
    grouping = Grouping(similarity=0.3)
    for day in range(1, 7):
        grouping.add(1, Member(day, NOW - timedelta(days=day, hours=3), term_counts(None, "open an account")))
    today = [Member(100 + n, NOW - timedelta(hours=n + 1), term_counts(None, "how do I open an account"))
             for n in range(5)]
    for member in today:
        grouping.add(1, member)
    burst = [Member(200 + n, NOW - timedelta(hours=n + 1), term_counts(None, "can't open the tracking link"))
             for n in range(10)]
    for member in burst:
        grouping.add(2, member)
    assert split_off(grouping, {"open"}, NOW, SINCE, POLICY) is None
    assert len(grouping.groups[1].members) == 11 and len(grouping.groups[2].members) == 10
    found = carrying_burst(grouping, 2, NOW, SINCE, POLICY)
    assert found is not None and found.term in ("open", "track", "link")


def test_accepted_groups_neither_give_nor_take():
    grouping = Grouping(similarity=0.3)
    steady_week(grouping)
    diluted_burst(grouping, 7)
    assert split_off(grouping, term_counts(None, BLANK_PDF[0]), NOW, SINCE, POLICY, fixed={1}) is None
