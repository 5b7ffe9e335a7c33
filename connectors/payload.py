"""Defensive readers for vendor JSON: wrong types raise PayloadError, never KeyError or TypeError."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal, overload

import orjson

# Deepest nesting a vendor body may have. Real webhooks nest 8 levels (Jira's issue payloads;
# Zendesk's are shallower) and even Jira's whole OpenAPI spec only 19; 100 leaves room for rich
# text (Jira's ADF nests about 4 levels per list level) and stays far below what any JSON reader
# or recursive walk over the result can take (orjson stops at 1,024; Python recurses ~1,000).
MAX_JSON_DEPTH = 100
_CONTAINERS = (dict, list)


class PayloadError(ValueError):
    """A signed, well-formed JSON body that still is not a payload we can understand."""


class JsonError(PayloadError):
    """A body that is not JSON we read: `reason` is "not_json" or "too_deep"."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


def parse_json(data: bytes | str) -> Any:
    """The one reader of vendor bodies, at intake and in the worker: strict RFC 8259 (orjson: no
    NaN, UTF-8 only), nested at most MAX_JSON_DEPTH levels."""
    try:
        value = orjson.loads(data)
    except ValueError:  # orjson's errors, UnicodeDecodeError too, are ValueErrors
        raise JsonError("not_json", "body is not valid UTF-8 JSON") from None
    if _deeper_than(value, MAX_JSON_DEPTH):
        raise JsonError("too_deep", f"body nests deeper than {MAX_JSON_DEPTH} levels")
    return value


def _deeper_than(value: Any, limit: int) -> bool:
    """Level by level, containers only, stopping past `limit`: no recursion, and a few µs for a
    webhook body."""
    level = [value] if isinstance(value, _CONTAINERS) else []
    for _ in range(limit):
        level = [child for node in level
                 for child in (node.values() if isinstance(node, dict) else node)
                 if isinstance(child, _CONTAINERS)]
        if not level:
            return False
    return bool(level)


def obj(data: Any, key: str, required: bool = False) -> dict:
    value = data.get(key) if isinstance(data, dict) else None
    if value is None:
        if required:
            raise PayloadError(f"missing object {key!r}")
        return {}
    if not isinstance(value, dict):
        raise PayloadError(f"{key!r} must be an object")
    return value


# A reader called with required=True returns a value or raises: the overloads tell the type checker.
@overload
def text(data: dict, key: str, required: Literal[True]) -> str: ...
@overload
def text(data: dict, key: str, required: bool = False) -> str | None: ...
def text(data: dict, key: str, required: bool = False) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise PayloadError(f"missing {key!r}")
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise PayloadError(f"{key!r} must be a string")
    return str(value)


@overload
def integer_id(data: dict, key: str, required: Literal[True]) -> int: ...
@overload
def integer_id(data: dict, key: str, required: bool = False) -> int | None: ...
def integer_id(data: dict, key: str, required: bool = False) -> int | None:
    """Zendesk sends ids as numbers or as strings of digits; "0" and "" mean none."""
    value = data.get(key)
    if isinstance(value, bool):
        raise PayloadError(f"{key!r} must be an id")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    elif value is None or value == "":
        number = None
    else:
        raise PayloadError(f"{key!r} must be an id")
    if number is not None and not 0 <= number < 2**63:
        raise PayloadError(f"{key!r} is out of range")
    if not number:
        if required:
            raise PayloadError(f"missing {key!r}")
        return None
    return number


def string_list(data: dict, key: str) -> list[str]:
    value = data.get(key)
    if value is None:
        return []
    if isinstance(value, str):  # trigger placeholders render lists space-separated
        return value.split()
    if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
        raise PayloadError(f"{key!r} must be a list of strings")
    return [str(v) for v in value]


@overload
def timestamp(data: dict, key: str, required: Literal[True]) -> datetime: ...
@overload
def timestamp(data: dict, key: str, required: bool = False) -> datetime | None: ...
def timestamp(data: dict, key: str, required: bool = False) -> datetime | None:
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise PayloadError(f"missing {key!r}")
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:  # Jira: milliseconds since the epoch
            return datetime.fromtimestamp(value / 1000, tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise PayloadError(f"{key!r} is out of range") from None
    if not isinstance(value, str):
        raise PayloadError(f"{key!r} must be a timestamp")
    return parse_iso_timestamp(value, key)


def parse_iso_timestamp(value: str, key: str = "timestamp") -> datetime:
    cleaned = value.strip().replace("Z", "+00:00")
    # Zendesk sends nanoseconds; Python parses at most microseconds.
    if "." in cleaned:
        head, _, tail = cleaned.partition(".")
        digits = len(tail) - len(tail.lstrip("0123456789"))
        cleaned = head + "." + tail[:min(digits, 6)] + tail[digits:]
    # Jira sends +0000 offsets without the colon.
    if len(cleaned) > 5 and cleaned[-5] in "+-" and cleaned[-4:].isdigit():
        cleaned = cleaned[:-2] + ":" + cleaned[-2:]
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        raise PayloadError(f"{key!r} is not an ISO 8601 timestamp") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
