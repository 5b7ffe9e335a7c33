"""Rule evaluation time per ticket event with 10, 100 and 1,000 rules.

Run: PYTHONPATH=. python bench/rules.py
Mixed sets are mostly tag-based rules (each needs one of its own tags, plus a keyword), with 5 %
keyword-only rules and 2 % regex rules that every event must evaluate. Tag-only sets show how the
tag index keeps cost nearly flat. Target: 1,000 rules under 1 ms per event.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bridge.domain.events import TicketSnapshot
from bridge.rules import RuleSet, load_rules

SIZES = (10, 100, 1000)
EVENTS = 2000
WORDS = ("refund", "invoice", "crash", "parcel", "late", "broken", "charged", "twice", "screen", "battery",
         "order", "payment", "login", "password", "address", "courier", "error", "export", "report", "app",
         "device")


def rule_yaml(index: int, kind: str) -> str:
    head = f"  - name: rule-{index}\n    team: t\n    threshold: {{count: 3, window: 24h}}\n    match:\n"
    if kind == "tags":
        return head + (f"      tags: {{any: [tag{index}, alias{index}]}}\n"
                       f"      text: {{any: [\"{WORDS[index % len(WORDS)]}*\"]}}\n")
    if kind == "text":
        return head + f"      text: {{any: [\"{WORDS[index % len(WORDS)]} {index}\", rule{index}*]}}\n"
    return head + f"      subject: {{regex: 'code[ -]?{index}\\b'}}\n"


def ruleset(size: int, tag_only: bool, folder: Path) -> RuleSet:
    text_rules = 0 if tag_only else max(1, size * 5 // 100)
    regex_rules = 0 if tag_only else max(1, size * 2 // 100)
    kinds = ["text"] * text_rules + ["regex"] * regex_rules
    kinds += ["tags"] * (size - len(kinds))
    name = f"{'tags' if tag_only else 'mixed'}-{size}.yaml"
    body = "".join(rule_yaml(i, kind) for i, kind in enumerate(kinds))
    (folder / name).write_text("rules:\n" + body, encoding="utf-8")
    return load_rules([name], folder, ["t"], {})


def events(size: int, rng: random.Random) -> list[TicketSnapshot]:
    tickets = []
    for number in range(EVENTS):
        tags = (f"tag{rng.randrange(size)}", f"tag{rng.randrange(size)}", "vip")
        words = " ".join(rng.choice(WORDS) for _ in range(30))
        tickets.append(TicketSnapshot(id=number, subject=f"Order {number}: {words[:40]}",
                                      description=f"Hello,\n{words}.\nThanks", tags=tags))
    return tickets


def microseconds_per_event(rules: RuleSet, tickets: list[TicketSnapshot]) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for ticket in tickets:
            rules.matching(ticket)
        best = min(best, time.perf_counter() - started)
    return best / len(tickets) * 1e6


def main() -> None:
    rng = random.Random(4)
    with tempfile.TemporaryDirectory() as folder:
        print(f"{'rule set':<10}{'rules':>7}{'µs/event':>11}{'ratio to 10':>13}{'rules ratio':>13}")
        for tag_only in (False, True):
            base = None
            for size in SIZES:
                cost = microseconds_per_event(ruleset(size, tag_only, Path(folder)), events(size, rng))
                base = base or cost
                label = "tag-only" if tag_only else "mixed"
                print(f"{label:<10}{size:>7}{cost:>11.1f}{cost / base:>13.2f}{size / SIZES[0]:>13.0f}")


if __name__ == "__main__":
    main()
