"""Discovery (bridge/discovery/): grouping quality, emergence of a burst, cost and memory.

Run: PYTHONPATH=. python bench/discover.py [--quick]
Figures printed, no timed assertions (docs/discovery.md keeps the latest ones). Needs scikit-learn
(the metrics, and the batch clustering the streaming grouping is compared with).

- Grouping quality on labelled public data (../shared/vendor/datasets): adjusted mutual
  information (AMI) of the groups against the bitext intents (target >= 0.5) and the IT-service
  tickets' Topic_group, beside scikit-learn's TF-IDF + agglomerative clustering on the same tickets.
- Emergence: a burst of 10-20 tickets about a new failure (bench/discover_bursts.py) among
  1,600 bitext tickets replayed over 8 days at their natural mix; over seeds and topics: how
  many tickets of the burst had arrived when it was flagged (target: before the 10th), precision
  over flagged groups (target >= 0.9), purity of flagged groups; background alone: flags raised.
- Cost per ticket (placing, adding, expiring, judging; target <= 2 ms) and the grouping's memory
  after 8 and 16 days of tickets with a 7-day window (bounded by the window, not the history).
"""

from __future__ import annotations

import csv
import itertools
import random
import sys
import time
import tracemalloc
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_mutual_info_score

from bench.discover_bursts import TOPICS, burst_ticket
from bridge.config.discovery_settings import DiscoverySettings
from bridge.discovery.bursts import move, split_off
from bridge.discovery.grouping import Grouping, Member, group_all
from bridge.discovery.judging import judge_group
from bridge.discovery.settings import emergence_policy
from bridge.discovery.suggestion import suggest
from bridge.discovery.terms import term_counts
from bridge.domain.events import TicketSnapshot
from bridge.rules import dry_run
from bridge.rules.durations import format_window
from bridge.rules.loader import rules_from_text

ROOT = Path(__file__).resolve().parents[1]
DATASETS = next((folder for folder in (ROOT.parent / "shared" / "vendor" / "datasets",
                                       Path("/work/shared/vendor/datasets")) if folder.exists()), ROOT)
BITEXT = DATASETS / "bitext-customer-support-sample-4514.csv"
IT_TICKETS = DATASETS / "it-service-tickets-all_tickets_processed_improved_v3.csv"
START = datetime(2026, 3, 2, tzinfo=UTC)
SETTINGS = DiscoverySettings()
POLICY = emergence_policy(SETTINGS)
BURST = "burst"


def read(path: Path, text: str, label: str) -> list[tuple[str, str]]:
    csv.field_size_limit(10**7)
    with path.open(encoding="utf-8", newline="") as file:
        return [(row[text], row[label]) for row in csv.DictReader(file)]


def ami(labels: list[str], groups: list[int]) -> float:
    return adjusted_mutual_info_score(labels, groups)


def streaming(rows: list[tuple[str, str]]) -> tuple[Grouping, list[int], float]:
    """Discovery's grouping of these texts in order: the grouping, each text's group, ms per text."""
    members = [Member(number, START + timedelta(minutes=number), term_counts(None, text))
               for number, (text, _) in enumerate(rows)]
    grouping = Grouping(SETTINGS.similarity)
    started = time.perf_counter()
    groups = group_all(grouping, members, itertools.count(1))
    return grouping, groups, (time.perf_counter() - started) / len(rows) * 1000


def grouping_quality(name: str, rows: list[tuple[str, str]], sample_size: int) -> None:
    """Discovery on all rows, then discovery and scikit-learn's batch clustering on a sample."""
    labels = [label for _, label in rows]
    grouping, groups, cost = streaming(rows)
    large = [g for g in grouping.groups.values() if g.size >= POLICY.min_size]
    purity = sum(Counter(labels[t] for t in g.members).most_common(1)[0][1] for g in large) / max(
        1, sum(g.size for g in large))
    print(f"{name:<12}{'discovery':<11}{len(rows):>8}{len(set(labels)):>7}{len(grouping.groups):>8}"
          f"{ami(labels, groups):>7.3f}{purity:>10.3f}{cost:>11.3f}")
    sample = rows[:sample_size]
    sample_labels = [label for _, label in sample]
    sample_grouping, sample_groups, cost = streaming(sample)
    print(f"{'':<12}{'discovery':<11}{len(sample):>8}{'':>7}{len(sample_grouping.groups):>8}"
          f"{ami(sample_labels, sample_groups):>7.3f}{'':>10}{cost:>11.3f}")
    vectors = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform([t for t, _ in sample])
    for clusters in sorted({len(set(labels)), len(sample_grouping.groups)}):
        started = time.perf_counter()
        found = AgglomerativeClustering(n_clusters=clusters, metric="cosine",
                                        linkage="average").fit_predict(vectors.toarray())
        cost = (time.perf_counter() - started) / len(sample) * 1000
        print(f"{'':<12}{'sklearn':<11}{len(sample):>8}{'':>7}{clusters:>8}"
              f"{ami(sample_labels, list(found)):>7.3f}{'':>10}{cost:>11.3f}")


@dataclass
class Replay:
    """One replay of background tickets (and maybe a burst) through grouping and judging."""

    flagged: dict[int, int] = field(default_factory=dict)  # group id -> burst tickets seen when flagged
    group_labels: dict[int, Counter[str]] = field(default_factory=dict)  # all its tickets, when flagged
    recent_labels: dict[int, Counter[str]] = field(default_factory=dict)  # its recent ones: what emerged
    burst_seen_when_flagged: int | None = None
    burst_group: int | None = None  # the first flagged group that was the burst's
    rule: tuple[float, float] | None = None  # its suggested rule's precision and recall on the burst
    splits: int = 0  # groups split off by a term's burst (bridge/discovery/bursts.py)
    seconds: float = 0.0
    tickets: int = 0


def replay(background: list[tuple[str, str]], days: int, burst: tuple[str, int] | None,
           rng: random.Random) -> Replay:
    span = timedelta(days=days)
    arrivals = sorted((START + span * rng.random(), text, label) for text, label in background)
    if burst is not None:
        topic, size = burst
        burst_start = START + span - timedelta(days=1) + timedelta(hours=rng.uniform(0, 14))
        for _ in range(size):
            subject, description = burst_ticket(topic, rng)
            arrivals.append((burst_start + timedelta(hours=rng.uniform(0, 8)), f"{subject}\n{description}", BURST))
        arrivals.sort()
    grouping, result, new_ids, burst_seen = Grouping(SETTINGS.similarity), Replay(), itertools.count(1), 0
    labels: dict[int, str] = {}
    started = time.perf_counter()
    for number, (at, text, label) in enumerate(arrivals):
        subject, _, description = text.partition("\n") if label == BURST else ("", "", text)
        member = Member(number, at, term_counts(subject, description))
        labels[number] = label
        burst_seen += label == BURST
        grouping.expire(at - POLICY.window)
        placement = grouping.place(member.terms)
        group_id = placement.group_id if placement.group_id is not None else next(new_ids)
        grouping.add(group_id, member)
        judged = [group_id]
        burst = split_off(grouping, member.terms, at, START, POLICY)
        if burst is not None:
            judged.append(burst.into if burst.into is not None else next(new_ids))
            move(grouping, burst, judged[-1])
            result.splits += burst.into is None
        for group_id in judged:
            if group_id in grouping.groups and group_id not in result.flagged:
                flag(grouping, group_id, at, result, labels, burst_seen)
    result.seconds, result.tickets = time.perf_counter() - started, len(arrivals)
    if result.burst_group in grouping.groups:
        result.rule = suggested_rule(grouping, result.burst_group, arrivals, labels)
    return result


def flag(grouping: Grouping, group_id: int, at: datetime, result: Replay, labels: dict[int, str],
         burst_seen: int) -> None:
    """Judges the group now; records it when it is emerging."""
    verdict = judge_group(grouping, group_id, at, START, POLICY, SETTINGS.neighbourhood)
    if not verdict.emerging:
        return
    group = grouping.groups[group_id]
    result.flagged[group_id] = burst_seen
    result.group_labels[group_id] = Counter(labels[t] for t in group.members)
    recent = result.recent_labels[group_id] = Counter(
        labels[t] for t, m in group.members.items() if m.arrived_at >= at - POLICY.recent)
    if result.burst_seen_when_flagged is None and recent.most_common(1)[0][0] == BURST:
        result.burst_seen_when_flagged, result.burst_group = burst_seen, group_id


def suggested_rule(grouping: Grouping, group_id: int, arrivals: list, labels: dict[int, str]) -> tuple[float, float]:
    """The rule `bridge discover` would suggest for the group at the end of the replay, tried by
    the rules' dry run on every ticket of the window: its precision and recall on the burst."""
    window = {number: TicketSnapshot(number, subject=text.partition("\n")[0] if labels[number] == BURST else None,
                                     description=text.partition("\n")[2] if labels[number] == BURST else text)
              for number, (_, text, _) in enumerate(arrivals) if number in grouping.group_of}
    terms_of = {number: set(term_counts(t.subject, t.description)) for number, t in window.items()}
    suggestion = suggest(group_id, grouping.characteristic_terms(group_id), list(grouping.groups[group_id].members),
                         window, terms_of, "engineering", POLICY.min_size, POLICY.recent, {})
    report = dry_run(rules_from_text(suggestion.yaml, "suggested.yaml", {"engineering"}, {}), window.values())
    matched = set(report.rules[0].matched_ticket_ids)
    burst = {number for number in window if labels[number] == BURST}
    return len(matched & burst) / max(len(matched), 1), len(matched & burst) / max(len(burst), 1)


def emergence(bitext: list[tuple[str, str]], seeds: int, background_size: int) -> None:
    print(f"\nEmergence: {background_size} bitext tickets over 8 days, a burst of 10-20 on the last day; "
          f"window {format_window(POLICY.window)}, recent {format_window(POLICY.recent)}, min size "
          f"{POLICY.min_size}, growth {POLICY.growth}, significance {POLICY.significance}, similarity "
          f"{SETTINGS.similarity}, neighbourhood {SETTINGS.neighbourhood}")
    print("(a flag is the burst's when the burst is most of the group's recent tickets, what made it emerge;"
          " 'of all': most of all its tickets; purity: the largest label's share of a flagged group)")
    print(f"{'topic':<34}{'runs':>5}{'found':>7}{'early':>7}{'burst seen (median, max)':>26}{'flags':>7}"
          f"{'precision':>11}{'of all':>8}{'purity':>8}")
    all_flags = all_right = all_right_overall = runs = early_all = splits = 0
    costs, rules = [], []
    for topic in TOPICS:
        seen, flags, right, right_overall, pure, early = [], 0, 0, 0, [], 0
        for seed in range(seeds):
            rng = random.Random(seed * 101 + len(topic))
            result = replay(rng.sample(bitext, background_size), 8, (topic, rng.randint(10, 20)), rng)
            costs.append(result.seconds / result.tickets * 1000)
            flags, splits = flags + len(result.flagged), splits + result.splits
            for group_id, labels in result.group_labels.items():
                label, count = labels.most_common(1)[0]
                right_overall += label == BURST
                right += result.recent_labels[group_id].most_common(1)[0][0] == BURST
                pure.append(count / sum(labels.values()))
            if result.rule is not None:
                rules.append(result.rule)
            if result.burst_seen_when_flagged is not None:
                seen.append(result.burst_seen_when_flagged)
                early += result.burst_seen_when_flagged < 10
        seen.sort()
        median = f"{seen[len(seen) // 2]}, {seen[-1]}" if seen else "-"
        print(f"{topic:<34}{seeds:>5}{len(seen):>7}{early:>7}{median:>26}{flags:>7}"
              f"{right / max(flags, 1):>11.2f}{right_overall / max(flags, 1):>8.2f}"
              f"{sum(pure) / max(len(pure), 1):>8.2f}")
        all_flags, all_right, runs, early_all = all_flags + flags, all_right + right, runs + seeds, early_all + early
        all_right_overall += right_overall
    print(f"{'all':<34}{runs:>5}{'':>7}{early_all:>7}{'':>26}{all_flags:>7}{all_right / max(all_flags, 1):>11.2f}"
          f"{all_right_overall / max(all_flags, 1):>8.2f}")
    print("(targets: every burst flagged before its 10th ticket; precision >= 0.9)")
    print(f"groups split off by a term's burst (bridge/discovery/bursts.py): {splits} in {runs} runs")
    if rules:
        precisions, recalls = sorted(p for p, _ in rules), sorted(r for _, r in rules)
        print(f"the suggested rule of the burst's group, tried on the window, over {len(rules)} replays: "
              f"precision median {precisions[len(rules) // 2]:.2f} (lowest {precisions[0]:.2f}), "
              f"recall of the whole burst median {recalls[len(rules) // 2]:.2f} (lowest {recalls[0]:.2f})")
    background_flags, background_splits = [], 0
    for seed in range(seeds):
        rng = random.Random(7000 + seed)
        result = replay(rng.sample(bitext, background_size), 8, None, rng)
        costs.append(result.seconds / result.tickets * 1000)
        background_flags.append(len(result.flagged))
        background_splits += result.splits
    print(f"background alone, {seeds} runs: flags raised {background_flags} (target: (almost) none), "
          f"groups split off {background_splits}")
    print(f"cost per ticket (place, add, expire, split, judge): average {sum(costs) / len(costs):.3f} ms, "
          f"worst run {max(costs):.3f} ms (target <= 2 ms)")


def memory(bitext: list[tuple[str, str]]) -> None:
    """The grouping's size after 8 and after 16 days at the same rate (7-day window)."""
    rng = random.Random(3)
    per_day = 200
    rows = [rng.choice(bitext) for _ in range(per_day * 16)]
    grouping, new_ids = Grouping(SETTINGS.similarity), itertools.count(1)
    tracemalloc.start()
    sizes = {}
    for number, (text, _) in enumerate(rows):
        at = START + timedelta(days=number / per_day)
        grouping.expire(at - POLICY.window)
        member = Member(number, at, term_counts(None, text))
        placement = grouping.place(member.terms)
        grouping.add(placement.group_id if placement.group_id is not None else next(new_ids), member)
        if number + 1 in (per_day * 8, per_day * 16):
            sizes[(number + 1) // per_day] = (tracemalloc.get_traced_memory()[0], grouping.ticket_count,
                                              len(grouping.groups))
    tracemalloc.stop()
    print(f"\nMemory, {per_day} tickets a day, window {POLICY.window.days} d:")
    for days, (size, tickets, groups) in sizes.items():
        print(f"  after {days:>2} days: {size / 1e6:6.2f} MB for {tickets} tickets in {groups} groups")
    print(f"  16 days against 8: {sizes[16][0] / sizes[8][0]:.2f}x (bounded by the window: ~1x)")


def main() -> None:
    quick = "--quick" in sys.argv
    bitext = read(BITEXT, "instruction", "intent")
    it_rows = read(IT_TICKETS, "Document", "Topic_group")
    random.Random(1).shuffle(bitext)
    random.Random(1).shuffle(it_rows)
    print(f"Grouping quality (similarity {SETTINGS.similarity}); AMI target >= 0.5 on bitext intents")
    print("(sklearn: TF-IDF + agglomerative clustering, average cosine linkage, batch, told how many groups;"
          " purity: of the groups of min_size or more)")
    print(f"{'data':<12}{'method':<11}{'tickets':>8}{'labels':>7}{'groups':>8}{'AMI':>7}{'purity':>10}{'ms/ticket':>11}")
    grouping_quality("bitext", bitext, 1000 if quick else 2000)
    grouping_quality("IT tickets", it_rows[: 2000 if quick else 10000], 1000 if quick else 2000)
    emergence(bitext, 2 if quick else 6, 1600)
    memory(bitext)


if __name__ == "__main__":
    main()
