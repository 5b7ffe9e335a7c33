"""Tickets for `bridge rules test`'s dry runs, read with the Zendesk connector's parser: a JSON
file (one API ticket, `{"ticket": {...}}`, `{"tickets": [...]}` or a list) or JSONL (one of those
per line)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bridge.domain.events import TicketSnapshot
from bridge.rules.yamlsource import SourceError, SourceErrors
from connectors.zendesk.tickets import snapshot_from_api_ticket


def load_tickets(path: Path | str) -> list[TicketSnapshot]:
    """All tickets in the file; SourceErrors naming the line of every unusable one."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceErrors([SourceError(str(path), None, "", f"cannot read file: {exc}")]) from None
    if path.suffix.lower() != ".jsonl":
        try:
            chunks: list[tuple[int | None, Any]] = [(None, json.loads(text))]
        except json.JSONDecodeError as exc:
            raise SourceErrors([SourceError(str(path), exc.lineno, "", f"invalid JSON: {exc.msg}")]) from None
    else:
        chunks = [(number, line) for number, line in enumerate(text.splitlines(), 1) if line.strip()]
    tickets, errors = [], []
    for line, chunk in chunks:
        try:
            data = json.loads(chunk) if isinstance(chunk, str) else chunk
            tickets += [snapshot_from_api_ticket(item) for item in _ticket_objects(data)]
        except (json.JSONDecodeError, ValueError) as exc:
            errors.append(SourceError(str(path), line, "", f"not a Zendesk ticket: {exc}"))
    if errors:
        raise SourceErrors(errors)
    return tickets


def _ticket_objects(data: Any) -> list[dict]:
    if isinstance(data, list):
        return [item for entry in data for item in _ticket_objects(entry)]
    if not isinstance(data, dict):
        raise ValueError(f"expected a JSON object, got {type(data).__name__}")
    if isinstance(data.get("ticket"), dict):
        return [data["ticket"]]
    if isinstance(data.get("tickets"), list):
        return _ticket_objects(data["tickets"])
    return [data]
