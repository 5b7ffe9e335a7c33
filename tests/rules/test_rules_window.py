"""Threshold windows in event time: exactly N, just outside, out of order, duplicates, removal."""

from datetime import UTC, datetime, timedelta

from bridge.rules.window import (
    Occurrence,
    keys_in_latest_window,
    prunable_before,
    threshold_reached,
    window_crossing,
)

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(hours=24)


def at(ticket_id: int, minutes: float, key: str | None = None) -> Occurrence:
    return Occurrence(ticket_id, key or str(ticket_id), T0 + timedelta(minutes=minutes))


def test_exactly_n_within_the_window_reaches_the_threshold():
    occurrences = [at(1, 0), at(2, 600), at(3, 24 * 60)]        # the last one exactly 24h later
    assert threshold_reached(occurrences, 3, DAY)
    assert not threshold_reached(occurrences, 4, DAY)
    assert window_crossing(occurrences, 3, DAY).ticket_id == 3


def test_just_outside_the_window_does_not_count():
    occurrences = [at(1, 0), at(2, 600), at(3, 24 * 60 + 1)]
    assert not threshold_reached(occurrences, 3, DAY)
    assert threshold_reached(occurrences, 2, DAY)


def test_count_one_is_reached_by_any_occurrence():
    assert threshold_reached([at(1, 0)], 1, DAY)
    assert not threshold_reached([], 1, DAY)


def test_out_of_order_events_count_by_event_time():
    # Arrival order 3, 1, 2; event times span 20h, so all three fit in one day.
    arrived = [at(3, 20 * 60), at(1, 0), at(2, 60)]
    assert threshold_reached(arrived, 3, DAY)
    # A late event that happened long before the others completes its own older span ...
    late = [at(1, 0), at(2, 10 * 24 * 60), at(3, 30)]
    assert window_crossing(late, 2, DAY).ticket_id == 3
    # ... but never stretches the newest one.
    assert keys_in_latest_window(late, DAY) == {"2"}


def test_duplicates_count_once():
    same_ticket = [at(1, 0), at(1, 5), at(1, 10)]
    assert not threshold_reached(same_ticket, 2, DAY)
    same_requester = [at(1, 0, "r1"), at(2, 5, "r1"), at(3, 10, "r2")]
    assert not threshold_reached(same_requester, 3, DAY)
    assert threshold_reached(same_requester, 2, DAY)


def test_removed_occurrences_no_longer_count():
    occurrences = [at(1, 0), at(2, 10), at(3, 20)]
    assert threshold_reached(occurrences, 3, DAY)
    stopped_matching = 2
    remaining = [o for o in occurrences if o.ticket_id != stopped_matching]
    assert not threshold_reached(remaining, 3, DAY)


def test_a_key_leaving_the_window_stops_counting_even_if_it_recurs_inside():
    occurrences = [at(1, 0, "a"), at(2, 2 * 24 * 60, "b"), at(3, 2 * 24 * 60 + 1, "a")]
    assert window_crossing(occurrences, 2, DAY).ticket_id == 3


def test_prunable_before():
    assert prunable_before(T0, DAY, timedelta(hours=6)) == T0 - timedelta(hours=30)
