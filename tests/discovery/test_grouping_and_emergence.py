"""Discovery's pure parts: a ticket's terms, grouping, emergence, neighbourhoods, suggested rules."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from bridge.discovery.candidates import candidate
from bridge.discovery.emergence import GROWING, NEW, EmergencePolicy, judge, poisson_at_least
from bridge.discovery.grouping import Grouping, Member, group_all
from bridge.discovery.judging import judge_group
from bridge.discovery.suggestion import best_terms, keyword, suggest
from bridge.discovery.terms import customer_terms, stem, term_counts
from bridge.domain.bridge_tickets import FOLLOWUP_TAG
from bridge.domain.events import TicketSnapshot

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
POLICY = EmergencePolicy(window=timedelta(days=7), recent=timedelta(days=1), min_size=5, growth=3.0,
                         significance=0.0001)
BACKGROUND = ["How do I reset my password", "forgot my password, need a reset link",
              "where is my order, it has not arrived", "my order still has not arrived",
              "I want a refund for my last order", "please refund the money for the order"]
BURST = ["App crashes when uploading a photo", "the app crashed while uploading my photo",
         "uploading a photo makes the app crash", "photo upload crashes the app every time",
         "App crash on photo upload since the update", "app crashes again uploading photos"]


def member(number: int, text: str, at: datetime, requester: int | None = None) -> Member:
    return Member(number, at, term_counts(None, text), requester)


def test_terms_are_the_customers_words_folded_stemmed_and_without_filler():
    assert term_counts("Charged twice!", "Hello, I was charged TWICE for order 12345678. Thanks") == {
        "charg": 3, "twice": 3, "order": 1}
    assert [stem(word) for word in ("crashes", "crashing", "crashed", "replies", "class")] == [
        "crash", "crash", "crash", "reply", "class"]


def test_the_bridges_own_tickets_have_no_customer_terms():
    assert customer_terms(TicketSnapshot(1, subject="Your issue is fixed", tags=(FOLLOWUP_TAG,))) is None
    assert customer_terms(TicketSnapshot(2, subject="!!!", description="12345")) is None


def test_a_candidate_is_a_recent_unmatched_customer_report():
    ticket = TicketSnapshot(7, subject="App crash", description="crashes on upload", requester_id=3,
                            organization_id=4, created_at=NOW - timedelta(hours=2))
    found = candidate(ticket, False, NOW, NOW, timedelta(days=7))
    assert found == Member(7, NOW - timedelta(hours=2), {"app": 2, "crash": 3, "upload": 1}, 3, 4)
    assert candidate(ticket, True, NOW, NOW, timedelta(days=7)) is None  # a rule owns it
    old = TicketSnapshot(8, subject="App crash", created_at=NOW - timedelta(days=30))
    assert candidate(old, False, NOW, NOW, timedelta(days=7)) is None
    deleted = TicketSnapshot(9, subject="App crash", status="deleted", created_at=NOW)
    assert candidate(deleted, False, NOW, NOW, timedelta(days=7)) is None


def test_similar_wording_shares_a_group_and_other_topics_do_not():
    grouping = Grouping(similarity=0.3)
    texts = BACKGROUND + BURST
    groups = group_all(grouping, [member(n, text, NOW) for n, text in enumerate(texts)], itertools.count(1))
    password, order, refund = groups[0], groups[2], groups[4]
    assert groups[:6] == [password, password, order, order, refund, refund]
    assert len({password, order, refund}) == 3
    assert set(groups[6:]) == {groups[6]} and groups[6] not in (password, order, refund)
    assert set(grouping.characteristic_terms(groups[6], 4)) == {"app", "crash", "photo", "upload"}


def test_expiry_forgets_tickets_and_empty_groups():
    grouping = Grouping(similarity=0.3)
    grouping.add(1, member(1, "app crash on upload", NOW - timedelta(days=8)))
    grouping.add(2, member(2, "refund please", NOW))
    assert grouping.expire(NOW - timedelta(days=7)) == [1]
    assert list(grouping.groups) == [2] and grouping.ticket_count == 1
    assert "crash" not in grouping.doc_freq and "crash" not in grouping.postings


def test_a_moved_ticket_leaves_its_old_group():
    grouping = Grouping(similarity=0.3)
    grouping.add(1, member(1, "app crash on upload", NOW))
    grouping.add(2, member(1, "refund please", NOW))
    assert list(grouping.groups) == [2] and grouping.group_of == {1: 2}
    assert grouping.expire(NOW + timedelta(days=1)) == [2]


def arrivals(*hours_ago: float) -> list[datetime]:
    return [NOW - timedelta(hours=h) for h in hours_ago]


def test_new_and_above_the_size_is_emerging_once_a_baseline_was_watched():
    burst = arrivals(1, 2, 3, 4, 5)
    assert judge(burst, NOW, NOW - timedelta(days=7), POLICY).reason == NEW
    assert judge(burst[:4], NOW, NOW - timedelta(days=7), POLICY).reason is None  # below min_size
    assert judge(burst, NOW, NOW - timedelta(hours=12), POLICY).reason is None  # nothing to compare yet


def test_a_steady_topic_is_not_news_and_a_surge_over_its_rate_is():
    steady = arrivals(*range(2, 24 * 7, 24))  # one a day for a week
    assert judge(steady, NOW, NOW - timedelta(days=30), POLICY).reason is None
    daily = arrivals(*range(1, 24 * 7, 8))  # three a day: 3 recent against 3 a day before
    assert judge(daily, NOW, NOW - timedelta(days=30), POLICY).reason is None
    surge = steady + arrivals(*(0.5 * n for n in range(1, 12)))
    verdict = judge(surge, NOW, NOW - timedelta(days=30), POLICY)
    assert verdict.reason == GROWING and verdict.recent == 12 and verdict.earlier == 6
    assert verdict.growth == pytest.approx(12)


def test_growth_by_chance_in_a_small_group_is_not_news():
    wobble = arrivals(30, 60, 90, 1, 2, 3, 4, 5)  # 3 earlier in 6 days, then 5 today: 10x, but small
    verdict = judge(wobble, NOW, NOW - timedelta(days=30), POLICY)
    assert verdict.recent == 5 and verdict.growth == pytest.approx(10) and verdict.reason is None
    assert poisson_at_least(0, 1.0) == 1.0 and poisson_at_least(1, 1.0) == pytest.approx(0.632, abs=1e-3)


def test_a_fragment_of_a_steady_topic_is_judged_with_its_neighbours():
    grouping = Grouping(similarity=0.6)
    week = [member(n, "where is my order, it has not arrived yet", NOW - timedelta(hours=6 + n * 5))
            for n in range(30)]
    for item in week:
        grouping.add(1, item)
    # today's few in other words start a group of their own
    fragment = [member(100 + n, "my order has not arrived, where is it? tracking shows nothing",
                       NOW - timedelta(hours=n)) for n in range(5)]
    for item in fragment:
        grouping.add(2, item)
    verdict = judge_group(grouping, 2, NOW, NOW - timedelta(days=30), POLICY, neighbourhood=0.15)
    assert verdict.own.reason == NEW and verdict.neighbourhood == (1,) and not verdict.emerging
    for n, text in enumerate(BURST[:5]):
        grouping.add(3, member(200 + n, text, NOW - timedelta(hours=n)))
    burst = judge_group(grouping, 3, NOW, NOW - timedelta(days=30), POLICY, neighbourhood=0.15)
    assert burst.emerging and burst.neighbourhood == ()


def test_the_suggested_rule_catches_the_group_and_little_else():
    texts = BACKGROUND * 3 + BURST + ["my photo album upload is slow", "the app is great"]
    tickets = {n: TicketSnapshot(n, description=text) for n, text in enumerate(texts)}
    group = [n for n, text in enumerate(texts) if text in BURST]
    terms_of = {n: set(term_counts(None, t.description)) for n, t in tickets.items()}
    assert best_terms(["crash", "app", "photo", "upload"], group, terms_of) == ("crash", "app")
    assert best_terms(["photo", "upload", "crash"], group, terms_of) == ("photo", "crash")  # "photo album upload"
    suggestion = suggest(9, ["crash", "app", "photo", "upload"], group, tickets, terms_of, "engineering", 5,
                         timedelta(days=1), {})
    assert suggestion.keywords == ("crash*", "app*") and suggestion.rule_name == "discovered-9-crash-app"
    assert (suggestion.matched_in_group, suggestion.matched, suggestion.precision, suggestion.recall) == (6, 6, 1, 1)
    assert "threshold:\n    count: 5\n    window: 1d\n" in suggestion.yaml
    assert keyword("reply") == "repl*" and keyword("invoic") == "invoic*"
