"""Pydantic's validation errors said in the bridge's voice, for config and rule files alike:
`expected true or false, got 'yes please'` rather than `Input should be a valid boolean, unable
to interpret input`, and `unknown key; did you mean 'email'?` for a misspelt key."""

from __future__ import annotations

import difflib
import re
import types
from collections.abc import Iterable
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

KeyPath = tuple[str | int, ...]

_LIMITS = {"greater_than": "more than {gt}", "greater_than_equal": "at least {ge}",
           "less_than": "less than {lt}", "less_than_equal": "at most {le}"}
_EXPECTED = {"bool": "true or false", "int": "a whole number", "float": "a number", "string": "text",
             "dict": "a mapping of keys to values", "model": "a mapping of keys to values",
             "model_attributes": "a mapping of keys to values", "list": "a list", "tuple": "a list",
             "set": "a list", "frozen_set": "a list", "date": "a date (YYYY-MM-DD)", "url": "a URL"}


def plain_message(problem: dict, model: type[BaseModel] | None, path: KeyPath) -> str:
    """One pydantic error (an item of `ValidationError.errors()`) as the bridge says it; `path` is
    where it is, with pydantic's own tags left out; `model` is the validated class, for the
    keys an unknown key may have meant."""
    kind, context, given = problem["type"], problem.get("ctx") or {}, problem.get("input")
    if kind == "extra_forbidden":
        keys = known_keys(model, path[:-1])
        return "unknown key" + (_did_you_mean(str(path[-1]), keys) or (f" (known keys: {', '.join(keys)})"
                                                                         if keys else ""))
    if kind == "missing":
        return "required value is missing"
    if kind in ("value_error", "assertion_error") and "error" in context:
        return str(context["error"])
    if kind in _LIMITS:
        return f"must be {_LIMITS[kind].format(**context)}, got {_shown(given)}"
    if kind == "literal_error":
        allowed = re.findall(r"'([^']*)'", str(context.get("expected", "")))
        return (f"expected one of {', '.join(allowed)}; got {_shown(given)}"
                + _did_you_mean(str(given), allowed))
    if kind == "string_too_short":
        return "must not be empty" if context.get("min_length") == 1 else \
            f"must be at least {context.get('min_length')} characters"
    if kind == "string_pattern_mismatch":
        return f"{_shown(given)} does not have the expected form {str(context.get('pattern')).strip('^$')}"
    expected = next((text for prefix, text in _EXPECTED.items() if kind.startswith(f"{prefix}_")), None)
    if expected:
        return f"expected {expected}, got {_shown(given)}"
    return str(problem["msg"]).removeprefix("Value error, ")


def _did_you_mean(given: str, candidates: Iterable[str]) -> str:
    closest = _closest(given, candidates)
    return f"; did you mean '{closest}'?" if closest else ""


def _closest(given: str, candidates: Iterable[str]) -> str | None:
    matches = difflib.get_close_matches(given, list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None


def suggested_key(problem: dict, model: type[BaseModel] | None, path: KeyPath) -> str | None:
    """For an unknown key, the known key it most likely meant (None when none is close)."""
    if problem["type"] != "extra_forbidden":
        return None
    return _closest(str(path[-1]), known_keys(model, path[:-1]))


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    if value is None:
        return "nothing"
    return f"the text {value!r}" if isinstance(value, str) else repr(value)


def known_keys(model: type[BaseModel] | None, path: KeyPath) -> list[str]:
    """The keys a mapping at `path` below `model` may have (every variant's, for a union)."""
    candidates: list[Any] = [model] if model else []
    for part in path:
        candidates = [inner for candidate in candidates for inner in _child_types(candidate, part)]
    return sorted({name for candidate in candidates if _is_model(candidate)
                   for name, field in candidate.model_fields.items() if not field.exclude})


def _child_types(annotation: Any, part: str | int) -> list[Any]:
    annotation_types = _unwrapped(annotation)
    children: list[Any] = []
    for candidate in annotation_types:
        origin = get_origin(candidate)
        if _is_model(candidate) and isinstance(part, str) and part in candidate.model_fields:
            children += _unwrapped(candidate.model_fields[part].annotation)
        elif origin is dict and isinstance(part, str):
            children += _unwrapped(get_args(candidate)[1])
        elif origin in (list, tuple, set, frozenset) and isinstance(part, int):
            children += [item for arg in get_args(candidate) if arg is not Ellipsis for item in _unwrapped(arg)]
    return children


def _unwrapped(annotation: Any) -> list[Any]:
    """The concrete types behind Annotated[...], X | Y and Optional[...]."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _unwrapped(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [inner for arg in get_args(annotation) for inner in _unwrapped(arg)]
    return [annotation]


def _is_model(candidate: Any) -> bool:
    return isinstance(candidate, type) and issubclass(candidate, BaseModel)
