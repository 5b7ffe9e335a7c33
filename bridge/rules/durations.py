"""Time spans in rule files: threshold windows (`90m`, `24h`, `7d`) and due-date policies."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

_WINDOW = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$")
_WINDOW_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_DUE = re.compile(r"^\s*(\d+)\s+(business\s+days?|days?|hours?|weeks?)\s*$", re.IGNORECASE)


def parse_window(text: str) -> timedelta:
    """`90m`, `24h`, `7d`, `2w` -> timedelta; ValueError for anything else or a zero span."""
    match = _WINDOW.match(text)
    if not match:
        raise ValueError(f"bad duration {text!r} (expected a number and a unit m, h, d or w, e.g. 90m, 24h, 7d)")
    amount = int(match.group(1))
    if amount == 0:
        raise ValueError(f"bad duration {text!r}: must be longer than zero")
    return timedelta(**{_WINDOW_UNITS[match.group(2)]: amount})


def format_window(window: timedelta) -> str:
    """The shortest `parse_window` spelling of `window` (24 hours give `1d`)."""
    seconds = int(window.total_seconds())
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds // 60}m"


@dataclass(frozen=True)
class DuePolicy:
    """How far after a problem opens its Jira issue is due: `amount` of `unit`."""

    amount: int
    unit: str  # business_days | days | hours | weeks

    def __str__(self) -> str:
        label = self.unit.replace("_", " ")
        return f"{self.amount} {label[:-1] if self.amount == 1 else label}"


def parse_due_policy(text: str) -> DuePolicy:
    """`5 business days`, `2 days`, `8 hours`, `1 week` -> DuePolicy; ValueError otherwise."""
    match = _DUE.match(text)
    if not match:
        raise ValueError(f"bad due policy {text!r} (expected e.g. '5 business days', '2 days', "
                         f"'8 hours', '1 week')")
    amount = int(match.group(1))
    if amount == 0:
        raise ValueError(f"bad due policy {text!r}: must be longer than zero")
    unit = "_".join(match.group(2).lower().split())
    return DuePolicy(amount, unit if unit.endswith("s") else unit + "s")
