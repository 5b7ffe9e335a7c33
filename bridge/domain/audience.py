"""A proactive notice's audience query: a Zendesk search for users (`type:user ...`) or for
organizations (`type:organization ...`, whose members are the audience)."""

from __future__ import annotations

import shlex

USER, ORGANIZATION = "user", "organization"


class BadQuery(ValueError):
    """The query cannot find an audience (said why)."""


def search_type(query: str) -> str | None:
    """The `type:` a search query names last, None if none; BadQuery when it does not parse."""
    try:
        words = shlex.split(query)
    except ValueError as exc:
        raise BadQuery(f"the query does not parse ({exc})") from None
    types = [word.split(":", 1)[1].lower() for word in words if word.lower().startswith("type:")]
    return types[-1] if types else None


def audience_query(query: str) -> str:
    """The query, stripped; BadQuery unless it searches users or organizations."""
    query = query.strip()
    if not query:
        raise BadQuery("the query is empty")
    kind = search_type(query)
    if kind not in (USER, ORGANIZATION):
        raise BadQuery("the query must search users or organizations: start it with type:user or "
                       "type:organization (e.g. `type:organization product_version:2.3`)")
    return query
